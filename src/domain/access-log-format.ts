/**
 * Web server access-log formats, as a regular expression DuckDB runs over each line (RE2), and
 * the unescaping of what the servers logged.
 *
 * A format is written the way the server's configuration writes it: nginx's `log_format`
 * (`$remote_addr - $remote_user [$time_local] "$request" $status …`) or Apache's `LogFormat`
 * (`%h %l %u %t \"%r\" %>s %b …`), or `combined` (the same line in both). The fields read are the
 * client address, the time, the request line (or its method and URI), the status and the
 * User-Agent; every other field is matched and left.
 */

/**
 * What a line gives the source: the request line whole (`GET /path HTTP/1.1`, split by the query:
 * no regex runs on it), or its method and target apart when the format logs them apart.
 */
export const LOG_FIELDS = ['client', 'time', 'request', 'method', 'target', 'status', 'user_agent'] as const;

export type TimeFormat = 'clf' | 'iso8601';

export interface LogFormat {
  /** What the operator gave: `combined`, or a format string. */
  readonly spec: string;
  /** RE2 syntax, anchored at the line's start: one group per field the format holds. */
  readonly pattern: string;
  /** The field each group holds, in the pattern's order (DuckDB's regexp_extract names groups by position). */
  readonly groups: readonly Field[];
  readonly timeFormat: TimeFormat;
}

export const COMBINED = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

/** A quoted field as nginx (`\x22`) and Apache (`\"`) escape it: no bare quote inside. */
const QUOTED = '(?:[^"\\\\]|\\\\.)*';
const UNQUOTED = '[^ ]*';
const CLF_TIME = '([0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4})';
const ISO_TIME = '([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.][0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2}))';

export type Field = (typeof LOG_FIELDS)[number];

type Token = { field: Field | 'time_iso' | null };

/** nginx variables and Apache directives, by what they hold. */
function fieldOf(name: string): Token['field'] {
  switch (name) {
    case '$remote_addr': case '$realip_remote_addr': case '%h': case '%a': case '%{c}a':
      return 'client';
    case '$time_local': case '%t':
      return 'time';
    case '$time_iso8601':
      return 'time_iso';
    case '$request': case '%r':
      return 'request';
    case '$request_method': case '%m':
      return 'method';
    case '$request_uri': case '%U':
      return 'target';
    case '$status': case '%s': case '%>s':
      return 'status';
    case '$http_user_agent':
      return 'user_agent';
    default:
      return /^%\{user-agent\}i$/i.test(name) ? 'user_agent' : null;
  }
}

const escapeRegex = (literal: string) => literal.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

export class LogFormatError extends Error {}

/** Compiles a format; throws LogFormatError naming what is missing or unknown. */
export function compileLogFormat(spec: string): LogFormat {
  const format = spec.trim() === 'combined' || spec.trim() === '' ? COMBINED : spec.trim();
  // Apache's configuration escapes the quotes of its format string; the log has plain ones.
  const source = format.replaceAll('\\"', '"');
  const token = /\$[a-z_0-9]+|%(?:\{[^}]*\})?[<>]?[a-zA-Z]/g;
  const groups: Field[] = [];
  let pattern = '^';
  let last = 0;
  let timeFormat: TimeFormat | null = null;
  for (const match of source.matchAll(token)) {
    const literal = source.slice(last, match.index);
    pattern += escapeRegex(literal);
    last = match.index + match[0].length;
    const quoted = literal.endsWith('"');
    const field = fieldOf(match[0]);
    const put = (name: Field) => {
      if (groups.includes(name)) throw new LogFormatError(`the log format holds the ${name} twice`);
      groups.push(name);
    };
    if (field === 'time' || field === 'time_iso') {
      if (timeFormat) throw new LogFormatError('the log format holds the time twice');
      timeFormat = field === 'time' ? 'clf' : 'iso8601';
      // Apache's %t brings its own brackets; nginx's [$time_local] has them in the format.
      const bracketed = match[0] === '%t';
      pattern += bracketed ? `\\[${CLF_TIME}\\]` : field === 'time' ? CLF_TIME : ISO_TIME;
      put('time');
    } else if (field === 'request') {
      // Quoted: a request line holds spaces. One group, no alternative: RE2 then takes the line
      // apart in one pass (an alternation here made it try both, several times slower).
      if (!quoted) throw new LogFormatError(`${match[0]} must be in quotes in the log format`);
      pattern += `(${QUOTED})`;
      put('request');
    } else if (field) {
      pattern += field === 'status' ? '([0-9]{3})' : `(${quoted ? QUOTED : UNQUOTED})`;
      put(field);
    } else {
      pattern += quoted ? QUOTED : UNQUOTED;
    }
  }
  pattern += escapeRegex(source.slice(last));
  const hasRequest = groups.includes('request') || (groups.includes('method') && groups.includes('target'));
  if (!hasRequest) throw new LogFormatError(`the log format must hold the request ($request, or $request_method and $request_uri): got ${JSON.stringify(spec)}`);
  for (const required of ['client', 'time', 'status'] as const) {
    if (!groups.includes(required)) throw new LogFormatError(`the log format must hold the ${required}: got ${JSON.stringify(spec)}`);
  }
  return { spec, pattern, groups, timeFormat: timeFormat! };
}

/**
 * A field as the server wrote it, unescaped: nginx writes `"`, `\\` and bytes outside printable
 * ASCII as `\xHH` (the bytes of UTF-8 text one by one); with `escape=json`, and Apache, `\"`,
 * `\\`, `\n`, `\t` and `\uHHHH`.
 */
export function unescapeLogged(logged: string): string {
  if (!logged.includes('\\')) return logged;
  // nginx's `\x22` is most of a pip User-Agent's escapes: replaced natively first. Safe unless a
  // backslash is escaped as `\\` (Apache), where `\\x22` is a backslash and then `x22`.
  const value = logged.includes('\\\\') ? logged : logged.replaceAll('\\x22', '"');
  if (!value.includes('\\')) return value;
  // A run of \xHH is decoded together: the bytes of one UTF-8 character come one after another.
  return value.replace(ESCAPE, (escape, hexRun: string | undefined, unicode: string | undefined, other: string | undefined) => {
    if (hexRun) {
      // One ASCII byte (nginx's \x22 for `"`, most of a pip User-Agent's escapes) needs no Buffer.
      const byte = escape.length === 4 ? parseInt(hexRun.slice(2), 16) : 0x80;
      return byte < 0x80 ? String.fromCharCode(byte) : Buffer.from(escape.replaceAll('\\x', ''), 'hex').toString('utf8');
    }
    if (unicode) return String.fromCharCode(parseInt(unicode, 16));
    return SIMPLE_ESCAPES[other!] ?? other!;
  });
}

const ESCAPE = /((?:\\x[0-9a-fA-F]{2})+)|\\u([0-9a-fA-F]{4})|\\(.)/gs;
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };
