/** How long the PostgreSQL store waits, by default (config.ts reads them without loading the client). */

/** A connection on a healthy network takes milliseconds; 5 s rides out a busy server and a slow link. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** The API's slowest read (a cold series of a popular package) takes well under a second; 10 s is a server in trouble. */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
