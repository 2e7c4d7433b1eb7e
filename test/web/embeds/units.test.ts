/** How a badge writes its number and which colours it takes. */
import { describe, expect, it } from 'vitest';
import { isLight, parseColour } from '../../../src/web/embeds/colours.js';
import { formatDownloads } from '../../../src/web/embeds/units.js';
import { escapeXml } from '../../../src/web/embeds/xml.js';

describe('a badge number', () => {
  it('is written with SI prefixes, abbreviations, or whole, as the contract says', () => {
    expect(formatDownloads(3_456_789_012, 'international_system')).toBe('3.5G');
    expect(formatDownloads(1_234_567, 'international_system')).toBe('1.2M');
    expect(formatDownloads(5_600, 'international_system')).toBe('5.6k');
    expect(formatDownloads(3_456_789_012, 'abbreviation')).toBe('3.5B');
    expect(formatDownloads(5_600, 'abbreviation')).toBe('5.6K');
    expect(formatDownloads(3_456_789_012, 'none')).toBe('3456789012');
  });

  it('has at most three significant figures, and rolls over to the next unit rather than write 1000', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [999, '999'],
      [1_000, '1k'],
      [1_049, '1k'],
      [1_050, '1.1k'],
      [9_949, '9.9k'],
      [9_950, '10k'],
      [12_345, '12k'],
      [123_456, '123k'],
      [999_499, '999k'],
      [999_500, '1M'],
      [999_999, '1M'],
      [2 ** 53, '9P'],
    ];
    for (const [value, text] of cases) expect(formatDownloads(value, 'international_system'), String(value)).toBe(text);
    expect(formatDownloads(10 ** 21, 'abbreviation')).toBe('1000000Q');
  });
});

describe('a badge colour', () => {
  it('is CSS hex of 3, 4, 6 or 8 digits with or without #, or a CSS name, in any case', () => {
    expect(parseColour('#4C1')).toEqual({ css: '#4c1', rgb: [0x44, 0xcc, 0x11] });
    expect(parseColour('44cc1180')).toEqual({ css: '#44cc1180', rgb: [0x44, 0xcc, 0x11] });
    expect(parseColour('RebeccaPurple')).toEqual({ css: 'rebeccapurple', rgb: [102, 51, 153] });
    for (const bad of ['', '#', '#12', '#12345', '#1234567', 'ggg', 'red;', 'url(#x)', 'constructor', '__proto__', 'toString']) expect(parseColour(bad), bad).toBeNull();
  });

  it('gets dark text when light', () => {
    expect(isLight(parseColour('white')!)).toBe(true);
    expect(isLight(parseColour('#fc0')!)).toBe(true);
    expect(isLight(parseColour('#555')!)).toBe(false);
    expect(isLight(parseColour('#007ec6')!)).toBe(false);
  });
});

describe('text in an SVG', () => {
  it('is escaped, and loses the control characters XML cannot hold', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0000\u0007\t\n`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\t\n');
  });
});
