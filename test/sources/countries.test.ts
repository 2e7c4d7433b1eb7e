import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCountryLookup, shippedCountryDatabasePath } from '../../src/sources/countries.js';

const OPERATOR_DB = path.join(import.meta.dirname, '../support/country-db/operator-countries.mmdb');

describe('countries of client addresses', () => {
  it('come from the database npm ships, for known IPv4 and IPv6 addresses', () => {
    const shipped = openCountryLookup({ kind: 'shipped' });
    expect(shippedCountryDatabasePath()).toMatch(/@ip-location-db\/geo-whois-asn-country-mmdb\/geo-whois-asn-country\.mmdb$/);
    expect({
      google: shipped.countryOf('8.8.8.8'),
      ripe: shipped.countryOf('193.0.6.139'),
      tokyo: shipped.countryOf('133.11.0.1'),
      ripeV6: shipped.countryOf('2001:67c:2e8:22::c100:68b'),
      googleV6: shipped.countryOf('2001:4860:4860::8888'),
      bracketed: shipped.countryOf('[2001:67c:2e8:22::c100:68b]'),
    }).toEqual({ google: 'US', ripe: 'NL', tokyo: 'JP', ripeV6: 'NL', googleV6: 'US', bracketed: 'NL' });
  });

  it('are null, with the shipped database, for addresses that are not public unicast (it places some in countries), and for what is no address', () => {
    const shipped = openCountryLookup({ kind: 'shipped' });
    const addresses = ['10.0.0.1', '192.168.1.1', '203.0.113.5', '100.64.0.1', '127.0.0.1', '::1', 'fd00::1', '-', 'host.example.com', ''];
    expect(addresses.map((address) => shipped.countryOf(address))).toEqual(addresses.map(() => null));
  });

  it('come from the operator’s database given by path (GeoLite2’s country.iso_code), and from none when off', () => {
    const operator = openCountryLookup({ kind: 'file', path: OPERATOR_DB });
    expect(['192.0.2.7', '2001:db8::1', '8.8.8.8', '193.0.6.139'].map((address) => operator.countryOf(address))).toEqual(['FR', 'JP', 'CA', null]);
    expect(openCountryLookup({ kind: 'none' }).countryOf('8.8.8.8')).toBeNull();
  });

  it('refuses a file that is no MMDB, naming it', () => {
    expect(() => openCountryLookup({ kind: 'file', path: import.meta.filename })).toThrow(/cannot read the country database .*countries\.test\.ts/);
  });
});
