/** Installers that mirror PyPI rather than install from it: counted only in `with_mirrors`. */
export const DEFAULT_MIRROR_INSTALLERS = ['bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi'] as const;
