import { describe, expect, it } from 'vitest';
import { dependencies, parseRequirement } from '../../src/domain/requirements.js';
import type { Requirement } from '../../src/domain/package-metadata.js';

function parsed(text: string): Requirement {
  const result = parseRequirement(text);
  if (!result.ok) throw new Error(`expected "${text}" to parse: ${result.problem}`);
  return result.requirement;
}

/** Extra → the names of its requirements, for compact expectations. */
function optionalNames(requiresDist: string[]): Record<string, string[]> {
  return Object.fromEntries(
    dependencies(requiresDist).optional.map(({ extra, requirements }) => [extra, requirements.map((r) => r.name)]),
  );
}

function requiredNames(requiresDist: string[]): string[] {
  return dependencies(requiresDist).required.map((r) => r.name);
}

describe('parsing one requires_dist entry', () => {
  it('reads name, extras, specifier and marker as PyPI writes them today (requests 2.32)', () => {
    expect(parsed('charset_normalizer<4,>=2')).toEqual({
      text: 'charset_normalizer<4,>=2', name: 'charset-normalizer', extras: [], specifier: '<4,>=2', marker: null,
    });
    expect(parsed('PySocks!=1.5.7,>=1.5.6; extra == "socks"')).toEqual({
      text: 'PySocks!=1.5.7,>=1.5.6; extra == "socks"', name: 'pysocks', extras: [], specifier: '!=1.5.7,>=1.5.6', marker: 'extra == "socks"',
    });
    expect(parsed('certifi>=2017.4.17')).toMatchObject({ name: 'certifi', specifier: '>=2017.4.17', marker: null });
  });

  it('reads old-style parenthesised specifiers (boto3 1.26, requests 2.31), dropping the parentheses', () => {
    expect(parsed("botocore[crt] (<2.0a0,>=1.21.0) ; extra == 'crt'")).toEqual({
      text: "botocore[crt] (<2.0a0,>=1.21.0) ; extra == 'crt'", name: 'botocore', extras: ['crt'], specifier: '<2.0a0,>=1.21.0', marker: "extra == 'crt'",
    });
    expect(parsed('requests (>=2.0)')).toMatchObject({ name: 'requests', specifier: '>=2.0', marker: null });
    expect(parsed('jmespath (<2.0.0,>=0.7.1)')).toMatchObject({ name: 'jmespath', specifier: '<2.0.0,>=0.7.1' });
    expect(parsed('Zope.Interface (>=4.0)')).toMatchObject({ name: 'zope-interface', specifier: '>=4.0' });
  });

  it('normalizes names as PEP 503 does and extras as PEP 685 does', () => {
    expect(parsed('typing_extensions>=4.9 ; extra == "test"')).toMatchObject({ name: 'typing-extensions' });
    expect(parsed('Jinja2>=3.1').name).toBe('jinja2');
    expect(parsed('ruamel.yaml (>=0.17.26,<0.18.0) ; extra == "useradd"').name).toBe('ruamel-yaml');
    expect(parsed('permit-broadcaster[kafka,postgres,redis]==0.2.5').extras).toEqual(['kafka', 'postgres', 'redis']);
    expect(parsed('Foo[Use_Chardet , SOCKS]').extras).toEqual(['use-chardet', 'socks']);
    expect(parsed('foo[]').extras).toEqual([]);
  });

  it('reads every version operator, with or without spaces around them', () => {
    expect(parsed('numpy >= 1.22.4 , < 2 ; python_version < "3.11"')).toMatchObject({ specifier: '>=1.22.4,<2', marker: 'python_version < "3.11"' });
    expect(parsed('black[jupyter]~=22.1').specifier).toBe('~=22.1');
    expect(parsed('protobuf!=6.30.*,>=5.29.6').specifier).toBe('!=6.30.*,>=5.29.6');
    expect(parsed('foo===1.0+local').specifier).toBe('===1.0+local');
    expect(parsed('foo>1!2.0').specifier).toBe('>1!2.0');
    expect(parsed('  sphinxcontrib-websupport ; extra == "docs"  ')).toMatchObject({ name: 'sphinxcontrib-websupport', specifier: '', marker: 'extra == "docs"' });
    expect(parsed('tzdata;sys_platform=="win32"')).toMatchObject({ name: 'tzdata', marker: 'sys_platform=="win32"' });
  });

  it('reads URL requirements, keeping the URL in the specifier as "@ URL"', () => {
    expect(parsed('pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686')).toEqual({
      text: 'pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686',
      name: 'pip', extras: [], specifier: '@ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686', marker: null,
    });
    expect(parsed('Name[quux]@ file:///localbuilds/name-1.0.whl ; python_version < "3.8"')).toMatchObject({
      name: 'name', extras: ['quux'], specifier: '@ file:///localbuilds/name-1.0.whl', marker: 'python_version < "3.8"',
    });
    // As PEP 508 (and packaging) read it: without whitespace the ";" belongs to the URL.
    expect(parsed('foo @ https://x.example/a.whl;extra=="x"')).toMatchObject({ specifier: '@ https://x.example/a.whl;extra=="x"', marker: null });
  });

  it('gives a clear problem, never a throw, for entries that are not PEP 508', () => {
    const cases: [string, RegExp][] = [
      ['', /project name/],
      ['-foo', /project name/],
      ['foo bar', /"bar" is not a version specifier/],
      ['foo (>=1.0', /missing "\)"/],
      ['foo (1.0)', /"1.0" is not a version specifier/],
      ['foo[bar', /missing "]"/],
      ['foo[b r]', /"b r" is not an extra name/],
      ['foo>=1.0,', /"" is not a version specifier/],
      ['foo @', /missing URL/],
      ['foo; ', /empty marker/],
      ['foo; extra == "a', /unclosed quote/],
      ['foo; python_version <', /expected a marker variable/],
      ['foo; (extra == "a"', /missing "\)"/],
      ['foo; os == "linux"', /unknown marker variable "os"/],
      ['foo; extra "a"', /expected a comparison operator/],
      ['foo; extra not "a"', /expected "in" after "not"/],
      ['foo; extra == "a" extra', /unexpected text after the marker/],
      ['foo; extra == "a" & 1', /unexpected "&"/],
    ];
    for (const [text, problem] of cases) {
      const result = parseRequirement(text);
      expect(result, text).toMatchObject({ ok: false, text });
      if (!result.ok) expect(result.problem, text).toMatch(problem);
    }
  });
});

