import { describe, expect, it } from 'vitest';
import { checkPackageName, normalizeName } from '../../src/domain/names.js';

describe('package names', () => {
  it('normalizes as PEP 503 does', () => {
    expect(normalizeName('Django_REST.framework')).toBe('django-rest-framework');
    expect(normalizeName('zope.interface')).toBe('zope-interface');
    expect(normalizeName('Foo__-..Bar')).toBe('foo-bar');
    expect(normalizeName('requests')).toBe('requests');
  });

  it('accepts valid names and returns them normalized; keeps __all__ as it is', () => {
    expect(checkPackageName('Flask_SQLAlchemy')).toEqual({ ok: true, name: 'flask-sqlalchemy' });
    expect(checkPackageName('a')).toEqual({ ok: true, name: 'a' });
    expect(checkPackageName('__all__')).toEqual({ ok: true, name: '__all__' });
    for (const spelling of ['__ALL__', '__All__', '__aLL__']) expect(checkPackageName(spelling)).toEqual({ ok: true, name: '__all__' });
    expect(checkPackageName('__all_')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses names PyPI could not have', () => {
    expect(checkPackageName('')).toEqual({ ok: false, reason: 'empty' });
    for (const name of ['-a', 'a-', '.a', 'a b', 'é', '../x', "a'b", '__all', '_all_', 'a/b']) {
      expect(checkPackageName(name)).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(checkPackageName('a'.repeat(129))).toEqual({ ok: false, reason: 'too_long' });
    expect(checkPackageName('a'.repeat(10_000))).toEqual({ ok: false, reason: 'too_long' });
    expect(checkPackageName('a'.repeat(128))).toEqual({ ok: true, name: 'a'.repeat(128) });
  });
});
