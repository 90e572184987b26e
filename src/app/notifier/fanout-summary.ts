import type { FanoutCount, OpenFanout, Store } from "../../store/types.ts";

/** The timeline event that records a fan-out to subscribers, in place of one `notification.delivered` per subscriber. */
export const fanoutSummaryKind = "notification.fanout_summary";

/** A fan-out's deliveries (or one kind of receiver's among them) counted. */
export interface FanoutTally {
  total: number;
  delivered: number;
  /** Failed and due again later. */
  retrying: number;
  /** Held behind an earlier message to the same receiver that is being retried; sent once that one is done. */
  waiting: number;
  dead: number;
  muted: number;
  /** Failed at least once: the retrying and dead ones, and the delivered ones that took more than one attempt. */
  failed: number;
}

/** A summary event's data. */
export interface FanoutSummaryData extends FanoutTally {
  /** The same counts per receiver kind (`email`, `webhook`; `removed` for a subscriber gone since). */
  kinds: Record<string, FanoutTally>;
  first_delivered_at: string | null;
  last_delivered_at: string | null;
}

const emptyTally = (): FanoutTally => ({ total: 0, delivered: 0, retrying: 0, waiting: 0, dead: 0, muted: 0, failed: 0 });

function add(tally: FanoutTally, row: FanoutCount): void {
  tally.total += row.count;
  if (row.failed) tally.failed += row.count;
  if (row.status === "pending") tally[row.failed ? "retrying" : "waiting"] += row.count;
  else tally[row.status] += row.count;
}

/** The summary's data from the fan-out's counted deliveries. */
export function summaryOf(counts: readonly FanoutCount[]): FanoutSummaryData {
  const all = emptyTally();
  const kinds: Record<string, FanoutTally> = {};
  let first: Date | null = null;
  let last: Date | null = null;
  for (const row of counts) {
    add(all, row);
    add((kinds[row.kind ?? "removed"] ??= emptyTally()), row);
    if (row.firstDeliveredAt !== null && (first === null || row.firstDeliveredAt < first)) first = row.firstDeliveredAt;
    if (row.lastDeliveredAt !== null && (last === null || row.lastDeliveredAt > last)) last = row.lastDeliveredAt;
  }
  return { ...all, kinds, first_delivered_at: first?.toISOString() ?? null, last_delivered_at: last?.toISOString() ?? null };
}

/** The parts of the store (or of a transaction on it) a summary is written with. */
export type SummaryStore = Pick<Store, "outbox" | "events">;

/**
 * Records the summary of `fanout` (one `notification.fanout_summary` event, its subject the event that caused it) if
 * it is due: every delivery of it written (`dispatched`, the dispatcher's cursor, is past its event: a fan-out is
 * written in chunks) and attempted once, or held behind a retry (see `outbox.fanoutUnattempted`). The counts come
 * from the deliveries table, so a summary after a restart is as right as one without. Run in a transaction in which
 * `fanout` was found without a summary (`outbox.summarizedFanouts`): the summary and its mark are committed together,
 * and write transactions are one at a time (the timeline's lock; PGlite has one connection), so a success recorded
 * before it is counted in it and one after it has its own `notification.delivered`. Returns whether it recorded it.
 */
export async function summarizeIfDone(tx: SummaryStore, fanout: OpenFanout, dispatched: string | null, now: Date): Promise<boolean> {
  if (dispatched === null || BigInt(dispatched) < BigInt(fanout.eventId)) return false;
  if (await tx.outbox.fanoutUnattempted(fanout.messageId)) return false;
  const data = summaryOf(await tx.outbox.fanoutCounts(fanout.messageId));
  await tx.events.append({ at: now, kind: fanoutSummaryKind, subject: fanout.eventId, actor: "system", data: { ...data } });
  await tx.outbox.markFanoutSummarized(fanout.messageId, now);
  return true;
}
