import { eq, sql } from "drizzle-orm";
import { AppError } from "../core/errors.ts";
import type { Db } from "./db.ts";
import { rowsOf } from "./raw.ts";
import { clusterNodes, heartbeats } from "./schema.ts";
import type { ClusterNodeRow, LeaseRow, Store } from "./types.ts";

/** The lease's one row. */
const leaseName = "leader";

/** Leadership, membership and heartbeat pings over `db`; every time that decides is the database's, not a node's. */
export function clusterQueries(db: Db): Pick<Store, "cluster" | "heartbeats"> {
  return {
    cluster: {
      async acquire(node, ttlMs) {
        // Free or expired: taken, with a new term. Ours and valid: renewed, same term. Another's and valid: untouched.
        const ttl = `${Math.max(1, Math.round(ttlMs))} milliseconds`;
        const rows = rowsOf<RawLease>(
          await db.execute(sql`
            insert into cluster_lease (name, node, term, since, expires_at)
            values (${leaseName}, ${node}, 1, clock_timestamp(), clock_timestamp() + ${ttl}::interval)
            on conflict (name) do update set
              term = case when cluster_lease.node = excluded.node and cluster_lease.expires_at > clock_timestamp() then cluster_lease.term else cluster_lease.term + 1 end,
              since = case when cluster_lease.node = excluded.node and cluster_lease.expires_at > clock_timestamp() then cluster_lease.since else clock_timestamp() end,
              node = excluded.node,
              expires_at = excluded.expires_at
            where cluster_lease.node = excluded.node or cluster_lease.expires_at <= clock_timestamp()
            returning node, term, since, expires_at, clock_timestamp() as now`),
        );
        return rows[0] ? leaseOf(rows[0]) : null;
      },
      async release(node, term) {
        const rows = rowsOf<{ term: unknown }>(
          await db.execute(sql`update cluster_lease set expires_at = clock_timestamp() where name = ${leaseName} and node = ${node} and term = ${term} and expires_at > clock_timestamp() returning term`),
        );
        return rows.length > 0;
      },
      async leader() {
        const rows = rowsOf<RawLease & { valid: boolean }>(await db.execute(sql`select node, term, since, expires_at, clock_timestamp() as now, expires_at > clock_timestamp() as valid from cluster_lease where name = ${leaseName}`));
        const row = rows[0];
        return row ? { ...leaseOf(row), valid: row.valid === true || (row.valid as unknown) === "t" } : null;
      },
      async fence(node, term) {
        // FOR SHARE: the lease row stays locked until this transaction ends, so no new term can begin before it commits.
        const rows = rowsOf<{ term: unknown }>(
          await db.execute(sql`select term from cluster_lease where name = ${leaseName} and node = ${node} and term = ${term} and expires_at > clock_timestamp() for share`),
        );
        if (rows.length === 0) throw new AppError("conflict", `node ${node} no longer leads in term ${term}: the write is refused`);
      },
      async seen(entry) {
        await db.execute(sql`
          insert into cluster_nodes (node, url, started_at, last_seen, checks_per_second, stopped_at)
          values (${entry.node}, ${entry.url}, clock_timestamp(), clock_timestamp(), ${entry.checksPerSecond}, null)
          on conflict (node) do update set url = excluded.url, last_seen = excluded.last_seen, checks_per_second = excluded.checks_per_second,
            started_at = case when cluster_nodes.stopped_at is null then cluster_nodes.started_at else excluded.started_at end, stopped_at = null`);
      },
      async stopped(node) {
        await db.execute(sql`update cluster_nodes set stopped_at = clock_timestamp() where node = ${node}`);
      },
      async nodes(liveMs) {
        const window = `${Math.max(1, Math.round(liveMs))} milliseconds`;
        const rows = rowsOf<{ node: string; url: string; started_at: unknown; last_seen: unknown; checks_per_second: unknown; stopped_at: unknown; live: unknown }>(
          await db.execute(sql`select node, url, started_at, last_seen, checks_per_second, stopped_at, (stopped_at is null and last_seen > clock_timestamp() - ${window}::interval) as live from cluster_nodes order by node`),
        );
        return rows.map(
          (r): ClusterNodeRow => ({
            node: r.node,
            url: r.url,
            startedAt: dateOf(r.started_at),
            lastSeen: dateOf(r.last_seen),
            checksPerSecond: Number(r.checks_per_second),
            stoppedAt: r.stopped_at === null ? null : dateOf(r.stopped_at),
            live: r.live === true || r.live === "t",
          }),
        );
      },
      async forget(node) {
        await db.delete(clusterNodes).where(eq(clusterNodes.node, node));
      },
      async notify(channel, payload = "") {
        await db.execute(sql`select pg_notify(${channel}, ${payload})`);
      },
    },
    heartbeats: {
      async record(monitorId, at) {
        await db
          .insert(heartbeats)
          .values({ monitorId, at })
          .onConflictDoUpdate({ target: heartbeats.monitorId, set: { at: sql`greatest(${heartbeats.at}, excluded.at)` } });
      },
      async last(monitorId) {
        const [row] = await db.select().from(heartbeats).where(eq(heartbeats.monitorId, monitorId));
        return row?.at ?? null;
      },
    },
  };
}

interface RawLease {
  node: string;
  term: unknown;
  since: unknown;
  expires_at: unknown;
  now: unknown;
}

function leaseOf(row: RawLease): LeaseRow {
  return { node: row.node, term: Number(row.term), since: dateOf(row.since), expiresAt: dateOf(row.expires_at), databaseNow: dateOf(row.now) };
}

function dateOf(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
