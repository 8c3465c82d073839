import Redis from 'ioredis';

import { loadAuthConfig } from '../config/auth.config';
import { LockoutService } from './lockout.service';

describe('LockoutService without Redis', () => {
  it('lets logins through (unlocked) instead of failing them', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const lockout = new LockoutService(redis, loadAuthConfig({}));
    try {
      await expect(lockout.state('a@example.com')).resolves.toEqual({ locked: false, lockedUntil: null });
      await expect(lockout.recordFailure('a@example.com', 'x')).resolves.toEqual({ locked: false, lockedUntil: null });
      await expect(lockout.clear('a@example.com')).resolves.toBeUndefined();
    } finally {
      redis.disconnect();
    }
  });
});
