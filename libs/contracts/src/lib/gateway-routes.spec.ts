import { routeFor } from './gateway-routes';

describe('gateway route table', () => {
  it.each([
    ['/api/v1/tools/short-links', 'forms'],
    ['/api/v1/tools/short-links/abc', 'forms'],
    ['/api/v1/tools/registry/registry', 'web'],
    ['/api/v1/tools/short-link', 'web'],
    ['/api/v1/tools', 'web'],
    ['/api/v1/auth/login', 'auth'],
    ['/s/Xk7Rm2p', 'forms'],
    ['/api/tools/test-tool/1', 'web'],
  ])('routes %s to %s', (path, service) => {
    expect(routeFor(path)).toBe(service);
  });

  it('does not match a prefix that only shares leading characters', () => {
    expect(routeFor('/api/v1/authx')).toBeUndefined();
    expect(routeFor('/search')).toBeUndefined();
  });
});
