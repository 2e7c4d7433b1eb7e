/**
 * The country section's world map: its own bundle, fetched by the package page only when the
 * section is shown (it holds world-atlas's shapes and d3-geo). Countries are shaded by their
 * share of the downloads, the largest darkest. world-atlas keys countries by ISO 3166-1 numeric;
 * i18n-iso-countries (its code table only, no names) maps them to the alpha-2 codes PyPI logs.
 */
import { geoEqualEarth, geoPath } from 'd3-geo';
import countries from 'i18n-iso-countries';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlas from 'world-atlas/countries-110m.json' with { type: 'json' };
import type { CountryMap } from './breakdown-section.js';

const SVG = 'http://www.w3.org/2000/svg';
/** The map's own width:height, the projection fitted into it; CSS scales it to the section. */
const WIDTH = 960;
const HEIGHT = 500;
/** The palest and the darkest shade: a share between them is mixed in proportion. */
const PALEST = [219, 231, 243] as const;
const DARKEST = [8, 48, 107] as const;

const topology = atlas as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
const shapes = feature(topology, topology.objects.countries).features;
const projection = geoEqualEarth().fitSize([WIDTH, HEIGHT], { type: 'FeatureCollection', features: shapes });
const path = geoPath(projection);
/** Each shape's path and alpha-2 code, computed once for every section and redraw. */
const drawnShapes = shapes.map((shape) => ({
  code: shape.id === undefined ? undefined : countries.numericToAlpha2(String(shape.id)),
  name: shape.properties.name,
  d: path(shape) ?? '',
}));

function shade(fraction: number): string {
  const mix = PALEST.map((palest, i) => Math.round(palest + (DARKEST[i]! - palest) * fraction));
  return `rgb(${mix.join(', ')})`;
}

const map: CountryMap = {
  draw(container, shares) {
    const largest = Math.max(0, ...shares.values());
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'Share of downloads by country');
    for (const { code, name, d } of drawnShapes) {
      if (d === '') continue;
      const share = code ? shares.get(code) : undefined;
      const element = document.createElementNS(SVG, 'path');
      element.setAttribute('d', d);
      if (code) element.dataset.country = code;
      if (share !== undefined) {
        element.dataset.share = String(share);
        // Square root: a country with a tenth of the largest share still shows.
        element.setAttribute('fill', shade(largest > 0 ? Math.sqrt(share / largest) : 0));
      } else element.setAttribute('class', 'no-data');
      const title = document.createElementNS(SVG, 'title');
      title.textContent = share === undefined ? `${name}: no downloads` : `${name}: ${(share * 100).toFixed(1)} %`;
      element.append(title);
      svg.append(element);
    }
    container.replaceChildren(svg);
  },
};

window.pypistatsCountryMap = map;
