/**
 * The regions each node of a cluster finds isolated, shared through the store: region → node → since when (epoch ms).
 * A region's isolation episode lasts while at least one node finds it isolated.
 */
export type IsolationRecord = Record<string, Record<string, number>>;

/** What folding one node's judgement into the record changed. */
export interface FoldedJudgement {
  record: IsolationRecord;
  /** Regions no node found isolated before and one does now: an episode begins (said once across the cluster). */
  began: string[];
  /** Regions a node found isolated before and none does now: the episode ends (said once across the cluster). */
  ended: string[];
}

/**
 * Folds `node`'s judgement (the regions it finds `isolated` at `now`) into the cluster's record: its own entries follow
 * it, and the entries of nodes no longer `live` are dropped (a node that died judges nothing). The episodes that begin
 * and end are the regions whose set of nodes goes from empty to not, and back. Pure.
 */
export function foldJudgement(record: IsolationRecord, node: string, isolated: ReadonlySet<string>, live: ReadonlySet<string>, now: number): FoldedJudgement {
  const next: IsolationRecord = {};
  for (const [region, nodes] of Object.entries(record)) {
    const kept = Object.fromEntries(Object.entries(nodes).filter(([other]) => other !== node && live.has(other)));
    if (isolated.has(region)) kept[node] = nodes[node] ?? now;
    if (Object.keys(kept).length > 0) next[region] = kept;
  }
  for (const region of isolated) next[region] ??= { [node]: now };
  const before = new Set(Object.keys(record).filter((region) => Object.keys(record[region]!).length > 0));
  return {
    record: next,
    began: Object.keys(next).filter((region) => !before.has(region)).sort(),
    ended: [...before].filter((region) => next[region] === undefined).sort(),
  };
}
