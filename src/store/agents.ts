import { and, asc, eq, gt, gte, isNotNull, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { agents, checkResults } from "./schema.ts";
import { resultChunk, resultValues, toResult } from "./results.ts";
import type { AgentRow, Store, StoredAgentCheckResult } from "./types.ts";

/** Remote agents and their results over `db`. */
export function agentQueries(db: Db): Store["agents"] {
  return {
    async ingest(rows, report) {
      let stored = 0;
      for (let i = 0; i < rows.length; i += resultChunk) {
        const inserted = await db
          .insert(checkResults)
          .values(
            rows.slice(i, i + resultChunk).map((r) => ({
              ...resultValues(r),
              agent: r.agent,
              seq: r.seq,
              warning: r.warning ?? null,
              receivedAt: sql`clock_timestamp()`,
            })),
          )
          .onConflictDoNothing({ target: [checkResults.agent, checkResults.seq] })
          .returning({ id: checkResults.id });
        stored += inserted.length;
      }
      const lastSeq = rows.reduce((max, r) => Math.max(max, r.seq), 0);
      await db
        .insert(agents)
        .values({ ...report, lastSeen: sql`clock_timestamp()`, lastSeq })
        .onConflictDoUpdate({
          target: agents.id,
          set: {
            region: sql`excluded.region`,
            tokenId: sql`excluded.token_id`,
            version: sql`excluded.version`,
            hostname: sql`excluded.hostname`,
            startedAt: sql`excluded.started_at`,
            lastSeen: sql`excluded.last_seen`,
            bufferResults: sql`excluded.buffer_results`,
            bufferDropped: sql`excluded.buffer_dropped`,
            checksPerSecond: sql`excluded.checks_per_second`,
            lastSeq: sql`greatest(${agents.lastSeq}, excluded.last_seq)`,
          },
        });
      return stored;
    },
    async seen(id, tokenId) {
      await db.update(agents).set({ lastSeen: sql`clock_timestamp()` }).where(and(eq(agents.id, id), eq(agents.tokenId, tokenId)));
    },
    async list() {
      const rows = await db.select().from(agents).orderBy(asc(agents.region), asc(agents.id));
      return rows.map((r): AgentRow => ({ ...r }));
    },
    async resultsAfter(after, limit) {
      const rows = await db
        .select()
        .from(checkResults)
        .where(and(isNotNull(checkResults.agent), gt(checkResults.id, BigInt(after))))
        .orderBy(asc(checkResults.id))
        .limit(limit);
      return rows.map((r): StoredAgentCheckResult => {
        const read = toResult(r);
        return { ...read, error: read.error ?? undefined, warning: r.warning ?? undefined, agent: r.agent ?? "", seq: r.seq ?? 0, receivedAt: r.receivedAt ?? r.at };
      });
    },
    async cursorSince(since) {
      const rows = await db
        .select({ id: sql<string | null>`min(${checkResults.id})::text` })
        .from(checkResults)
        .where(and(isNotNull(checkResults.agent), gte(checkResults.receivedAt, since)));
      const first = rows[0]?.id;
      if (first != null) return (BigInt(first) - 1n).toString();
      const last = await db.select({ id: sql<string | null>`max(${checkResults.id})::text` }).from(checkResults);
      return last[0]?.id ?? "0";
    },
  };
}
