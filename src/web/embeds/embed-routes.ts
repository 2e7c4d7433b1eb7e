/**
 * What a README embeds: `/badge/<package>` (an SVG badge), `/chart/<package>.svg` (a chart) and
 * `/api/shields/<package>` (shields.io's endpoint-badge JSON). Answered from the response cache,
 * per data version with its ETag, an hour of `Cache-Control`. Not under the JSON API's rate limit
 * (a README viewed is no API client, and GitHub fetches every image of a README from the few
 * addresses of its image proxy), but under a limit of their own (EMBED_RATE_LIMIT_*) that a
 * flood meets. A late load never makes a badge an error: it shows the latest day loaded.
 *
 * Errors are the API's JSON (`{"error", "status"}`) but for the badge's own: a package without
 * data gets the grey "package not found" badge with 404, and a client over its limit a grey
 * badge saying so with 429, so a README shows something readable either way. The store
 * unavailable, a badge is a grey "unavailable" badge and a chart an SVG saying so, with 503,
 * Retry-After and `no-store`: an image, where the site's error page would show as a broken one.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { sendError, STORE_RETRY_AFTER_SECONDS, STORE_UNAVAILABLE_MESSAGE } from '../../api/errors.js';
import { queryRules } from '../../api/package-routes.js';
import type { ResponseCache } from '../../api/response-cache.js';
import { TAGS } from '../../api/schemas.js';
import { BADGE_PERIODS, BADGE_UNITS, type BadgePeriod, type BadgeUnits } from '../../domain/api-parameters.js';
import { addDays, dayNumber, type Day } from '../../domain/dates.js';
import { dimensions as registry, type Dimension } from '../../domain/dimensions.js';
import { ALL_PACKAGES, checkPackageName, describeNameProblem } from '../../domain/names.js';
import { clientKey } from '../../rate-limit/client-key.js';
import type { ClientRateLimiter } from '../../rate-limit/limiter.js';
import { describeWindow, setRateLimitHeaders, setRetryAfter } from '../../rate-limit/reply.js';
import { isStoreUnavailable, type Store } from '../../store/types.js';
import { DAY_LOOKBACKS, DEFAULT_LOOKBACK, lookbackDays, type Lookback } from '../chart-settings.js';
import { allTimeDownloads } from './all-time.js';
import { drawBadge } from './badge.js';
import { chartLines, chartSvg, messageChartSvg } from './chart-svg.js';
import { COLOUR_RULE, parseColour, type Colour } from './colours.js';
import { formatDownloads } from './units.js';

/** An hour: a README's badge may lag a load by that much, and its viewers' requests stay few. */
export const EMBED_MAX_AGE_SECONDS = 3600;
export const SVG_TYPE = 'image/svg+xml; charset=utf-8';

const DEFAULT_LABEL = 'downloads';
/** shields.io's blue, the colour of its download badges. */
const DEFAULT_MESSAGE_COLOUR = '#007ec6';
const DEFAULT_LABEL_COLOUR = '#555';
const GREY = '#9f9f9f';
/** A label of more is no badge: a README's line is about 800 pixels. */
const MAX_LABEL_LENGTH = 64;
/** The longest CSS colour name, `lightgoldenrodyellow`, is 20 characters. */
const MAX_COLOUR_LENGTH = 32;

const oneOf = (values: readonly string[], description: string) => Type.Unsafe<string>({ type: 'string', enum: [...values], description });
const periodParam = oneOf(BADGE_PERIODS, 'Downloads over the last day, 7 days, 30 days, or all time (default month).');
const unitsParam = oneOf(BADGE_UNITS, 'How the number is written: 3.4G, 1.2M, 5.6k / 3.4B, 1.2M, 5.6K / 3456789012 (default international_system).');
const mirrorsParam = oneOf(['true', 'false'], 'Whether mirror downloads count (default false).');
const colourParam = (side: string) => Type.String({ maxLength: MAX_COLOUR_LENGTH, description: `The ${side} side's colour: ${COLOUR_RULE}.` });

const badgeQuery = Type.Object({
  period: Type.Optional(periodParam),
  units: Type.Optional(unitsParam),
  mirrors: Type.Optional(mirrorsParam),
  left_text: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_LABEL_LENGTH, description: 'The label (default "downloads").' })),
  left_color: Type.Optional(colourParam('label')),
  right_color: Type.Optional(colourParam('number')),
});
const shieldsQuery = Type.Object({ period: Type.Optional(periodParam), units: Type.Optional(unitsParam), mirrors: Type.Optional(mirrorsParam) });
const chartQuery = (dimensions: readonly Dimension[]) =>
  Type.Object({
    dimension: Type.Optional(oneOf(dimensions.map((dimension) => dimension.name), 'The chart of the package page drawn (default overall).')),
    lookback: Type.Optional(oneOf(DAY_LOOKBACKS, `The latest days drawn, or every day kept (default ${DEFAULT_LOOKBACK}); the page's ranges of months are not drawn here.`)),
  });

