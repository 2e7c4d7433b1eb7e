/**
 * HTML escaped by construction. `html` is a tagged template: every interpolated value is escaped
 * unless it is itself `Html` (made by `html`, or by one of the few constructors below that each
 * guarantee safety for one context). A page cannot show a raw string by forgetting to escape it:
 * the only way to put unescaped text in a page is `Html`, and nothing makes `Html` from a string
 * without escaping it.
 */

const HTML = Symbol('html');

export interface Html {
  readonly [HTML]: string;
}

/** What a template accepts: text (escaped), numbers, markup, lists of them, or nothing. */
export type Interpolation = Html | string | number | null | undefined | false | readonly Interpolation[];

function markup(text: string): Html {
  return { [HTML]: text };
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && HTML in value;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escaped for text and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (isHtml(value)) return value[HTML];
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return markup(out);
}

export function toHtmlString(value: Html): string {
  return value[HTML];
}

/** Text with its backticked spans shown as code (the registry's prose), escaped first. */
export function codeSpans(text: string): Html {
  return markup(escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>'));
}

/**
 * A link target that cannot run script: http(s) URLs from elsewhere (PyPI metadata holds URLs of
 * any scheme, `javascript:` included), or null. Paths of this site are written in templates.
 */
export function externalUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * A value as JSON inside `<script type="application/json">`: `<` is written `\u003c`, so no
 * string in it can close the script element or open a comment.
 */
export function jsonScript(id: string, value: unknown): Html {
  const json = JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return markup(`<script type="application/json" id="${escapeHtml(id)}">${json}</script>`);
}
