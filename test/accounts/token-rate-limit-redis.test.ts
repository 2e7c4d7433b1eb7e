/** API tokens' limits shared through a real Redis (TEST_REDIS_URL): two instances count one token once. */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newToken, tokenHash } from '../../src/accounts/tokens.js';
import { closeRedis, connectRedis } from '../../src/rate-limit/redis.js';
import { appOver, appWithData } from '../support/app.js';
import { describeWith } from '../support/describe-with.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { row } from '../support/rows.js';
import { redis } from '../support/services.js';
import { accountsConfig } from '../support/sign-in.js';

const RUN_PREFIX = `pypistats-test:${process.pid}-${randomUUID()}:`;

describeWith([redis], 'API token limits shared through Redis', () => {
  let github: GithubStandin;
  let admin: Redis;
  beforeAll(async () => {
    github = await startGithubStandin();
    admin = await connectRedis(redis.value!);
  });
  afterAll(async () => {
    const keys = await admin.keys(`${RUN_PREFIX}*`);
    if (keys.length > 0) await admin.del(...keys);
    await closeRedis(admin);
    await github.close();
  });

  it('counts a token once across instances, apart from the address', async () => {
    const connections = [await connectRedis(redis.value!), await connectRedis(redis.value!)];
    const options = (client: Redis) => ({
      rateLimit: { perSecond: 0, perMinute: 2 },
      accounts: accountsConfig(github, { TOKEN_RATE_LIMIT_PER_SECOND: '0', TOKEN_RATE_LIMIT_PER_MINUTE: '4' }),
      sharedRateLimits: { client, keyPrefix: `${RUN_PREFIX}` },
    });
    const first = await appWithData({ '2026-11-01': [row('requests', 'overall', 'without_mirrors', 2)] }, options(connections[0]!));
    const second = await appOver(first.store, options(connections[1]!));
    try {
      await first.store.accounts.signIn({ githubId: 1, login: 'dash', avatarUrl: '' });
      const token = newToken();
      await first.store.accounts.createToken(1, 'dashboard', tokenHash(token));
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const app = i % 2 === 0 ? first.app : second;
        statuses.push((await app.inject({ url: '/api/packages/requests/recent', headers: { authorization: `Bearer ${token}` } })).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      // The address's own budget was not spent by the token's requests.
      expect((await first.app.inject('/api/packages/requests/recent')).statusCode).toBe(200);
      expect((await second.inject('/api/packages/requests/recent')).statusCode).toBe(200);
      expect((await first.app.inject('/api/packages/requests/recent')).statusCode).toBe(429);
    } finally {
      await second.close();
      await first.close();
      await Promise.all(connections.map(closeRedis));
    }
  });
});