const packageParams = Type.Object({ package: Type.String({ description: 'A PyPI project name, normalized as PEP 503 does.' }) });
const chartParams = Type.Object({ file: Type.String({ description: 'The package name followed by `.svg`.' }) });
const errorBody = Type.Object({ error: Type.String(), status: Type.Integer() });
const json = (schema: TSchema, description: string) => ({ description, content: { 'application/json': { schema } } });
const svg = (description: string) => ({ description, content: { 'image/svg+xml': { schema: Type.String() } } });
const shieldsBody = Type.Object({
  cacheSeconds: Type.Integer(),
  color: Type.String(),
  label: Type.String(),
  message: Type.String(),
  schemaVersion: Type.Literal(1),
});
const notModified = { description: 'Not modified: the ETag sent is current.', type: 'null' } as const;
const refusedJson = {
  400: json(errorBody, 'A bad parameter or package name.'),
  404: json(errorBody, 'A package without data, or a breakdown turned off on this server.'),
  429: json(errorBody, 'Too many requests from this address (EMBED_RATE_LIMIT_*).'),
};

type EmbedRequest = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string | undefined> }>;

/** The 400 of a failed schema check: JSON here too, though these paths are not under `/api/`. */
function refusedBySchema(request: FastifyRequest, reply: FastifyReply): FastifyReply | null {
  return request.validationError ? sendError(reply, 400, request.validationError.message) : null;
}

/** The downloads a badge shows, or null when the store has none of the package. */
export async function badgeDownloads(store: Store, name: string, period: BadgePeriod, mirrors: boolean): Promise<number | null> {
  if (period === 'total') {
    const total = await allTimeDownloads(store, name, { mirrors });
    return total === 0 && !(await store.hasPackage(name)) ? null : total;
  }
  const latest = await store.latestDay();
  if (latest === null) return null;
  const recent = await store.recent(name, latest, { mirrors });
  if (recent.lastMonth === 0 && !(await store.hasPackage(name))) return null;
  return { day: recent.lastDay, week: recent.lastWeek, month: recent.lastMonth }[period];
}

/** `1.2M/month`; all time is the number alone. */
export function badgeMessage(downloads: number, period: BadgePeriod, units: BadgeUnits): string {
  const count = formatDownloads(downloads, units);
  return period === 'total' ? count : `${count}/${period}`;
}

/** The defaults parsed once: a warm badge of the default colours then parses nothing before its cache hit. */
const DEFAULT_COLOURS = { label: parseColour(DEFAULT_LABEL_COLOUR)!, message: parseColour(DEFAULT_MESSAGE_COLOUR)!, grey: parseColour(GREY)! };

function colourOf(value: string | undefined, fallback: Colour): Colour | null {
  return value === undefined ? fallback : parseColour(value);
}

/** Limits each client's embeds in windows of their own; refused with `refuse` (a badge, or JSON). */
function limitEmbeds(limiter: ClientRateLimiter, refuse: (reply: FastifyReply, message: string) => FastifyReply): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const decision = await limiter.consume(clientKey(request.ip));
    setRateLimitHeaders(reply, decision, limiter.policy);
    if (decision.allowed) return;
    const retryAfter = setRetryAfter(reply, decision);
    return refuse(reply, `too many requests: this server sends ${describeWindow(decision.window, 'badges and charts')} to one address; retry in ${retryAfter} s`);
  };
}

function greyBadge(label: string, message: string): string {
  return drawBadge({ label, message, labelColour: DEFAULT_COLOURS.label, messageColour: DEFAULT_COLOURS.grey });
}

export interface EmbedRoutesOptions {
  store: Store;
  cache: ResponseCache;
  /** The dimensions on: a chart of one the registry has but this server does not answers 404. */
  dimensions: readonly Dimension[];
  retentionDays: number;
  /** Without it, embeds are not limited. */
  limiter?: ClientRateLimiter | undefined;
}