describe('splitting requires_dist into required and optional', () => {
  it('requests 2.32: four required, PySocks under socks, chardet under its PEP 685-normalized extra', () => {
    const requests = [
      'charset_normalizer<4,>=2',
      'idna<4,>=2.5',
      'urllib3<3,>=1.21.1',
      'certifi>=2017.4.17',
      'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
      'chardet<6,>=3.0.2; extra == "use_chardet_on_py3"',
    ];
    expect(requiredNames(requests)).toEqual(['charset-normalizer', 'idna', 'urllib3', 'certifi']);
    expect(optionalNames(requests)).toEqual({ socks: ['pysocks'], 'use-chardet-on-py3': ['chardet'] });
    expect(dependencies(requests).malformed).toEqual([]);
  });

  it('an old requests: a marker naming extra and the platform is optional under that extra only', () => {
    const old = [
      'certifi (>=2017.4.17)',
      "cryptography (>=1.3.4); extra=='security'",
      "win-inet-pton; (sys_platform=='win32' and python_version=='2.7') and extra=='socks'",
      "pysocks (!=1.5.7,>=1.5.6); extra=='socks'",
    ];
    expect(requiredNames(old)).toEqual(['certifi']);
    expect(optionalNames(old)).toEqual({ security: ['cryptography'], socks: ['win-inet-pton', 'pysocks'] });
  });

  it('fastapi: a requirement listed under two extras appears in both, extras in order of first appearance', () => {
    const fastapi = [
      'starlette<0.42.0,>=0.40.0',
      'pydantic!=1.8,!=1.8.1,!=2.0.0,!=2.0.1,!=2.1.0,<3.0.0,>=1.7.4',
      'typing-extensions>=4.8.0',
      'fastapi-cli[standard]>=0.0.5; extra == "standard"',
      'httpx>=0.23.0; extra == "standard"',
      'uvicorn[standard]>=0.12.0; extra == "standard"',
      'fastapi-cli[standard]>=0.0.5; extra == "all"',
      'itsdangerous>=1.1.0; extra == "all"',
      'ujson!=4.0.2,!=4.1.0,!=4.2.0,!=4.3.0,!=5.0.0,!=5.1.0,>=4.0.1; extra == "all"',
    ];
    const { required, optional } = dependencies(fastapi);
    expect(required.map((r) => r.name)).toEqual(['starlette', 'pydantic', 'typing-extensions']);
    expect(optional.map((group) => group.extra)).toEqual(['standard', 'all']);
    expect(optional[0]!.requirements[0]).toMatchObject({ name: 'fastapi-cli', extras: ['standard'], specifier: '>=0.0.5', marker: 'extra == "standard"' });
    expect(optionalNames(fastapi).all).toEqual(['fastapi-cli', 'itsdangerous', 'ujson']);
  });

  it('black 24: machine-only markers stay required with their marker; parenthesised extra markers are optional', () => {
    const black = [
      'click>=8.0.0',
      'mypy-extensions>=0.4.3',
      'tomli>=1.1.0; python_version < "3.11"',
      'typing-extensions>=4.0.1; python_version < "3.11"',
      'colorama>=0.4.3; extra == "colorama"',
      "aiohttp!=3.9.0,>=3.7.4; (sys_platform == 'win32' and implementation_name == 'pypy') and extra == 'd'",
      "aiohttp>=3.7.4; (sys_platform != 'win32' or implementation_name != 'pypy') and extra == 'd'",
      'ipython>=7.8.0; extra == "jupyter"',
      'tokenize-rt>=3.2.0; extra == "jupyter"',
      'uvloop>=0.15.2; extra == "uvloop"',
    ];
    const { required } = dependencies(black);
    expect(required.map((r) => r.name)).toEqual(['click', 'mypy-extensions', 'tomli', 'typing-extensions']);
    expect(required[2]!.marker).toBe('python_version < "3.11"');
    expect(optionalNames(black)).toEqual({ colorama: ['colorama'], d: ['aiohttp', 'aiohttp'], jupyter: ['ipython', 'tokenize-rt'], uvloop: ['uvloop'] });
  });

  it('django 5.1: a platform marker alone keeps tzdata required', () => {
    const django = ['asgiref<4,>=3.8.1', 'sqlparse>=0.3.1', 'tzdata; sys_platform == "win32"', 'argon2-cffi>=19.1.0; extra == "argon2"', 'bcrypt; extra == "bcrypt"'];
    expect(requiredNames(django)).toEqual(['asgiref', 'sqlparse', 'tzdata']);
    expect(dependencies(django).required[2]!.marker).toBe('sys_platform == "win32"');
    expect(optionalNames(django)).toEqual({ argon2: ['argon2-cffi'], bcrypt: ['bcrypt'] });
  });

  it('pandas 2.2: numpy three times by Python version, all required', () => {
    const pandas = [
      'numpy>=1.22.4; python_version < "3.11"',
      'numpy>=1.23.2; python_version == "3.11"',
      'numpy>=1.26.0; python_version >= "3.12"',
      'python-dateutil>=2.8.2',
      'pytz>=2020.1',
      'tzdata>=2022.7',
      'hypothesis>=6.46.1; extra == "test"',
      'pyarrow>=10.0.1; extra == "pyarrow"',
      'PyQt5>=5.15.9; extra == "clipboard"',
      'fsspec>=2022.11.0; extra == "all"',
    ];
    expect(requiredNames(pandas)).toEqual(['numpy', 'numpy', 'numpy', 'python-dateutil', 'pytz', 'tzdata']);
    expect(optionalNames(pandas)).toEqual({ test: ['hypothesis'], pyarrow: ['pyarrow'], clipboard: ['pyqt5'], all: ['fsspec'] });
  });

  it('jupyter 1.1 and sphinx 8: bare names and flit\'s " ; extra" spacing', () => {
    expect(requiredNames(['notebook', 'jupyter-console', 'nbconvert', 'ipykernel', 'ipywidgets', 'jupyterlab'])).toHaveLength(6);
    const sphinx = [
      'sphinxcontrib-applehelp>=1.0.7',
      'Jinja2>=3.1',
      'tomli>=2; python_version < "3.11"',
      'colorama>=0.4.6; sys_platform == "win32"',
      'sphinxcontrib-websupport ; extra == "docs"',
      'flake8>=6.0 ; extra == "lint"',
      'typing_extensions>=4.9 ; extra == "test"',
    ];
    expect(requiredNames(sphinx)).toEqual(['sphinxcontrib-applehelp', 'jinja2', 'tomli', 'colorama']);
    expect(optionalNames(sphinx)).toEqual({ docs: ['sphinxcontrib-websupport'], lint: ['flake8'], test: ['typing-extensions'] });
  });

  it('urllib3 2.0: an implementation marker with an extra is optional under it', () => {
    const urllib3 = [
      "brotli>=1.0.9; platform_python_implementation == 'CPython' and extra == 'brotli'",
      "brotlicffi>=0.8.0; platform_python_implementation != 'CPython' and extra == 'brotli'",
      "certifi; extra == 'secure'",
      "pysocks!=1.5.7,<2.0,>=1.5.6; extra == 'socks'",
      "zstandard>=0.18.0; extra == 'zstd'",
    ];
    expect(requiredNames(urllib3)).toEqual([]);
    expect(optionalNames(urllib3)).toEqual({ brotli: ['brotli', 'brotlicffi'], secure: ['certifi'], socks: ['pysocks'], zstd: ['zstandard'] });
  });

  it('reads the extra from either side, in either quotes, through parentheses and or', () => {
    expect(optionalNames(['a; extra == "socks"'])).toEqual({ socks: ['a'] });
    expect(optionalNames(["b; extra == 'test' and python_version < \"3.8\""])).toEqual({ test: ['b'] });
    expect(optionalNames(['c; (extra == "a" or extra == "b")'])).toEqual({ a: ['c'], b: ['c'] });
    expect(optionalNames(['d; "security" == extra'])).toEqual({ security: ['d'] });
    expect(optionalNames(['e; python_version >= "3.7" and extra == "docs"'])).toEqual({ docs: ['e'] });
    expect(optionalNames(['f; extra === "Docs.Build"'])).toEqual({ 'docs-build': ['f'] });
    expect(optionalNames(['dmpython (>=2.5.5,<3.0.0); extra == "dm" or extra == "all"'])).toEqual({ dm: ['dmpython'], all: ['dmpython'] });
    expect(optionalNames(['Sphinx (==4.3.0) ; (python_version >= "3.7") and (extra == "docs")'])).toEqual({ docs: ['sphinx'] });
  });

  it('reads every marker operator and keeps machine-only markers required', () => {
    for (const marker of [
      'platform_system == "Windows"',
      'python_version not in "3.0, 3.1, 3.2, 3.3"',
      "'linux' in sys_platform",
      'python_full_version ~= "3.8.1"',
      'implementation_version === "3.12.0"',
      'platform_machine != "arm64" or platform_system != "Darwin"',
      'python_version >= "2.7" and python_full_version < "3.0.0" or python_full_version >= "3.5.0"',
      'os.name == "nt"',
    ]) {
      expect(requiredNames([`x; ${marker}`]), marker).toEqual(['x']);
    }
  });

  it('follows installers on unusual extra markers: what can install without an extra is required', () => {
    expect(requiredNames(['a; extra != "slow"'])).toEqual(['a']);
    expect(requiredNames(['b; extra == "docs" or python_version < "3"'])).toEqual(['b']);
    expect(requiredNames(['c; extra in "a,b"'])).toEqual(['c']);
    // Never installed: no extra equals two names at once.
    expect(dependencies(['d; extra == "a" and extra == "b"'])).toEqual({ required: [], optional: [], malformed: [] });
  });

  it('leaves a malformed entry out of both lists, reports it, and keeps the rest', () => {
    const result = dependencies(['good>=1', 'bad (1.0', 'worse; os == "nt"', 'fine; extra == "x"']);
    expect(result.required.map((r) => r.name)).toEqual(['good']);
    expect(result.optional).toEqual([{ extra: 'x', requirements: [expect.objectContaining({ name: 'fine' })] }]);
    expect(result.malformed).toEqual(['bad (1.0', 'worse; os == "nt"']);
  });
});
