import { describeIdentityAgainstRealAuth } from '@nafs/auth-client/testing';

import { FORMS_SERVICE } from '../src/service';

const PROBE = '/api/v1/themes';
const desktop = {
  primaryColor: '#112233',
  secondaryColor: '#445566',
  textColorPrimary: '#000000',
  textColorSecondary: '#333333',
  backgroundColor: '#ffffff',
  containerBackground: '#ffffff',
  fontFamilyHeading: 'Inter',
  fontFamilyBody: 'Inter',
  fieldBorderRadius: '8px',
  fieldSpacing: '16px',
  containerOpacity: 1,
  containerPosition: 'center',
};

describeIdentityAgainstRealAuth({
  definition: FORMS_SERVICE,
  probePath: PROBE,
  writeProbe: { path: PROBE, body: { name: 'Scoped theme', thumbnailUrl: 'https://cdn.example.com/t.png', themeConfig: { desktop } } },
  // Each theme is created by its user, and only its creator or an admin may edit it, whichever
  // auth replica answered.
  async writeAsEveryone({ auth, service }, everyone) {
    const created = await Promise.all(
      everyone.map((user, i) =>
        fetch(`${service.url}${PROBE}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${auth.accessToken(user)}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `Replica theme ${i}`, thumbnailUrl: 'https://cdn.example.com/t.png', themeConfig: { desktop } }),
        }).then(async (res) => ({ status: res.status, body: (await res.json()) as { data: { createdBy: string; id: string } } })),
      ),
    );
    created.forEach((res, i) => {
      expect(res.status).toBe(201);
      expect(res.body.data.createdBy).toBe(everyone[i].id);
    });
    const edits = await Promise.all(
      everyone.map((user, i) =>
        fetch(`${service.url}${PROBE}/${created[(i + 1) % everyone.length].body.data.id}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${auth.accessToken(user)}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ description: 'edited' }),
        }),
      ),
    );
    edits.forEach((res, i) => expect(res.status).toBe(everyone[i].role === 'admin' ? 200 : 403));
  },
});
