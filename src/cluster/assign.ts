/**
 * Which node checks which monitor: rendezvous (highest random weight) hashing over the live nodes. Every node computes
 * the same answer from the same membership, without talking to the others; when a node leaves, only its monitors
 * move (each to the node that ranks next for it), and when one joins it takes about 1/n of them from the others.
 * Pure: a stable 32-bit FNV-1a hash, no randomness, no I/O.
 */
export function ownerOf(monitorId: string, nodes: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const node of nodes) {
    const weight = mix(fnv1a(`${node}\u0000${monitorId}`));
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && node < best)) {
      best = node;
      bestWeight = weight;
    }
  }
  return best;
}

/** The monitors of `monitorIds` that `node` checks when `nodes` are live (all of them when it is the only one). */
export function monitorsOf(node: string, monitorIds: readonly string[], nodes: readonly string[]): string[] {
  const members = nodes.includes(node) ? nodes : [...nodes, node];
  return monitorIds.filter((id) => ownerOf(id, members) === node);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A finaliser (murmur3's) so that names differing in one character spread over the whole range. */
function mix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}
