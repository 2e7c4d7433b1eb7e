/** A small line chart of a series, drawn on the server as inline SVG: no script, nothing to fetch. */
import { html, type Html } from './html.js';

const WIDTH = 120;
const HEIGHT = 28;
/** Room for the line's width at the top and bottom, so a peak is not cut. */
const PAD = 2;

/** `values` oldest first; an empty or all-zero series draws a flat line at the bottom. */
export function sparkline(values: readonly number[], label: string): Html {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? WIDTH / (values.length - 1) : 0;
  const points = (values.length > 0 ? values : [0, 0])
    .map((value, i) => `${(i * (values.length > 1 ? step : WIDTH)).toFixed(1)},${(HEIGHT - PAD - (value / max) * (HEIGHT - 2 * PAD)).toFixed(1)}`)
    .join(' ');
  return html`<svg class="sparkline" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${label}"><polyline points="${points}" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/></svg>`;
}
