/** A BigQuery client built from the configuration: credentials, project, endpoint and retries. */
import { readFile } from 'node:fs/promises';
import { BigQuery, type BigQueryOptions } from '@google-cloud/bigquery';
import { JWT } from 'google-auth-library';
import type { BigQueryConfig, ServiceAccountKey } from '../config.js';

const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const BIGQUERY_SCOPE = 'https://www.googleapis.com/auth/bigquery';

export const MISSING_CREDENTIALS =
  'the BigQuery source needs credentials: set GOOGLE_SERVICE_ACCOUNT_JSON (a service-account key as JSON) or GOOGLE_APPLICATION_CREDENTIALS (the path of a key file)';

/**
 * The client library retries rate limits (429, 403 `rateLimitExceeded`/`userRateLimitExceeded`),
 * 408 and 5xx itself, on every call, with exponential back-off; nothing needs retrying on top.
 */
export interface RetryOptions {
  maxRetries: number;
  /** Upper bound of one back-off wait, in seconds (the library's default is 64). */
  maxRetryDelaySeconds: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxRetries: 5, maxRetryDelaySeconds: 64 };

export interface BigQueryConnection {
  client: BigQuery;
  /** The project the jobs run in. */
  project: string;
}

type Credentials = { key: ServiceAccountKey } | { keyFile: string };

/**
 * A service-account key from either variable goes through one path (a JWT client of our own); any
 * other credentials file (an `authorized_user` file from gcloud, an `external_account` one) is left
 * to google-auth-library. The key file is read here so its `token_uri` and `project_id` are known.
 */
async function credentialsOf(config: BigQueryConfig): Promise<Credentials> {
  const credentials = config.credentials;
  if (credentials === null) throw new Error(MISSING_CREDENTIALS);
  if (credentials.kind === 'service-account-json') return { key: credentials.key };
  let text: string;
  try {
    text = await readFile(credentials.path, 'utf8');
  } catch (error) {
    throw new Error(`GOOGLE_APPLICATION_CREDENTIALS: cannot read ${credentials.path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  let parsed: Partial<ServiceAccountKey>;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`GOOGLE_APPLICATION_CREDENTIALS: ${credentials.path} is not a JSON credentials file`);
  }
  if (parsed.type === 'service_account' && typeof parsed.client_email === 'string' && typeof parsed.private_key === 'string') {
    return { key: parsed as ServiceAccountKey };
  }
  return { keyFile: credentials.path };
}

/**
 * The key's `token_uri` is honoured, as Google's Python library does; the Node library always posts
 * to Google's token URL. A real key names Google's URL, so this changes nothing for one; it lets an
 * emulator or the test stand-in issue tokens, so the whole credential path runs offline.
 */
function serviceAccountClient(key: ServiceAccountKey): JWT {
  const client = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: [BIGQUERY_SCOPE] });
  const tokenUri = key.token_uri;
  if (tokenUri !== undefined && tokenUri !== GOOGLE_TOKEN_URL) {
    client.transporter.interceptors.request.add({
      resolved: async (options) => {
        if (options.url.href === GOOGLE_TOKEN_URL) options.url = new URL(tokenUri);
        return options;
      },
    });
  }
  return client;
}

export async function connectBigQuery(config: BigQueryConfig, retry: RetryOptions = DEFAULT_RETRY): Promise<BigQueryConnection> {
  const credentials = await credentialsOf(config);
  const project = config.project ?? ('key' in credentials ? credentials.key.project_id : undefined);
  if (!project) throw new Error('the BigQuery source needs a project: set BIGQUERY_PROJECT (the credentials name no project_id)');
  const options: BigQueryOptions = {
    projectId: project,
    retryOptions: { autoRetry: true, maxRetries: retry.maxRetries, maxRetryDelay: retry.maxRetryDelaySeconds },
  };
  if ('key' in credentials) options.authClient = serviceAccountClient(credentials.key);
  else options.keyFilename = credentials.keyFile;
  if (config.apiEndpoint !== null) options.apiEndpoint = config.apiEndpoint;
  return { client: new BigQuery(options), project };
}
