import { describeIdentityAgainstRealAuth } from '@nafs/auth-client/testing';

import { WEB_SERVICE } from '../src/service';

const PROBE = '/api/v1/drawing-projects';

describeIdentityAgainstRealAuth({
  definition: WEB_SERVICE,
  probePath: PROBE,
  writeProbe: { path: PROBE, body: { name: 'scoped', templateData: { version: '1', shapes: [] } } },
  // Each user's project comes back owned by them, whichever auth replica answered.
  async writeAsEveryone({ auth, service, get }, everyone) {
    for (const user of everyone) {
      const created = await fetch(`${service.url}${PROBE}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${auth.accessToken(user)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `p-${user.id}`, templateData: { version: '1', shapes: [] } }),
      });
      expect(created.status).toBe(201);
    }
    const results = await Promise.all(everyone.map((user) => get(user)));
    results.forEach((res, i) => {
      expect(res.status).toBe(200);
      expect((res.body.data as { projects: { name: string; userId: string }[] }).projects).toEqual([
        expect.objectContaining({ name: `p-${everyone[i].id}`, userId: everyone[i].id }),
      ]);
    });
  },
});
