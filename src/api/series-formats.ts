/**
 * The representations of a time series: the seed's JSON (the default), or CSV (`format=csv`, or
 * `Accept: text/csv` without `format`): `text/csv; charset=utf-8`, a header line
 * `category,date,downloads`, the rows in the JSON's order (category in the dimension's order,
 * then date), quoted as RFC 4180 says. Every time-series endpoint answers through `seriesAnswer`.
 */
import type { FastifyRequest } from 'fastify';
import type { Dimension } from '../domain/dimensions.js';
import type { SeriesPoint } from '../store/types.js';
import { seriesBody } from './responses.js';

export const SERIES_FORMATS = ['json', 'csv'] as const;
export type SeriesFormat = (typeof SERIES_FORMATS)[number];

export const CSV_TYPE = 'text/csv; charset=utf-8';
const CSV_HEADER = 'category,date,downloads';
/** RFC 4180 ends every record, the last included, with CRLF. */
const CRLF = '\r\n';

/** The weight (`q`) an Accept header gives a media type, and whether it named it or only matched it by a wildcard. */
function acceptance(header: string, type: string): { q: number; named: boolean } {
  const [major] = type.split('/');
  let best = { q: 0, named: false, specificity: -1 };
  for (const entry of header.split(',')) {
    const [range = '', ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity < best.specificity || specificity < 0) continue;
    const qParameter = parameters.find((parameter) => parameter.startsWith('q='));
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2));
    best = { q: Number.isFinite(q) ? q : 0, named: specificity === 2, specificity };
  }
  return { q: best.q, named: best.named };
}

/**
 * What a request asks for: `format` when given (the schema allows json and csv only), else CSV
 * when its Accept header prefers `text/csv` to JSON: it names text/csv and weighs JSON less, or
 * reaches JSON only through a wildcard (`text/csv, *\/*`). Anything else, no Accept header
 * included, gets the seed's JSON.
 */
export function seriesFormat(request: FastifyRequest, format: string | undefined): SeriesFormat {
  if (format !== undefined) return format as SeriesFormat;
  const header = request.headers.accept;
  if (!header) return 'json';
  const csv = acceptance(header, 'text/csv');
  if (!csv.named || csv.q <= 0) return 'json';
  const json = acceptance(header, 'application/json');
  return csv.q > json.q || (csv.q === json.q && !json.named) ? 'csv' : 'json';
}

/** A field as RFC 4180 writes it: quoted, its quotes doubled, when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Rows in the order seriesBody writes them: by category in the dimension's order, then by day. */
export function seriesCsv(dimension: Dimension, points: readonly SeriesPoint[]): string {
  const ordered = [...points].sort((a, b) => dimension.compareCategories(a.category, b.category) || (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  let text = CSV_HEADER + CRLF;
  let category: string | null = null;
  let field = '';
  for (const point of ordered) {
    if (point.category !== category) {
      category = point.category;
      field = csvField(category);
    }
    text += `${field},${point.day},${point.downloads}${CRLF}`;
  }
  return text;
}

/** A time series' 200 in the format asked for. */
export function seriesAnswer(format: SeriesFormat, packageName: string, dimension: Dimension, points: SeriesPoint[]): { status: 200; body: string | Buffer; type?: string } {
  if (format === 'csv') return { status: 200, body: seriesCsv(dimension, points), type: CSV_TYPE };
  return { status: 200, body: seriesBody(packageName, dimension, points) };
}
