/**
 * Staggered regions: the regions that check a monitor do so at offset phases of its interval, `interval / n` apart,
 * so that some region checks it within a fraction of the interval after any moment. A phase is a place on a grid
 * anchored to the epoch (wall-clock time): every region, the server's runner and each agent, computes the same grid
 * from the same numbers, with no talk between them. Clocks that differ by a second shift the grid by as much.
 */

/** A 32-bit FNV-1a hash of a string: spreads monitors over their interval the same way on every machine. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Where on its interval the `index`-th of `count` regions checks a monitor (ms after each multiple of the interval
 * since the epoch): the monitor's own place (from its id) plus `index` shares of the interval.
 */
export function phaseOf(monitorId: string, index: number, count: number, intervalMs: number): number {
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count) {
    throw new RangeError(`region ${index} of ${count}: expected 0 ≤ index < count`);
  }
  const base = fnv1a(monitorId) % intervalMs;
  return (base + Math.floor((index * intervalMs) / count)) % intervalMs;
}

/** The first time at or after `t` (epoch ms) that lies on the grid `phaseMs + k × intervalMs`. */
export function nextOnGrid(t: number, phaseMs: number, intervalMs: number): number {
  const offset = (((t - phaseMs) % intervalMs) + intervalMs) % intervalMs;
  return offset === 0 ? t : t + intervalMs - offset;
}
