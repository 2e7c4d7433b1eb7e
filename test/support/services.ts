/**
 * Suites that need a service outside the project run when its variable is set (CI sets them all,
 * so there they are required) and are skipped otherwise, saying how to run them. No vitest import:
 * the summary reporter reads this too.
 */
export interface ExternalService {
  /** What the suite needs, for people. */
  readonly what: string;
  readonly variable: string;
  readonly example: string;
  /** The variable's value: a URL or a path. Undefined: the suites that need it are skipped. */
  readonly value: string | undefined;
}

function service(what: string, variable: string, example: string): ExternalService {
  const value = process.env[variable]?.trim();
  return { what, variable, example, value: value === '' ? undefined : value };
}

export const postgres = service('PostgreSQL', 'TEST_POSTGRES_URL', 'postgres://root@127.0.0.1:5432/test');
export const redis = service('Redis', 'TEST_REDIS_URL', 'redis://127.0.0.1:6379');
export const chromium = service('Chromium', 'TEST_CHROMIUM', '/usr/bin/chromium');

/** `[needs VARIABLE]` in a suite's name is how the summary reporter tells why it was skipped. */
export function suiteName(name: string, needs: readonly ExternalService[]): string {
  return `${name} ${needs.map((s) => `[needs ${s.variable}]`).join(' ')}`;
}

export const allServices = [postgres, redis, chromium] as const;
