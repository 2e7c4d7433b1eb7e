import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const OPERATOR_DB = path.join(import.meta.dirname, '../support/country-db/operator-countries.mmdb');

describe('access-log configuration', () => {
  it('schedules loads from access logs, which need LOAD_INPUT', () => {
    expect(loadConfig({ LOAD_SOURCE: 'access-log', LOAD_INPUT: '/var/log/nginx/access.log*' }).load).toMatchObject({ source: 'access-log', inputs: ['/var/log/nginx/access.log*'] });
    expect(() => loadConfig({ LOAD_SOURCE: 'access-log' })).toThrow(/LOAD_INPUT must name the access logs/);
    expect(() => loadConfig({ LOAD_SOURCE: 'logs' })).toThrow(/none, files, bigquery or access-log/);
  });

  it('takes a format of the server’s own, and refuses one without the request, naming the variable', () => {
    const format = '$remote_addr [$time_local] "$request" $status "$http_user_agent"';
    expect(loadConfig({ ACCESS_LOG_FORMAT: format }).accessLog.format).toBe(format);
    expect(() => loadConfig({ ACCESS_LOG_FORMAT: '$remote_addr [$time_local] $status' })).toThrow(ConfigError);
    expect(() => loadConfig({ ACCESS_LOG_FORMAT: '$remote_addr [$time_local] $status' })).toThrow(/^ACCESS_LOG_FORMAT: the log format must hold the request/);
  });

  it('counts 304s when told, and takes the country database by path, or none', () => {
    expect(loadConfig({ ACCESS_LOG_COUNT_NOT_MODIFIED: 'on' }).accessLog.countNotModified).toBe(true);
    expect(() => loadConfig({ ACCESS_LOG_COUNT_NOT_MODIFIED: 'maybe' })).toThrow(/ACCESS_LOG_COUNT_NOT_MODIFIED must be on or off/);
    expect(loadConfig({ COUNTRY_DATABASE: OPERATOR_DB }).accessLog.countries).toEqual({ kind: 'file', path: OPERATOR_DB });
    expect(loadConfig({ COUNTRY_DATABASE: 'OFF' }).accessLog.countries).toEqual({ kind: 'none' });
    expect(() => loadConfig({ COUNTRY_DATABASE: '/nowhere/GeoLite2-Country.mmdb' })).toThrow(/COUNTRY_DATABASE names no file/);
  });

  it('names the index, and refuses a name that could not be shown', () => {
    expect(loadConfig({ INDEX_NAME: ' packages.example.com ' }).indexName).toBe('packages.example.com');
    expect(loadConfig({ INDEX_NAME: '' }).indexName).toBeNull();
    expect(() => loadConfig({ INDEX_NAME: 'a\nb' })).toThrow(/INDEX_NAME must be/);
    expect(() => loadConfig({ INDEX_NAME: 'x'.repeat(254) })).toThrow(/INDEX_NAME must be/);
  });
});
