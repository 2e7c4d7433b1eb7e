import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * One DuckDB engine per process, in memory. It never installs extensions: json, parquet and icu
 * ship inside the package, and this machine (like many servers) has no route to the internet.
 */
export class DuckDb {
  private constructor(private readonly instance: DuckDBInstance) {}

  static async open(options: { threads?: number; memoryLimit?: string } = {}): Promise<DuckDb> {
    const config: Record<string, string> = {
      autoinstall_known_extensions: 'false',
      allow_community_extensions: 'false',
    };
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    return new DuckDb(await DuckDBInstance.create(':memory:', config));
  }

  /** A connection whose timestamps are read and written in UTC, whatever the machine's zone. */
  async connect(): Promise<DuckDBConnection> {
    const connection = await this.instance.connect();
    await connection.run('LOAD icu');
    await connection.run("SET TimeZone = 'UTC'");
    return connection;
  }

  close(): void {
    this.instance.closeSync();
  }
}
