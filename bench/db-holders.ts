// What knowing who holds the connections costs a database check. Usage: npm run bench:db-holders
//   BENCH_CHECKS=200  BENCH_HELD=40 (idle connections another user holds, so the lists have something to group)
// Against local servers started for the run (MariaDB, PostgreSQL, redis-server, those installed): the median and p95
// of a whole check (connect, facts, holders, close), and of the holders step alone on an open connection.
import { createConnection as mysqlConnection } from "mysql2";
import { createConnection } from "mysql2/promise";
import pg from "pg";
import { Redis } from "ioredis";
import { systemClock } from "../src/core/clock.ts";
import { readMysqlHolders } from "../src/probes/db/holders-mysql.ts";
import { readPostgresHolders } from "../src/probes/db/holders-postgres.ts";
import { readRedisHolders } from "../src/probes/db/holders-redis.ts";
import { mysqlProbe } from "../src/probes/mysql.ts";
import { postgresProbe } from "../src/probes/postgres.ts";
import { redisProbe } from "../src/probes/redis.ts";
import type { DbProbeConfig } from "../src/probes/db-common.ts";
import type { Probe } from "../src/probes/types.ts";
import { mariadbSkipReason, startMariadb } from "../test/helpers/mariadb.ts";
import { postgresSkipReason, startPostgres } from "../test/helpers/postgres-server.ts";
import { redisSkipReason, startRedis } from "../test/helpers/redis-server.ts";

const checks = Number(process.env.BENCH_CHECKS ?? 200);
const heldCount = Number(process.env.BENCH_HELD ?? 40);

async function timed(n: number, work: () => Promise<unknown>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await work();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => (ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? Number.NaN).toFixed(2);
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms`;
}

const run = (probe: Probe<DbProbeConfig>, url: string) => async () => {
  const outcome = await probe.run({ url }, { signal: new AbortController().signal, clock: systemClock, region: "local", timeoutMs: 5_000 });
  if (outcome.status !== "up" || typeof outcome.facts["holders"] !== "string") throw new Error(`check not up with holders: ${JSON.stringify(outcome)}`);
};

if (mariadbSkipReason() === undefined) {
  const db = await startMariadb({ maxConnections: heldCount + 20 });
  const held = await Promise.all(Array.from({ length: heldCount }, () => createConnection(db.rootUrl)));
  const conn = mysqlConnection(db.url);
  console.log(`MariaDB, ${heldCount} held: check ${await timed(checks, run(mysqlProbe, db.url))}; holders step ${await timed(checks, () => readMysqlHolders(conn))}`);
  conn.destroy();
  await Promise.all(held.map((c) => c.end()));
  await db.dispose();
}

if (postgresSkipReason() === undefined) {
  const server = await startPostgres({ maxConnections: heldCount + 20 });
  const held = await Promise.all(
    Array.from({ length: heldCount }, async () => {
      const c = new pg.Client({ connectionString: server.adminUrl });
      await c.connect();
      return c;
    }),
  );
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  console.log(`PostgreSQL, ${heldCount} held: check ${await timed(checks, run(postgresProbe, server.url))}; holders step ${await timed(checks, () => readPostgresHolders(client))}`);
  await client.end();
  await Promise.all(held.map((c) => c.end()));
  await server.dispose();
}

if (redisSkipReason() === undefined) {
  const server = await startRedis({ maxClients: heldCount + 20 });
  const held = await Promise.all(Array.from({ length: heldCount }, async () => new Redis(server.url, { connectionName: "worker" })));
  const redis = new Redis(server.url);
  console.log(`redis-server, ${heldCount} held: check ${await timed(checks, run(redisProbe, server.url))}; holders step ${await timed(checks, () => readRedisHolders(redis))}`);
  redis.disconnect();
  for (const r of held) r.disconnect();
  await server.dispose();
}