/** `/badge/<package>` and `/chart/<package>.svg`, at the site's root. */
export const embedRoutes: FastifyPluginAsync<EmbedRoutesOptions> = async (app, { store, cache, dimensions, retentionDays, limiter }) => {
  // A badge refused is still an image: the README shows why, the message is in the log.
  const refuseBadge = (reply: FastifyReply, message: string) => {
    reply.log.debug({ status: 429, reason: message }, 'client error');
    return reply.code(429).header('cache-control', 'no-store').type(SVG_TYPE).send(greyBadge(DEFAULT_LABEL, 'rate limited'));
  };
  const onRequest = limiter ? limitEmbeds(limiter, refuseBadge) : undefined;
  // Only this plugin's routes: any other error goes on to the app's handler.
  app.setErrorHandler((error, request, reply) => {
    if (!isStoreUnavailable(error)) throw error;
    request.log.warn(error.message);
    const body = request.url.startsWith('/badge/') ? greyBadge(DEFAULT_LABEL, 'unavailable') : messageChartSvg(STORE_UNAVAILABLE_MESSAGE);
    return reply.code(503).header('retry-after', String(STORE_RETRY_AFTER_SECONDS)).header('cache-control', 'no-store').type(SVG_TYPE).send(body);
  });
  const chartOnRequest = limiter ? limitEmbeds(limiter, (reply, message) => sendError(reply, 429, message)) : undefined;

  app.get(
    '/badge/:package',
    {
      ...queryRules('badge', badgeQuery, {
        summary: 'A badge of the downloads',
        description: 'An SVG badge in shields.io\'s flat style, cached an hour, with an accessible title; its texts are measured from Verdana\'s metrics, so they fit. A package without data gets a grey "package not found" badge with `404`.',
        tags: [TAGS.embeds],
        params: packageParams,
        response: { 200: svg('The badge.'), 304: notModified, 400: json(errorBody, 'A bad parameter or package name.'), 404: svg('The grey "package not found" badge.'), 429: svg('A grey "rate limited" badge (EMBED_RATE_LIMIT_*).'), 503: svg('A grey "unavailable" badge: the database is unavailable (Retry-After).') },
      }, new Set(['left_text'])),
      // The schema's 400 is answered by the handler, as JSON, though these paths are outside /api/.
      attachValidation: true,
      ...(onRequest ? { onRequest } : {}),
    },
    async (request: EmbedRequest, reply) => {
      const refused = refusedBySchema(request, reply);
      if (refused) return refused;
      const check = checkPackageName(request.params.package!);
      if (!check.ok) return sendError(reply, 400, describeNameProblem(check.reason));
      const { period = 'month', units = 'international_system', mirrors = 'false', left_text: label = DEFAULT_LABEL } = request.query as Record<string, string | undefined>;
      const labelColour = colourOf(request.query.left_color, DEFAULT_COLOURS.label);
      if (labelColour === null) return sendError(reply, 400, `left_color must be ${COLOUR_RULE}`);
      const messageColour = colourOf(request.query.right_color, DEFAULT_COLOURS.message);
      if (messageColour === null) return sendError(reply, 400, `right_color must be ${COLOUR_RULE}`);
      const key = JSON.stringify(['badge', check.name, period, units, mirrors, label, labelColour.css, messageColour.css]);
      return cache.send(
        request,
        reply,
        key,
        async () => {
          const downloads = await badgeDownloads(store, check.name, period as BadgePeriod, mirrors === 'true');
          if (downloads === null) return { status: 404, body: greyBadge(label, 'package not found'), type: SVG_TYPE };
          const message = badgeMessage(downloads, period as BadgePeriod, units as BadgeUnits);
          return { status: 200, body: drawBadge({ label, message, labelColour, messageColour }), type: SVG_TYPE };
        },
        { maxAgeSeconds: EMBED_MAX_AGE_SECONDS },
      );
    },
  );

  const enabled = new Map(dimensions.map((dimension) => [dimension.name, dimension]));
  // Every dimension of the registry is a value the schema takes: one turned off gets 404 saying so, not a 400.
  const query = chartQuery(registry);
  app.get(
    '/chart/:file',
    {
      ...queryRules('chart', query, {
        summary: 'A README chart',
        description: 'A package page\'s chart as a standalone SVG, 800×300, drawn on the server (no script, no font fetched), light or dark as the viewer\'s `prefers-color-scheme` says, with the package name and the range in it. The largest categories are drawn and the rest summed as "others", as the package page does.',
        tags: [TAGS.embeds],
        params: chartParams,
        response: { 200: svg('The chart, 800×300.'), 304: notModified, ...refusedJson, 503: svg('The chart\'s frame saying the database is unavailable (Retry-After).') },
      }),
      // The schema's 400 is answered by the handler, as JSON, though these paths are outside /api/.
      attachValidation: true,
      ...(chartOnRequest ? { onRequest: chartOnRequest } : {}),
    },
    async (request: EmbedRequest, reply) => {
      const refused = refusedBySchema(request, reply);
      if (refused) return refused;
      const file = request.params.file!;
      if (!file.endsWith('.svg')) return sendError(reply, 404, `a chart is /chart/<package>.svg, not /chart/${file}`);
      const check = checkPackageName(file.slice(0, -'.svg'.length));
      if (!check.ok) return sendError(reply, 400, describeNameProblem(check.reason));
      const { dimension: dimensionName = 'overall', lookback = DEFAULT_LOOKBACK } = request.query as Record<string, string | undefined>;
      const dimension = enabled.get(dimensionName);
      if (!dimension) return sendError(reply, 404, `the ${dimensionName} breakdown is turned off on this server`);
      const name = check.name;
      if (dimension.scope === 'package' && name === ALL_PACKAGES) {
        return sendError(reply, 404, `${ALL_PACKAGES} has no ${dimension.name} breakdown: a ${dimension.name} belongs to one package`);
      }
      const key = JSON.stringify(['chart', name, dimension.name, lookback]);
      return cache.send(
        request,
        reply,
        key,
        async () => {
          const range = await chartRange(store, lookback as Lookback, retentionDays);
          const missing = { status: 404 as const, error: `no downloads of package "${name}" are known` };
          if (range === null) return missing;
          const points = await store.series(name, dimension.name, range);
          if (points.length === 0 && !(await store.hasPackage(name))) return missing;
          const series = chartLines(dimension, points, range.start, range.end);
          return { status: 200, body: chartSvg({ packageName: name, dimension, start: range.start, end: range.end, series }), type: SVG_TYPE };
        },
        { maxAgeSeconds: EMBED_MAX_AGE_SECONDS },
      );
    },
  );
};

