/**
 * An answer of PyPI's JSON API (`/pypi/<name>/json`) read into what the package page shows. Only
 * `info` is read. An answer without an `info` object naming the project is no answer; any other
 * field of the wrong type counts as absent. Text comes out as plain strings (the page escapes it),
 * and the only URLs that come out are http(s) ones.
 */
import type { PackageMetadata } from '../domain/package-metadata.js';
import { dependencies } from '../domain/requirements.js';

type Json = Record<string, unknown>;

/** Longest license text shown as it is; longer ones are pasted license files. */
const SHORT_LICENSE = 100;

/** `project_urls` keys (lowercase, letters only) that name a home page, best first. */
const HOME_PAGE_KEYS = ['homepage', 'home', 'source', 'sourcecode', 'repository', 'code', 'github'];

export function metadataFromProjectJson(body: unknown, projectPageFallback: string): PackageMetadata | null {
  if (!isObject(body) || !isObject(body.info)) return null;
  const info = body.info;
  const name = text(info.name);
  if (name === null) return null;
  const requiresDist = Array.isArray(info.requires_dist) ? info.requires_dist.filter((entry) => typeof entry === 'string') : [];
  const { required, optional } = dependencies(requiresDist);
  return {
    name,
    summary: oneLine(text(info.summary)),
    latestVersion: text(info.version),
    homePage: homePage(info),
    license: license(info),
    author: author(info),
    pypiUrl: httpUrl(info.package_url) ?? httpUrl(info.project_url) ?? projectPageFallback,
    required,
    optional,
  };
}

/** `home_page`, else the first of `project_urls` Homepage, Home, Source, Repository, Code…; http(s) only. */
function homePage(info: Json): string | null {
  const declared = httpUrl(info.home_page);
  if (declared) return declared;
  if (!isObject(info.project_urls)) return null;
  const byKey = new Map<string, unknown>();
  for (const [label, url] of Object.entries(info.project_urls)) {
    const key = label.toLowerCase().replace(/[^a-z]/g, '');
    if (!byKey.has(key)) byKey.set(key, url);
  }
  for (const key of HOME_PAGE_KEYS) {
    const url = httpUrl(byKey.get(key));
    if (url) return url;
  }
  return null;
}

/**
 * `license_expression` (SPDX, PEP 639); else a short `license`; else the License classifiers; else
 * the first line of a pasted license text, cut to length.
 */
function license(info: Json): string | null {
  const expression = oneLine(text(info.license_expression));
  if (expression) return expression;
  const declared = text(info.license);
  if (declared && !declared.includes('\n') && declared.length <= SHORT_LICENSE) return oneLine(declared);
  const classified = licenseFromClassifiers(info.classifiers);
  if (classified) return classified;
  if (!declared) return null;
  const firstLine = oneLine(declared.split('\n').find((line) => line.trim() !== '') ?? '')!;
  return firstLine.length <= SHORT_LICENSE ? firstLine : `${firstLine.slice(0, SHORT_LICENSE - 1).trimEnd()}…`;
}

/** `License :: OSI Approved :: MIT License` → `MIT License`; several are joined with commas. */
function licenseFromClassifiers(classifiers: unknown): string | null {
  if (!Array.isArray(classifiers)) return null;
  const names = classifiers
    .filter((classifier): classifier is string => typeof classifier === 'string' && classifier.startsWith('License ::'))
    .map((classifier) => classifier.split('::').at(-1)!.trim())
    .filter((name) => name !== '' && name !== 'OSI Approved');
  return names.length === 0 ? null : [...new Set(names)].join(', ');
}

/** `author`; else the names in `author_email`; else `maintainer`; else the names in `maintainer_email`. */
function author(info: Json): string | null {
  return oneLine(text(info.author) ?? namesInAddresses(info.author_email) ?? text(info.maintainer) ?? namesInAddresses(info.maintainer_email));
}

/**
 * Display names in an address list as core metadata writes it (`A <a@x>, "B, Jr." <b@x>`); bare
 * addresses have none, and none are shown.
 */
function namesInAddresses(value: unknown): string | null {
  const list = text(value);
  if (list === null) return null;
  const names: string[] = [];
  for (const address of splitAddresses(list)) {
    const display = /^(.*?)\s*<[^<>]*>$/.exec(address)?.[1]?.trim();
    if (!display) continue;
    const name = display.startsWith('"') && display.endsWith('"') && display.length >= 2
      ? display.slice(1, -1).replace(/\\(.)/g, '$1').trim()
      : display;
    if (name !== '') names.push(name);
  }
  return names.length === 0 ? null : names.join(', ');
}

/** Splits on the commas outside quotes and angle brackets. */
function splitAddresses(list: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let bracketed = false;
  for (let at = 0; at < list.length; at += 1) {
    const char = list[at]!;
    if (quoted && char === '\\') {
      current += char + (list[at + 1] ?? '');
      at += 1;
      continue;
    }
    if (char === '"' && !bracketed) quoted = !quoted;
    else if (char === '<' && !quoted) bracketed = true;
    else if (char === '>' && !quoted) bracketed = false;
    else if (char === ',' && !quoted && !bracketed) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

/** An absolute http(s) URL, normalized by the URL parser; anything else (`javascript:`, `UNKNOWN`) is null. */
function httpUrl(value: unknown): string | null {
  const candidate = text(value);
  if (candidate === null) return null;
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A non-empty string; `UNKNOWN` is what old setuptools wrote for nothing. */
function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === 'UNKNOWN' ? null : trimmed;
}

function oneLine(value: string | null): string | null {
  return value === null ? null : value.replace(/\s+/g, ' ');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
