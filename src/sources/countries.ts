/**
 * The country of a client address, from a database in MaxMind's open format (MMDB), read with
 * the `maxmind` package. Either the operator's own (GeoLite2 or GeoIP2 Country or City, or any
 * MMDB whose records hold `country.iso_code` or `country_code`) or, by default, the one npm ships
 * in `@ip-location-db/geo-whois-asn-country-mmdb` (see the README for its licence and age). The
 * file is read once, from disk: nothing is ever downloaded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ipaddr from 'ipaddr.js';
import { Reader, type Response } from 'maxmind';

import type { CountryDatabaseChoice } from '../domain/country-database.js';

export type { CountryDatabaseChoice };

export const SHIPPED_COUNTRY_DATABASE = '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb';

interface CountryRecord {
  country?: { iso_code?: unknown };
  registered_country?: { iso_code?: unknown };
  country_code?: unknown;
}

const ISO_CODE = /^[A-Za-z]{2}$/;

export interface CountryLookup {
  /** The ISO 3166-1 alpha-2 code, upper-case, or null (unknown address, private range, not an address). */
  countryOf(address: string): string | null;
}

export function shippedCountryDatabasePath(): string {
  return createRequire(import.meta.url).resolve(SHIPPED_COUNTRY_DATABASE);
}

/**
 * Whether an address is public unicast: the shipped database places some private and
 * documentation ranges in countries (192.168.0.0/16 in AU), so for it every other address has
 * none. An operator's own database is believed for every address: it may place its own offices'
 * private ranges.
 */
function isPublicUnicast(address: string): boolean {
  try {
    const parsed = ipaddr.process(address);
    return parsed.range() === 'unicast';
  } catch {
    return false;
  }
}

export function openCountryLookup(choice: CountryDatabaseChoice): CountryLookup {
  if (choice.kind === 'none') return { countryOf: () => null };
  const publicOnly = choice.kind === 'shipped';
  const path = choice.kind === 'file' ? choice.path : shippedCountryDatabasePath();
  let reader: Reader<Response>;
  try {
    reader = new Reader<Response>(readFileSync(path));
  } catch (error) {
    throw new Error(`cannot read the country database ${path}: ${(error as Error).message}`);
  }
  return {
    countryOf(logged) {
      const address = logged.startsWith('[') && logged.endsWith(']') ? logged.slice(1, -1) : logged;
      if (publicOnly && !isPublicUnicast(address)) return null;
      let found: CountryRecord | null;
      try {
        // The records' shape is the database's own: only the fields read here are assumed.
        found = reader.get(address) as CountryRecord | null;
      } catch {
        return null; // not an IP address (a host name, `-`)
      }
      const code = found?.country?.iso_code ?? found?.country_code ?? found?.registered_country?.iso_code;
      return typeof code === 'string' && ISO_CODE.test(code) ? code.toUpperCase() : null;
    },
  };
}