/**
 * The days a chart spans, as the package page's: the `lookback` latest days ending at the latest
 * loaded day, from the first day loaded within the retention window at the earliest.
 */
async function chartRange(store: Store, lookback: Lookback, retentionDays: number): Promise<{ start: Day; end: Day } | null> {
  const days = await store.loadedDays();
  const end = days.at(-1)?.day;
  const first = days[0]?.day;
  if (end === undefined || first === undefined) return null;
  const span = Math.min(lookbackDays(lookback), retentionDays);
  const earliest = addDays(end, -(span - 1));
  return { start: dayNumber(first) > dayNumber(earliest) ? first : earliest, end };
}

/** `/shields/<package>` under the API's root: shields.io's endpoint badge, `https://img.shields.io/endpoint?url=…`. */
export const shieldsRoutes: FastifyPluginAsync<Omit<EmbedRoutesOptions, 'dimensions' | 'retentionDays'>> = async (app, { store, cache, limiter }) => {
  const onRequest = limiter ? limitEmbeds(limiter, (reply, message) => sendError(reply, 429, message)) : undefined;
  app.get(
    '/shields/:package',
    {
      ...queryRules('shields', shieldsQuery, {
        summary: 'shields.io\'s endpoint badge',
        description: 'shields.io\'s endpoint-badge JSON, for `https://img.shields.io/endpoint?url=…`. Takes `period`, `units` and `mirrors` as the badge does.',
        tags: [TAGS.embeds],
        params: packageParams,
        response: { 200: json(shieldsBody, 'The badge, as shields.io draws it.'), 304: notModified, ...refusedJson },
      }),
      // The schema's 400 is answered by the handler, as JSON, though these paths are outside /api/.
      attachValidation: true,
      ...(onRequest ? { onRequest } : {}),
    },
    async (request: EmbedRequest, reply) => {
      const refused = refusedBySchema(request, reply);
      if (refused) return refused;
      const check = checkPackageName(request.params.package!);
      if (!check.ok) return sendError(reply, 400, describeNameProblem(check.reason));
      const { period = 'month', units = 'international_system', mirrors = 'false' } = request.query as Record<string, string | undefined>;
      const key = JSON.stringify(['shields', check.name, period, units, mirrors]);
      return cache.send(
        request,
        reply,
        key,
        async () => {
          const downloads = await badgeDownloads(store, check.name, period as BadgePeriod, mirrors === 'true');
          if (downloads === null) return { status: 404, error: `no downloads of package "${check.name}" are known` };
          const message = badgeMessage(downloads, period as BadgePeriod, units as BadgeUnits);
          // Keys in alphabetical order, as every answer of the API.
          const body = { cacheSeconds: EMBED_MAX_AGE_SECONDS, color: 'blue', label: DEFAULT_LABEL, message, schemaVersion: 1 };
          return { status: 200, body: JSON.stringify(body) };
        },
        { maxAgeSeconds: EMBED_MAX_AGE_SECONDS },
      );
    },
  );
};
