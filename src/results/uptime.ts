/** A rollup's counts, as uptime needs them. */
export interface RollupCounts {
  checks: number;
  failures: number;
  degraded: number;
}

/** Uptime over a window: the share of checks that were not down (degraded counts as available). */
export interface Uptime {
  checks: number;
  failures: number;
  degraded: number;
  /** Percent with three decimals, or null when there were no checks. */
  uptimePercent: number | null;
}

/** Sums rollups into an uptime figure. */
export function uptimeOf(rollups: readonly RollupCounts[]): Uptime {
  let checks = 0;
  let failures = 0;
  let degraded = 0;
  for (const r of rollups) {
    checks += r.checks;
    failures += r.failures;
    degraded += r.degraded;
  }
  return { checks, failures, degraded, uptimePercent: checks === 0 ? null : Math.round(((checks - failures) / checks) * 100_000) / 1000 };
}

/** The uptime windows the API offers, with the rollup bucket fine enough for each. */
export const uptimeWindows = {
  "24h": { ms: 86_400_000, bucket: "minute" },
  "7d": { ms: 7 * 86_400_000, bucket: "hour" },
  "30d": { ms: 30 * 86_400_000, bucket: "hour" },
  "90d": { ms: 90 * 86_400_000, bucket: "day" },
} as const;
export type UptimeWindow = keyof typeof uptimeWindows;

/** A rollup bucket's size. */
export type RollupBucket = "minute" | "hour" | "day";
const bucketMs: Record<RollupBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/**
 * How long after a bucket ends its rollup may still lack results: housekeeping recomputes the hours every 5 minutes and
 * the days every hour (a minute's rollup is written once the minute ends).
 */
const settleMs: Record<RollupBucket, number> = { minute: 0, hour: 6 * 60_000, day: 61 * 60_000 };
const finer = { hour: "minute", day: "hour" } as const;

/** A rollup row with its bucket's start. */
export interface TimedRollup extends RollupCounts {
  start: Date;
}

/**
 * The rollups that count a window [from, to): the `bucket` ones that have settled, then, for the time after the last of
 * them, the next finer bucket's, down to minutes. So a window of hours or days counts the last hour's checks (or the
 * whole history of a monitor added a moment ago) before its coarse rollup is written, and counts each check once.
 */
export async function windowRollups(list: (bucket: RollupBucket, from: Date, to: Date) => Promise<readonly TimedRollup[]>, bucket: RollupBucket, from: Date, to: Date): Promise<TimedRollup[]> {
  const rows = await list(bucket, from, to);
  if (bucket === "minute") return [...rows];
  const settled = to.getTime() - settleMs[bucket];
  const done = rows.filter((r) => r.start.getTime() + bucketMs[bucket] <= settled);
  const last = done.at(-1);
  const tailFrom = last === undefined ? from : new Date(last.start.getTime() + bucketMs[bucket]);
  if (tailFrom.getTime() >= to.getTime()) return done;
  return [...done, ...(await windowRollups(list, finer[bucket], tailFrom, to))];
}
