/**
 * The BigQuery table of raw download events, and what a name of one may be. Here, below config and
 * sources, because the configuration checks BIGQUERY_TABLE and the BigQuery query quotes it.
 */
export const DEFAULT_BIGQUERY_TABLE = 'bigquery-public-data.pypi.file_downloads';

/** `project.dataset.table`, as BigQuery spells table names; nothing that could end the quoting. */
const TABLE_NAME = /^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]*[.][A-Za-z0-9_]+[.][A-Za-z0-9_-]+$/;

export function isBigQueryTableName(name: string): boolean {
  return TABLE_NAME.test(name);
}
