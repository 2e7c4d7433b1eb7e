/**
 * The colours a badge takes (`left_color`, `right_color`): CSS hex (`#4c1`, `4c1`, `#44cc11`, with
 * alpha `#44cc1180`; the `#` may be left out, as shields.io allows, since it must be written
 * `%23` in a URL) or a CSS colour name (`steelblue`), in any case.
 */
import cssColours from 'color-name';

const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/** A colour as the SVG writes it, and its red, green and blue (0-255), to pick a legible text colour. */
export interface Colour {
  css: string;
  rgb: readonly [number, number, number];
}

/** What a bad colour parameter is told. */
export const COLOUR_RULE = 'a CSS hex colour (#4c1, 4c1, #44cc11) or a CSS colour name (steelblue)';

/** The colour `value` names, or null when it names none. */
export function parseColour(value: string): Colour | null {
  const lowered = value.toLowerCase();
  const named = Object.hasOwn(cssColours, lowered) ? cssColours[lowered] : undefined;
  if (named) return { css: lowered, rgb: named };
  const hex = HEX.exec(lowered)?.[1];
  if (hex === undefined) return null;
  const full = hex.length <= 4 ? [...hex].map((digit) => digit + digit).join('') : hex;
  const channel = (i: number) => Number.parseInt(full.slice(i * 2, i * 2 + 2), 16);
  return { css: `#${hex}`, rgb: [channel(0), channel(1), channel(2)] };
}

/**
 * Whether dark text reads better than white on `colour`: its perceived brightness (ITU-R BT.601
 * weights, as shields.io's badge-maker uses) above the threshold badge-maker picked.
 */
export function isLight({ rgb: [red, green, blue] }: Colour): boolean {
  return (red * 299 + green * 587 + blue * 114) / 255_000 >= 0.69;
}
