import { describe, expect, it } from 'vitest';
import { canHoldWithExtra, extrasCompared, MarkerSyntaxError, parseMarker } from '../../src/domain/markers.js';

describe('environment markers', () => {
  it('parses comparisons with a variable or a string on either side', () => {
    expect(parseMarker(`"security" == extra`)).toEqual({
      kind: 'compare', left: { kind: 'string', value: 'security' }, operator: '==', right: { kind: 'variable', name: 'extra' },
    });
    expect(parseMarker(`python_version not in '3.0, 3.1'`)).toMatchObject({ operator: 'not in', right: { value: '3.0, 3.1' } });
  });

  it('binds and tighter than or, and parentheses tighter than both', () => {
    expect(parseMarker('extra == "a" or extra == "b" and os_name == "nt"')).toMatchObject({ kind: 'or', right: { kind: 'and' } });
    expect(parseMarker('(extra == "a" or extra == "b") and os_name == "nt"')).toMatchObject({ kind: 'and', left: { kind: 'or' } });
    expect(canHoldWithExtra(parseMarker('extra == "a" or extra == "b" and extra == "c"'), 'b')).toBe(false);
    expect(canHoldWithExtra(parseMarker('(extra == "a" or extra == "b") and os_name == "nt"'), 'b')).toBe(true);
  });

  it('lists the extras compared by == or ===, normalized, once each', () => {
    expect(extrasCompared(parseMarker(`extra == 'Use_Chardet' or "DOCS" === extra or extra == "use-chardet"`))).toEqual(['use-chardet', 'docs']);
    expect(extrasCompared(parseMarker('extra != "x" and python_version == "3.8"'))).toEqual([]);
  });

  it('holds with an extra when it may hold on some machine, comparing extra names normalized', () => {
    const marker = parseMarker(`python_version < "3.8" and extra == 'Test_Utils'`);
    expect(canHoldWithExtra(marker, 'test-utils')).toBe(true);
    expect(canHoldWithExtra(marker, 'test.utils')).toBe(true);
    expect(canHoldWithExtra(marker, '')).toBe(false);
    expect(canHoldWithExtra(parseMarker('extra > "a"'), '')).toBe(true);
  });

  it('refuses what is not a marker with a MarkerSyntaxError', () => {
    for (const text of ['', 'extra', 'extra ==', 'extra == "a" and', 'not_a_variable == "x"', 'extra == "a")', '"a" = "b"']) {
      expect(() => parseMarker(text), text).toThrow(MarkerSyntaxError);
    }
  });
});
