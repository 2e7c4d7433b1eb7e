/**
 * Advisory locks are database-wide, so their keys include the schema: deployments (and test runs)
 * in different schemas of one database never wait on each other.
 */
export const ADVISORY_KEY_SQL = (nameParam: string) => `hashtextextended(coalesce(current_schema(), '') || '/' || ${nameParam}, 0)`;
