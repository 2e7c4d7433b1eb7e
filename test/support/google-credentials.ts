/**
 * A throwaway Google service account for tests: an RSA key made here, a key JSON whose `token_uri`
 * points at the stand-in, and the check the stand-in's token endpoint makes of a signed assertion.
 */
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';

export interface TestServiceAccount {
  clientEmail: string;
  project: string;
  publicKey: KeyObject;
  /** The key as Google's console gives it out. */
  key: Record<string, string>;
  /** The same, as GOOGLE_SERVICE_ACCOUNT_JSON holds it. */
  json: string;
}

export function testServiceAccount(tokenUri: string, project = 'pypistats-test'): TestServiceAccount {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = `loader@${project}.iam.gserviceaccount.com`;
  const key = {
    type: 'service_account',
    project_id: project,
    private_key_id: 'test-key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: clientEmail,
    client_id: '1234567890',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
  };
  return { clientEmail, project, publicKey: createPublicKey(privateKey), key, json: JSON.stringify(key) };
}

function base64UrlJson(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** The JWT-bearer grant (RFC 7523) a service account sends: RS256, signed by its key. */
export function checkAssertion(assertion: string, account: { clientEmail: string; publicKey: KeyObject }): string | null {
  const parts = assertion.split('.');
  if (parts.length !== 3) return 'the assertion is not a JWT';
  const [header, payload, signature] = parts as [string, string, string];
  if (base64UrlJson(header).alg !== 'RS256') return 'the assertion is not signed with RS256';
  if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), account.publicKey, Buffer.from(signature, 'base64url'))) {
    return 'the assertion is not signed by the service account key';
  }
  const claims = base64UrlJson(payload);
  if (claims.iss !== account.clientEmail) return `the assertion is for ${String(claims.iss)}`;
  if (!String(claims.scope ?? '').split(' ').includes('https://www.googleapis.com/auth/bigquery')) return 'the assertion does not ask for the bigquery scope';
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return 'the assertion has expired';
  return null;
}
