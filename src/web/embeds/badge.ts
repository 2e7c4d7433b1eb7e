/**
 * A badge in shields.io's flat style, drawn as badge-maker draws it: two rectangles, a label and
 * a message in 11px Verdana (with the fonts a browser has in its place), each text's width
 * measured from Verdana's metrics (anafanafo, the table shields.io measures with) and written as
 * its `textLength`, so the text drawn is exactly as wide as the box computed for it, whatever font
 * the viewer falls back to: `1.2M/month` never overflows. Text is set at 10× and scaled by 0.1, as
 * badge-maker does, so glyphs are placed to a tenth of a pixel.
 */
import measure from 'anafanafo';
import { isLight, type Colour } from './colours.js';
import { escapeXml } from './xml.js';

export const BADGE_HEIGHT = 20;
/** Space left and right of each text, in pixels (badge-maker's). */
const PADDING = 5;
const FONT = '11px Verdana';
const FONT_FAMILY = 'Verdana,Geneva,DejaVu Sans,sans-serif';

export interface BadgeParts {
  label: string;
  message: string;
  labelColour: Colour;
  messageColour: Colour;
}

/** The width of `text` in 11px Verdana, in whole pixels (rounded up, so it never falls short). */
export function textWidth(text: string): number {
  // `guess`: a character outside the table (CJK, emoji) counts as an "m", not as nothing.
  return Math.ceil(measure(text, { font: FONT, guess: true }));
}

function textColours(background: Colour): { fill: string; shadow: string } {
  return isLight(background) ? { fill: '#333', shadow: '#ccc' } : { fill: '#fff', shadow: '#010101' };
}

function text(content: string, centre: number, width: number, background: Colour): string {
  const { fill, shadow } = textColours(background);
  const x = centre * 10;
  const length = width * 10;
  return (
    `<text aria-hidden="true" x="${x}" y="150" fill="${shadow}" fill-opacity=".3" transform="scale(.1)" textLength="${length}">${content}</text>` +
    `<text x="${x}" y="140" transform="scale(.1)" fill="${fill}" textLength="${length}">${content}</text>`
  );
}

/** The badge's SVG: each box its text's measured width and 5 px each side. */
export function drawBadge({ label, message, labelColour, messageColour }: BadgeParts): string {
  const labelTextWidth = textWidth(label);
  const messageTextWidth = textWidth(message);
  const labelWidth = labelTextWidth + 2 * PADDING;
  const messageWidth = messageTextWidth + 2 * PADDING;
  const width = labelWidth + messageWidth;
  const title = escapeXml(`${label}: ${message}`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${BADGE_HEIGHT}" role="img" aria-label="${title}">` +
    `<title>${title}</title>` +
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r"><rect width="${width}" height="${BADGE_HEIGHT}" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)"><rect width="${labelWidth}" height="${BADGE_HEIGHT}" fill="${labelColour.css}"/>` +
    `<rect x="${labelWidth}" width="${messageWidth}" height="${BADGE_HEIGHT}" fill="${messageColour.css}"/>` +
    `<rect width="${width}" height="${BADGE_HEIGHT}" fill="url(#s)"/></g>` +
    `<g fill="#fff" text-anchor="middle" font-family="${FONT_FAMILY}" text-rendering="geometricPrecision" font-size="110">` +
    text(escapeXml(label), labelWidth / 2, labelTextWidth, labelColour) +
    text(escapeXml(message), labelWidth + messageWidth / 2, messageTextWidth, messageColour) +
    `</g></svg>`
  );
}
