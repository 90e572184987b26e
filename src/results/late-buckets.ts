/** A rollup width, as the store names it. */
export type RollupUnit = "minute" | "hour" | "day";

/** Rollups to compute again: the `unit` buckets in [from, to) of these monitors. */
export interface RollupRange {
  unit: RollupUnit;
  from: Date;
  to: Date;
  monitorIds: string[];
}

const widths: Record<RollupUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * The rollups that late results make stale: for each (monitor, minute) they fall in, that minute, its hour and its day
 * (UTC). Adjacent buckets of the same monitors become one range, so an agent's buffer of a day sent at once is three
 * ranges (its minutes, hours and days), not thousands. Ranges come oldest first within each unit, minutes first.
 */
export function staleRollups(buckets: readonly { monitorId: string; minute: Date }[]): RollupRange[] {
  const ranges: RollupRange[] = [];
  for (const unit of ["minute", "hour", "day"] as const) {
    const width = widths[unit];
    const monitorsAt = new Map<number, Set<string>>();
    for (const { monitorId, minute } of buckets) {
      const start = minute.getTime() - (minute.getTime() % width);
      let set = monitorsAt.get(start);
      if (set === undefined) monitorsAt.set(start, (set = new Set()));
      set.add(monitorId);
    }
    let open: (RollupRange & { key: string }) | undefined;
    for (const start of [...monitorsAt.keys()].sort((a, b) => a - b)) {
      const monitorIds = [...monitorsAt.get(start)!].sort();
      const key = monitorIds.join("\n");
      if (open !== undefined && open.to.getTime() === start && open.key === key) {
        open.to = new Date(start + width);
        continue;
      }
      if (open !== undefined) ranges.push(rangeOf(open));
      open = { unit, from: new Date(start), to: new Date(start + width), monitorIds, key };
    }
    if (open !== undefined) ranges.push(rangeOf(open));
  }
  return ranges;
}

function rangeOf(open: RollupRange & { key: string }): RollupRange {
  return { unit: open.unit, from: open.from, to: open.to, monitorIds: open.monitorIds };
}
