// A PostgreSQL server for benchmarks: VIGIL_TEST_POSTGRES_URL (a server where databases may be created), else a
// throwaway one started from the Debian packages and stopped at the end.
import pg from "pg";
import { startPostgres } from "../test/helpers/postgres-server.ts";

export interface BenchPostgres {
  /** A new, empty database's URL. */
  freshDatabase(): Promise<string>;
  dispose(): Promise<void>;
}

export async function benchPostgres(options: { maxConnections?: number } = {}): Promise<BenchPostgres> {
  const own = process.env.VIGIL_TEST_POSTGRES_URL ? undefined : await startPostgres(options);
  const adminUrl = process.env.VIGIL_TEST_POSTGRES_URL ?? own!.adminUrl;
  return {
    async freshDatabase() {
      const name = `vigil_bench_${Math.random().toString(16).slice(2, 10)}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async dispose() {
      await own?.dispose();
    },
  };
}
