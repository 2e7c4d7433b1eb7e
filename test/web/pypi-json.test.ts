import { describe, expect, it } from 'vitest';
import { metadataFromProjectJson } from '../../src/web/pypi-json.js';

const FALLBACK = 'https://pypi.org/project/example/';

/** A JSON API answer whose `info` holds only `fields` beside a name. */
function read(fields: Record<string, unknown>) {
  return metadataFromProjectJson({ info: { name: 'Example', version: '1.0', ...fields }, releases: {}, urls: [] }, FALLBACK);
}

describe('reading a PyPI JSON API answer', () => {
  it('is null without an info object naming the project', () => {
    for (const body of [null, 'text', 42, [], {}, { info: null }, { info: [] }, { info: 'requests' }, { info: {} }, { info: { name: '' } }, { info: { name: 7 } }]) {
      expect(metadataFromProjectJson(body, FALLBACK), JSON.stringify(body)).toBeNull();
    }
  });

  it('takes the rest as absent when it has the wrong type', () => {
    expect(read({ summary: 42, version: ['1'], home_page: {}, license: false, author: 1, requires_dist: 'requests', classifiers: 'x', project_urls: [] })).toEqual({
      name: 'Example', summary: null, latestVersion: null, homePage: null, license: null, author: null,
      pypiUrl: FALLBACK, required: [], optional: [],
    });
    expect(read({ requires_dist: ['six', 3, null, 'idna'] })!.required.map((r) => r.name)).toEqual(['six', 'idna']);
    expect(read({ requires_dist: null })).toMatchObject({ required: [], optional: [] });
  });

  it('keeps text as plain strings, trimmed and on one line; empty and UNKNOWN are absent', () => {
    expect(read({ summary: '  <b>Fast</b>\n  & "small"  ' })!.summary).toBe('<b>Fast</b> & "small"');
    expect(read({ summary: '', version: ' ' })).toMatchObject({ summary: null, latestVersion: null });
    expect(read({ summary: 'UNKNOWN' })!.summary).toBeNull();
  });

  describe('home page', () => {
    it('is home_page, else project_urls Homepage or Home, else Source, Repository or Code', () => {
      expect(read({ home_page: 'https://example.org', project_urls: { Homepage: 'https://other.org' } })!.homePage).toBe('https://example.org/');
      expect(read({ home_page: '', project_urls: { Documentation: 'https://docs.example.org', Homepage: 'https://example.org/x' } })!.homePage).toBe('https://example.org/x');
      expect(read({ project_urls: { 'Home Page': 'http://example.org' } })!.homePage).toBe('http://example.org/');
      expect(read({ project_urls: { Tracker: 'https://t.example', 'Source Code': 'https://github.com/e/x' } })!.homePage).toBe('https://github.com/e/x');
      expect(read({ project_urls: { Documentation: 'https://docs.example.org' } })!.homePage).toBeNull();
    });

    it('is only ever an http(s) URL: javascript:, data:, relative and UNKNOWN are dropped', () => {
      for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', '//evil.example', '/relative', 'UNKNOWN', 'not a url']) {
        expect(read({ home_page: bad, project_urls: { Homepage: bad, Source: bad } })!.homePage, bad).toBeNull();
      }
      expect(read({ home_page: 'javascript:alert(1)', project_urls: { Homepage: 'https://safe.example' } })!.homePage).toBe('https://safe.example/');
    });
  });

  describe('license', () => {
    const mitClassifier = ['Programming Language :: Python', 'License :: OSI Approved :: MIT License'];

    it('is license_expression first, then a short license', () => {
      expect(read({ license_expression: 'Apache-2.0 OR MIT', license: 'MIT', classifiers: mitClassifier })!.license).toBe('Apache-2.0 OR MIT');
      expect(read({ license: 'Apache License 2.0', classifiers: ['License :: OSI Approved :: Apache Software License'] })!.license).toBe('Apache License 2.0');
    });

    it('is the License classifier when the license field is missing or a pasted license text', () => {
      expect(read({ license: null, classifiers: mitClassifier })!.license).toBe('MIT License');
      const pasted = 'MIT License\n\nCopyright (c) 2023 José Ramón\n\nPermission is hereby granted, free of charge, …';
      expect(read({ license: pasted, classifiers: mitClassifier })!.license).toBe('MIT License');
      expect(read({ classifiers: ['License :: OSI Approved', 'License :: OSI Approved :: BSD License', 'License :: Public Domain'] })!.license).toBe('BSD License, Public Domain');
    });

    it('is the first line of a pasted text without classifier, cut to 100 characters', () => {
      const agpl = '                    GNU AFFERO GENERAL PUBLIC LICENSE\n                       Version 3, 19 November 2007\n';
      expect(read({ license: agpl })!.license).toBe('GNU AFFERO GENERAL PUBLIC LICENSE');
      const oneLong = read({ license: 'x'.repeat(500) })!.license!;
      expect(oneLong).toHaveLength(100);
      expect(oneLong.endsWith('…')).toBe(true);
    });

    it('is null with none of them', () => {
      expect(read({ license: 'UNKNOWN', classifiers: ['Topic :: Utilities'] })!.license).toBeNull();
    });
  });

  describe('author', () => {
    it('is author, else the names in author_email, else maintainer, else the names in maintainer_email', () => {
      expect(read({ author: 'Kenneth Reitz', author_email: 'me@kennethreitz.org' })!.author).toBe('Kenneth Reitz');
      expect(read({ author: '', author_email: 'Sebastián Ramírez <tiangolo@gmail.com>' })!.author).toBe('Sebastián Ramírez');
      expect(read({ author: null, author_email: 'me@example.org', maintainer: 'The Team' })!.author).toBe('The Team');
      expect(read({ maintainer_email: '"A. Great Maintainer" <maintainer@example.com>' })!.author).toBe('A. Great Maintainer');
      expect(read({ author_email: 'bare@example.org', maintainer_email: 'other@example.org' })!.author).toBeNull();
    });

    it('reads address lists with quoted names, commas inside quotes and escapes', () => {
      expect(read({ author_email: 'Andrey Petrov <andrey.petrov@shazow.net>, "Larson, Seth" <seth@example.com>, bare@example.com, "Q \\"Q\\" P" <q@example.com>' })!.author)
        .toBe('Andrey Petrov, Larson, Seth, Q "Q" P');
      expect(read({ author_email: '"A. Random Developer" <author@example.com>' })!.author).toBe('A. Random Developer');
    });
  });

  it('links to package_url, else project_url, else the fallback; http(s) only', () => {
    expect(read({ package_url: 'https://pypi.org/project/Example/', project_url: 'https://x.example/' })!.pypiUrl).toBe('https://pypi.org/project/Example/');
    expect(read({ package_url: 'javascript:alert(1)', project_url: 'https://pypi.org/project/example/' })!.pypiUrl).toBe('https://pypi.org/project/example/');
    expect(read({ package_url: null })!.pypiUrl).toBe(FALLBACK);
  });

  it('splits requires_dist into required and optional, leaving malformed entries out', () => {
    const metadata = read({ requires_dist: ['idna<4,>=2.5', 'PySocks!=1.5.7,>=1.5.6; extra == "socks"', 'broken (1.0'] })!;
    expect(metadata.required.map((r) => r.name)).toEqual(['idna']);
    expect(metadata.optional).toEqual([{ extra: 'socks', requirements: [expect.objectContaining({ name: 'pysocks', specifier: '!=1.5.7,>=1.5.6' })] }]);
  });
});
