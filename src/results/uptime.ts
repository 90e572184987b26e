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
