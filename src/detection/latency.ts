import type { DetectionPolicy } from "./types.ts";

/** Good latencies kept per monitor and region: about 20 minutes at a 20 s interval, ~0.5 KB of saved state. */
export const latencySampleSize = 64;
/** Below this many good latencies a monitor has no usual latency yet, and nothing is suspect. */
export const minLatencySamples = 5;
/** How long the slowest good answers are remembered. */
export const slowestWindowMs = 6 * 3_600_000;
/** A check is never suspect before this many times the second slowest good answer remembered. */
export const slowestMargin = 2;

/** The usual latency of a monitor in a region: the median (what it usually takes) and the p99 (its slow end). */
export interface UsualLatency {
  medianMs: number;
  p99Ms: number;
  samples: number;
}

/** `samples` with `latencyMs` added (rounded to 0.1 ms), keeping the newest `latencySampleSize`. */
export function addLatency(samples: readonly number[] | undefined, latencyMs: number): number[] {
  if (!Number.isFinite(latencyMs) || latencyMs < 0) return [...(samples ?? [])];
  return [...(samples ?? []), Math.round(latencyMs * 10) / 10].slice(-latencySampleSize);
}

/**
 * The two slowest good answers of the last `slowestWindowMs`, slowest first, after a good answer of `latencyMs`
 * at `at`. Two, so that one outlier (a cold start, a pause) does not hold the deadline up for hours.
 */
export function updateSlowest(previous: readonly unknown[] | undefined, latencyMs: number, at: number): { ms: number; at: number }[] {
  const kept = (Array.isArray(previous) ? previous : []).filter(
    (s): s is { ms: number; at: number } => typeof s === "object" && s !== null && Number.isFinite((s as { ms: unknown }).ms) && Number.isFinite((s as { at: unknown }).at) && at - (s as { at: number }).at <= slowestWindowMs,
  );
  if (Number.isFinite(latencyMs) && latencyMs >= 0) kept.push({ ms: latencyMs, at });
  return kept.sort((a, b) => b.ms - a.ms || b.at - a.at).slice(0, 2);
}

/** The second slowest good answer remembered (0 while fewer than two are). */
export function secondSlowestMs(slowest: readonly { ms: number }[] | undefined): number {
  return Array.isArray(slowest) && slowest.length >= 2 ? Math.min(slowest[0]!.ms, slowest[1]!.ms) : 0;
}

/**
 * Median and p99 of the good latencies (linear interpolation between the nearest ranks, so one stray slow answer
 * among 64 moves the p99 only part of the way to it); undefined with fewer than `minLatencySamples`.
 * Anything that is not a finite number ≥ 0 (a hand-edited saved state) is skipped.
 */
export function usualLatency(samples: readonly unknown[] | undefined): UsualLatency | undefined {
  const sorted = (samples ?? []).filter((v): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
  if (sorted.length < minLatencySamples) return undefined;
  return { medianMs: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), samples: sorted.length };
}

/**
 * How long after its start a check is suspect: `factor` × the p99 of the good latencies, at least `floorMs`, and
 * at least `slowestMargin` × the second slowest good answer of the last hours (`slowestMs`): a target whose rare
 * slow answers fell out of the last 64 has still shown, twice, that it can take that long and be fine. Undefined
 * while there are too few samples or suspicion is off.
 */
export function suspicionDelayMs(samples: readonly unknown[] | undefined, suspect: DetectionPolicy["suspect"], slowestMs = 0): number | undefined {
  if (suspect === null) return undefined;
  const usual = usualLatency(samples);
  if (usual === undefined) return undefined;
  const slowest = Number.isFinite(slowestMs) && slowestMs > 0 ? slowestMs : 0;
  return Math.max(suspect.floorMs, Math.ceil(suspect.factor * usual.p99Ms), Math.ceil(slowestMargin * slowest));
}

/** The evidence a suspicion gives: "no answer after 1.2 s, usually 3 ms". */
export function hangWarning(elapsedMs: number, usualMs: number): string {
  return `no answer after ${formatMs(elapsedMs)}, usually ${formatMs(usualMs)}`;
}

/** 0.4 ms, 3 ms, 250 ms, 1.2 s, 16 s. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = ms / 1_000;
  return `${s < 10 ? Math.round(s * 10) / 10 : Math.round(s)} s`;
}

function quantile(sorted: readonly number[], q: number): number {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}
