// What the server, replication and transaction facts cost a mysql or postgres check: on one open connection,
// the statements a check ran before them against those it runs now, against throwaway local servers.
// Run: node --import tsx bench/db-facts.ts
import { createConnection } from "mysql2/promise";
import pg from "pg";
import { serverSql } from "../src/probes/db/postgres-server.ts";
import { systemClock } from "../src/core/clock.ts";
import { mysqlProbe } from "../src/probes/mysql.ts";
import { postgresProbe } from "../src/probes/postgres.ts";
import { startMariadb } from "../test/helpers/mariadb.ts";
import { startPostgres } from "../test/helpers/postgres-server.ts";

const rounds = 300;

async function time(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await run();
  const started = performance.now();
  for (let i = 0; i < rounds; i++) await run();
  return (performance.now() - started) / rounds;
}

function report(name: string, before: number, after: number, check: number): void {
  console.log(`${name}: facts ${before.toFixed(3)} ms before, ${after.toFixed(3)} ms now (+${(after - before).toFixed(3)} ms); a whole check ${check.toFixed(2)} ms`);
}

const ctx = () => ({ signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 });
const maria = await startMariadb({ args: ["--server-id=1"] });
const postgres = await startPostgres();
try {
  const root = await createConnection(maria.rootUrl);
  await root.query("GRANT SLAVE MONITOR ON *.* TO 'monitor'@'%'");
  await root.end();
  const conn = await createConnection(maria.url);
  const status = "SHOW GLOBAL STATUS WHERE Variable_name IN ('Uptime', 'Threads_connected')";
  const before = await time(async () => {
    await conn.query(status);
    await conn.query("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('max_connections', 'read_only', 'version')");
  });
  const after = await time(async () => {
    await conn.query(status);
    await conn.query("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('max_connections', 'read_only', 'version', 'server_id', 'server_uuid', 'hostname', 'innodb_read_only')");
    await conn.query("SHOW REPLICA STATUS");
    await conn.query("SELECT TIMESTAMPDIFF(SECOND, MIN(trx_started), NOW()) AS oldest_s, COALESCE(SUM(trx_state = 'LOCK WAIT'), 0) AS lock_waits FROM information_schema.INNODB_TRX");
  });
  await conn.end();
  report("MariaDB", before, after, await time(() => mysqlProbe.run({ url: maria.url }, ctx())));

  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  const shared = `SELECT extract(epoch FROM now() - pg_postmaster_start_time())::float8, (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int,
    current_setting('max_connections')::int, pg_is_in_recovery(), current_setting('server_version')`;
  const pgBefore = await time(() => client.query(shared));
  const pgAfter = await time(async () => {
    await client.query(shared);
    await client.query(serverSql);
  });
  await client.end();
  report("PostgreSQL", pgBefore, pgAfter, await time(() => postgresProbe.run({ url: postgres.url }, ctx())));
} finally {
  await maria.dispose();
  await postgres.dispose();
}
