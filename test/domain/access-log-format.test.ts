import { describe, expect, it } from 'vitest';
import { COMBINED, compileLogFormat, LogFormatError, unescapeLogged } from '../../src/domain/access-log-format.js';

/** The line matched as DuckDB will (RE2's syntax here is also JavaScript's), groups by field. */
function fields(spec: string, line: string): Record<string, string> | null {
  const format = compileLogFormat(spec);
  const match = new RegExp(format.pattern).exec(line);
  return match ? Object.fromEntries(format.groups.map((field, i) => [field, match[i + 1] ?? ''])) : null;
}

describe('compileLogFormat', () => {
  it('reads nginx’s and Apache’s combined lines', () => {
    expect(fields('combined', '203.0.113.9 - alice [20/Nov/2026:13:45:12 +0100] "GET /packages/foo-1.0.tar.gz HTTP/1.1" 200 1234 "-" "pip/24.0 {\\x22ci\\x22:null}"')).toEqual({
      client: '203.0.113.9',
      time: '20/Nov/2026:13:45:12 +0100',
      request: 'GET /packages/foo-1.0.tar.gz HTTP/1.1',
      status: '200',
      user_agent: 'pip/24.0 {\\x22ci\\x22:null}',
    });
    // Apache escapes a quote as \" : the field still ends at the right quote.
    expect(fields('combined', '::1 - - [20/Nov/2026:13:45:12 +0000] "GET /a.whl HTTP/1.1" 404 0 "http://x/\\"q\\"" "curl/8.5.0 \\"x\\""')?.user_agent).toBe('curl/8.5.0 \\"x\\"');
  });

  it('takes a request line that is no request as it is (the source finds no GET in it)', () => {
    expect(fields(COMBINED, '198.51.100.1 - - [20/Nov/2026:13:45:12 +0000] "\\x16\\x03\\x01\\x00" 400 157 "-" "-"')).toMatchObject({ request: '\\x16\\x03\\x01\\x00', status: '400' });
  });

  it('compiles an nginx log_format of its own, with $time_iso8601 and the request in parts', () => {
    const spec = '$time_iso8601 $remote_addr "$request_method" "$request_uri" $status $request_time "$http_user_agent" $upstream_cache_status';
    expect(fields(spec, '2026-11-20T13:45:12+00:00 2001:db8::1 "GET" "/x/foo-1.0-py3-none-any.whl" 200 0.004 "uv/0.5.11 {}" HIT')).toEqual({
      time: '2026-11-20T13:45:12+00:00',
      client: '2001:db8::1',
      method: 'GET',
      target: '/x/foo-1.0-py3-none-any.whl',
      status: '200',
      user_agent: 'uv/0.5.11 {}',
    });
    expect(compileLogFormat(spec).timeFormat).toBe('iso8601');
  });

  it('compiles an Apache LogFormat as the configuration writes it', () => {
    const spec = '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"';
    expect(fields(spec, '192.0.2.1 - - [20/Nov/2026:13:45:12 -0500] "GET /f-1.0.zip HTTP/1.0" 200 5 "-" "python-requests/2.31.0"')).toEqual({
      client: '192.0.2.1',
      time: '20/Nov/2026:13:45:12 -0500',
      request: 'GET /f-1.0.zip HTTP/1.0',
      status: '200',
      user_agent: 'python-requests/2.31.0',
    });
  });

  it('refuses a format without what a download needs, saying what is missing', () => {
    expect(() => compileLogFormat('$remote_addr [$time_local] $status')).toThrow(LogFormatError);
    expect(() => compileLogFormat('$remote_addr [$time_local] $status')).toThrow(/must hold the request/);
    expect(() => compileLogFormat('$remote_addr "$request" $status')).toThrow(/must hold the time/);
    expect(() => compileLogFormat('$remote_addr [$time_local] $request $status')).toThrow(/must be in quotes/);
  });
});

describe('unescapeLogged', () => {
  it('undoes nginx’s \\xHH, UTF-8 bytes included, and Apache’s and escape=json’s backslashes', () => {
    expect(unescapeLogged('pip/24.0 {\\x22ci\\x22:null}')).toBe('pip/24.0 {"ci":null}');
    expect(unescapeLogged('caf\\xC3\\xA9')).toBe('café');
    expect(unescapeLogged('a \\"b\\" \\\\ c\\u00e9')).toBe('a "b" \\ cé');
    expect(unescapeLogged('plain')).toBe('plain');
    // Apache's escaped backslash before `x22`: a backslash, then the text x22, not a quote.
    expect(unescapeLogged('a\\\\x22 \\"')).toBe('a\\x22 "');
    expect(unescapeLogged('\\x5C\\x22')).toBe('\\"');
  });
});
