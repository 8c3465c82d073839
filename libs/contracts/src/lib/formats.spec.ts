import { isApiTokenFormat, isUuid } from './formats';

describe('shared formats', () => {
  it('accepts any textual uuid, including the legacy fixed non-v4 ids', () => {
    expect(isUuid('11111111-1111-1111-1111-111111111111')).toBe(true);
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isUuid('3F2504E0-4F89-11D3-9A0C-0305E82C3301')).toBe(true);
    for (const bad of ['not-a-uuid', '11111111-1111-1111-1111-11111111111', "1' OR '1'='1", 42, null]) expect(isUuid(bad)).toBe(false);
  });

  it('accepts exactly the legacy API token form: 64 lowercase hex characters', () => {
    const token = 'c98fe38ec31527e230020423e62004e29d56f3189ab2313ea3127c596e755d4f';
    expect(isApiTokenFormat(token)).toBe(true);
    expect(isApiTokenFormat(token.toUpperCase())).toBe(false);
    expect(isApiTokenFormat(token.slice(1))).toBe(false);
    expect(isApiTokenFormat(`${token}0`)).toBe(false);
    expect(isApiTokenFormat('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(false);
  });
});
