/** The BigQuery source's configuration: table, project, credentials, endpoint, price. */
import { DEFAULT_BIGQUERY_TABLE, isBigQueryTableName } from '../domain/bigquery-table.js';
import { ConfigError, isHttpUrl, type Env } from './parse.js';

/** The fields of a Google service-account key that matter here; the rest is passed on untouched. */
export interface ServiceAccountKey {
  type?: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  token_uri?: string;
}

export type BigQueryCredentials =
  /** GOOGLE_SERVICE_ACCOUNT_JSON, parsed and checked. */
  | { kind: 'service-account-json'; key: ServiceAccountKey }
  /** GOOGLE_APPLICATION_CREDENTIALS: read when a BigQuery source is opened, not at start-up. */
  | { kind: 'key-file'; path: string };

export interface BigQueryConfig {
  table: string;
  /** BIGQUERY_PROJECT; null: the credentials' `project_id`. */
  project: string | null;
  /** null: neither variable is set, and a BigQuery load says which to set. */
  credentials: BigQueryCredentials | null;
  /** null: Google's endpoint. */
  apiEndpoint: string | null;
  /** USD per TiB scanned, for dry-run cost estimates. */
  pricePerTib: number;
}

/** Never echoes the value: it holds a private key. */
function serviceAccountJson(raw: string): ServiceAccountKey {
  const name = 'GOOGLE_SERVICE_ACCOUNT_JSON';
  let key: unknown;
  try {
    key = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${name} must be a service-account key in JSON, and it is not JSON`);
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) {
    throw new ConfigError(`${name} must be a service-account key, a JSON object`);
  }
  const fields = key as Record<string, unknown>;
  if (fields.type !== undefined && fields.type !== 'service_account') {
    throw new ConfigError(`${name} must be a service-account key ("type": "service_account"), got type "${String(fields.type)}"`);
  }
  for (const field of ['client_email', 'private_key']) {
    if (typeof fields[field] !== 'string' || fields[field] === '') throw new ConfigError(`${name} must be a service-account key, and it has no ${field}`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(fields.private_key as string)) {
    throw new ConfigError(`${name}: its private_key is not a PEM private key`);
  }
  for (const field of ['project_id', 'private_key_id', 'token_uri']) {
    if (fields[field] !== undefined && typeof fields[field] !== 'string') throw new ConfigError(`${name}: its ${field} must be a string`);
  }
  if (fields.token_uri !== undefined && !isHttpUrl(fields.token_uri as string)) {
    throw new ConfigError(`${name}: its token_uri must be an http(s) URL`);
  }
  return key as ServiceAccountKey;
}

export function bigquery(env: Env): BigQueryConfig {
  const table = env.BIGQUERY_TABLE?.trim() || DEFAULT_BIGQUERY_TABLE;
  if (!isBigQueryTableName(table)) throw new ConfigError(`BIGQUERY_TABLE must be a table name as project.dataset.table, got "${env.BIGQUERY_TABLE}"`);
  const project = env.BIGQUERY_PROJECT?.trim() || null;
  if (project !== null && !/^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]*[a-z0-9]$/.test(project)) {
    throw new ConfigError(`BIGQUERY_PROJECT must be a Google Cloud project ID (lower-case letters, digits and hyphens), got "${env.BIGQUERY_PROJECT}"`);
  }
  const endpoint = env.BIGQUERY_API_ENDPOINT?.trim() || null;
  if (endpoint !== null && !isHttpUrl(endpoint)) throw new ConfigError(`BIGQUERY_API_ENDPOINT must be an http(s) URL, got "${env.BIGQUERY_API_ENDPOINT}"`);
  const price = env.BIGQUERY_PRICE_PER_TIB?.trim() || '6.25';
  if (!/^\d+(\.\d+)?$/.test(price)) throw new ConfigError(`BIGQUERY_PRICE_PER_TIB must be a number of US dollars such as 6.25, got "${env.BIGQUERY_PRICE_PER_TIB}"`);
  const json = env.GOOGLE_SERVICE_ACCOUNT_JSON?.trim();
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS?.trim();
  const credentials: BigQueryCredentials | null = json
    ? { kind: 'service-account-json', key: serviceAccountJson(json) }
    : keyFile
      ? { kind: 'key-file', path: keyFile }
      : null;
  return { table, project, credentials, apiEndpoint: endpoint?.replace(/\/+$/, '') ?? null, pricePerTib: Number(price) };
}
