/**
 * Where the access-log source finds the country of a client address: the database npm ships (see
 * src/sources/countries.ts), the operator's own MMDB file, or none (every country `null`). Here,
 * below config and sources, because the configuration checks COUNTRY_DATABASE and the source reads it.
 */
export type CountryDatabaseChoice = { kind: 'shipped' } | { kind: 'file'; path: string } | { kind: 'none' };
