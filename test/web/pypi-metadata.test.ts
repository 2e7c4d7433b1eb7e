import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { PypiMetadataSource, type PypiMetadataOptions } from '../../src/web/pypi-metadata.js';
import { STAND_IN_PACKAGES, startPypiStandIn, type PypiStandIn } from '../support/pypi-standin.js';

let standIn: PypiStandIn;

beforeAll(async () => {
  standIn = await startPypiStandIn({ slowDelayMs: 10_000 });
});

afterAll(async () => {
  await standIn.close();
});

/** A source on the stand-in, with nothing cached: every test counts its own requests. */
function source(options: PypiMetadataOptions = {}): PypiMetadataSource {
  return new PypiMetadataSource({ url: standIn.url, ...options });
}

/** A URL on which nothing listens: a port just opened and closed. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('PyPI metadata from the JSON API', () => {
  it('reads requests: every field, required and optional dependencies', async () => {
    const requests = await source().metadata('requests');
    expect(requests).toMatchObject({
      name: 'requests',
      summary: 'Python HTTP for Humans.',
      latestVersion: '2.32.3',
      homePage: 'https://requests.readthedocs.io/',
      license: 'Apache-2.0',
      author: 'Kenneth Reitz',
      pypiUrl: 'https://pypi.org/project/requests/',
    });
    expect(requests!.required.map((r) => `${r.name}${r.specifier}`)).toEqual(['charset-normalizer<4,>=2', 'idna<4,>=2.5', 'urllib3<3,>=1.21.1', 'certifi>=2017.4.17']);
    expect(requests!.optional).toEqual([
      { extra: 'socks', requirements: [{ text: 'PySocks!=1.5.7,>=1.5.6; extra == "socks"', name: 'pysocks', extras: [], specifier: '!=1.5.7,>=1.5.6', marker: 'extra == "socks"' }] },
      { extra: 'use-chardet-on-py3', requirements: [expect.objectContaining({ name: 'chardet' })] },
    ]);
  });

  it('reads fastapi, black, boto3, Django and jupyter by the rules for each field', async () => {
    const pypi = source();
    const fastapi = await pypi.metadata('fastapi');
    expect(fastapi).toMatchObject({ author: 'Sebastián Ramírez', license: 'MIT License', homePage: 'https://github.com/fastapi/fastapi', latestVersion: '0.115.6' });
    expect(fastapi!.optional.map((group) => [group.extra, group.requirements.length])).toEqual([['standard', 6], ['all', 12]]);

    const black = await pypi.metadata('black');
    expect(black).toMatchObject({ author: 'Łukasz Langa', license: 'MIT', homePage: 'https://github.com/psf/black', summary: 'The uncompromising code formatter.' });
    expect(black!.required.find((r) => r.name === 'tomli')).toMatchObject({ specifier: '>=1.1.0', marker: 'python_version < "3.11"' });

    const boto3 = await pypi.metadata('boto3');
    expect(boto3).toMatchObject({ author: 'Amazon Web Services', license: 'Apache License 2.0', homePage: 'https://github.com/boto/boto3' });
    expect(boto3!.optional).toEqual([{ extra: 'crt', requirements: [expect.objectContaining({ name: 'botocore', extras: ['crt'], specifier: '<2.0a0,>=1.21.0' })] }]);

    const django = await pypi.metadata('Django');
    expect(django).toMatchObject({ name: 'Django', author: 'Django Software Foundation', license: 'BSD-3-Clause', homePage: 'https://www.djangoproject.com/', pypiUrl: 'https://pypi.org/project/Django/' });
    expect(django!.required.map((r) => [r.name, r.marker])).toEqual([['asgiref', null], ['sqlparse', null], ['tzdata', 'sys_platform == "win32"']]);

    const jupyter = await pypi.metadata('jupyter');
    expect(jupyter).toMatchObject({ homePage: 'http://jupyter.org/', license: 'BSD', author: 'Jupyter Development Team', required: [], optional: [] });
  });

  it('gives HTML in metadata back as the plain text it is, and never a javascript: URL', async () => {
    const html = await source().metadata(STAND_IN_PACKAGES.html);
    expect(html).toMatchObject({
      summary: '<script>alert("summary")</script> & <b>bold</b> "quoted"',
      author: '<img src=x onerror="alert(\'author\')">Mallory & Co',
      license: '<script>alert("license")</script>',
      latestVersion: '1.0<script>',
      homePage: null,
    });
    expect(html!.required).toEqual([expect.objectContaining({ name: 'requests', marker: 'platform_system == "<img src=x onerror=alert(\'marker\')>"' })]);
    expect(html!.optional.map((group) => group.extra)).toEqual(["<script>alert('extra')</script>"]);
  });

  it('is null for a package PyPI does not know (404)', async () => {
    const pypi = source();
    expect(await pypi.metadata('no-such-package-here')).toBeNull();
    expect(standIn.requestsFor('no-such-package-here')).toBe(1);
  });

  it('is null, without asking, for a name PyPI cannot have', async () => {
    const before = standIn.requests();
    for (const name of ['', '../../etc/passwd', 'a/b', '__all__', 'é', 'x'.repeat(200)]) expect(await source().metadata(name), name).toBeNull();
    expect(standIn.requests()).toBe(before);
  });

  it('is null when PyPI does not answer in time, headers or body', async () => {
    expect(await source({ timeoutMs: 200 }).metadata(STAND_IN_PACKAGES.slow)).toBeNull();
    expect(await source({ timeoutMs: 200 }).metadata(STAND_IN_PACKAGES.slowBody)).toBeNull();
  });

  it('is null for invalid JSON, the wrong shape, a server error or an answer over the size limit', async () => {
    expect(await source().metadata(STAND_IN_PACKAGES.invalidJson)).toBeNull();
    expect(await source().metadata(STAND_IN_PACKAGES.wrongShape)).toBeNull();
    expect(await source().metadata(STAND_IN_PACKAGES.serverError)).toBeNull();
    expect(await source({ maxBodyBytes: 1000 }).metadata('requests')).toBeNull();
  });

  it('is null when nothing listens (connection refused)', async () => {
    expect(await new PypiMetadataSource({ url: await closedPortUrl() }).metadata('requests')).toBeNull();
  });

  it('takes its URL and timeout from the configuration', async () => {
    const config = loadConfig({ PYPI_URL: `${standIn.url}/`, PYPI_TIMEOUT_MS: '2000' });
    expect((await new PypiMetadataSource({ url: config.pypi.url!, timeoutMs: config.pypi.timeoutMs }).metadata('black'))?.name).toBe('black');
  });
});

describe('caching PyPI metadata', () => {
  it('asks PyPI once for repeated calls, whatever the spelling of the name', async () => {
    const pypi = source();
    const before = standIn.requestsFor('django');
    const first = await pypi.metadata('django');
    expect(await pypi.metadata('Django')).toBe(first);
    expect(await pypi.metadata('DJANGO')).toBe(first);
    expect(standIn.requestsFor('django') - before).toBe(1);
  });

  it('keeps answers for answerTtlMs and misses for the shorter missTtlMs', async () => {
    let now = 0;
    const pypi = source({ answerTtlMs: 60_000, missTtlMs: 5_000, now: () => now });
    const before = { answer: standIn.requestsFor('fastapi'), miss: standIn.requestsFor('not-on-pypi') };
    await pypi.metadata('fastapi');
    await pypi.metadata('not-on-pypi');

    now = 4_999;
    await pypi.metadata('fastapi');
    expect(await pypi.metadata('not-on-pypi')).toBeNull();
    expect(standIn.requestsFor('not-on-pypi') - before.miss).toBe(1);

    now = 5_000;
    await pypi.metadata('not-on-pypi');
    expect(standIn.requestsFor('not-on-pypi') - before.miss).toBe(2);
    expect(standIn.requestsFor('fastapi') - before.answer).toBe(1);

    now = 60_000;
    expect((await pypi.metadata('fastapi'))?.name).toBe('fastapi');
    expect(standIn.requestsFor('fastapi') - before.answer).toBe(2);
  });

  it('keeps a timeout as a miss: the next page view does not wait again', async () => {
    const pypi = source({ timeoutMs: 100 });
    const before = standIn.requestsFor(STAND_IN_PACKAGES.slow);
    expect(await pypi.metadata(STAND_IN_PACKAGES.slow)).toBeNull();
    expect(await pypi.metadata(STAND_IN_PACKAGES.slow)).toBeNull();
    expect(standIn.requestsFor(STAND_IN_PACKAGES.slow) - before).toBe(1);
  });

  it('shares one request among concurrent calls for a package, answer or miss', async () => {
    const pypi = source({ timeoutMs: 100 });
    const before = { boto3: standIn.requestsFor('boto3'), slow: standIn.requestsFor(STAND_IN_PACKAGES.slow) };
    const answers = await Promise.all(Array.from({ length: 5 }, () => pypi.metadata('boto3')));
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]?.name).toBe('boto3');
    const misses = await Promise.all(Array.from({ length: 5 }, () => pypi.metadata(STAND_IN_PACKAGES.slow)));
    expect(misses).toEqual([null, null, null, null, null]);
    expect(standIn.requestsFor('boto3') - before.boto3).toBe(1);
    expect(standIn.requestsFor(STAND_IN_PACKAGES.slow) - before.slow).toBe(1);
  });

  it('asks PyPI for at most maxConcurrent packages at once: past it, null at once, asked again next time', async () => {
    const pypi = source({ maxConcurrent: 2, timeoutMs: 500 });
    const before = standIn.requestsFor('django');
    const slow = [pypi.metadata(STAND_IN_PACKAGES.slow), pypi.metadata(STAND_IN_PACKAGES.slowBody)];
    // Two requests out: a third package is not queued behind them, and PyPI is not asked.
    expect(await pypi.metadata('django')).toBeNull();
    expect(standIn.requestsFor('django')).toBe(before);
    expect(await Promise.all(slow)).toEqual([null, null]);
    // That null was no answer of PyPI's, so it was not kept.
    expect((await pypi.metadata('django'))?.name).toBe('Django');
    expect(standIn.requestsFor('django') - before).toBe(1);
  });

  it('keeps at most maxPackages, dropping the least recently used', async () => {
    const pypi = source({ maxPackages: 1 });
    const before = standIn.requestsFor('jupyter');
    await pypi.metadata('jupyter');
    await pypi.metadata('black');
    await pypi.metadata('jupyter');
    expect(standIn.requestsFor('jupyter') - before).toBe(2);
  });
});
