/** Installers' User-Agents as their own code writes them, for the tests of the access-log source. */

/** pip's own: `{installer name}/{version} {json.dumps(data, separators=(",", ":"), sort_keys=True)}` (pip/_internal/network/session.py). */
export const PIP_USER_AGENT =
  'pip/24.0 {"ci":null,"cpu":"x86_64","distro":{"id":"jammy","libc":{"lib":"glibc","version":"2.35"},"name":"Ubuntu","version":"22.04"},"implementation":{"name":"CPython","version":"3.12.1"},"installer":{"name":"pip","version":"24.0"},"openssl_version":"OpenSSL 3.0.2 15 Mar 2022","python":"3.12.1","rustc_version":"1.75.0","setuptools_version":"69.0.3","system":{"name":"Linux","release":"6.5.0-14-generic"}}';
/** uv's: `uv/{version} {serde_json of its LineHaul struct}` (crates/uv-client), fields in struct order, nulls written. */
export const UV_USER_AGENT =
  'uv/0.5.11 {"installer":{"name":"uv","version":"0.5.11"},"python":"3.11.7","implementation":{"name":"CPython","version":"3.11.7"},"distro":{"name":"Alpine Linux","version":"3.19.0","id":null,"libc":{"lib":"musl","version":"1.2.4"}},"system":{"name":"Linux","release":"6.1.0"},"cpu":"aarch64","openssl_version":null,"setuptools_version":null,"rustc_version":null,"ci":true}';
