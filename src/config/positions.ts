import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";
import type { ConfigPath } from "./path.ts";

/** A place in the file, 1-based. */
export interface Position {
  line: number;
  column: number;
}

/**
 * The position of the node at `path`, or of the deepest node on the way when the path leaves the
 * document (a missing key is reported at the mapping that lacks it). With `atKey`, the last segment
 * names a key, and the key itself is pointed at rather than its value.
 */
export function positionOf(doc: Document, lines: LineCounter, path: ConfigPath, atKey = false): Position | undefined {
  let node: unknown = doc.contents;
  let best: Node | undefined = isNode(node) ? node : undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      const last = i === path.length - 1;
      if (last && atKey && isNode(pair.key)) {
        best = pair.key;
        break;
      }
      // A key with no value (`url:`) has no value node: point at its key.
      node = pair.value;
      best = isNode(pair.value) && pair.value.range ? pair.value : isNode(pair.key) ? pair.key : best;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (!isNode(item)) break;
      node = item;
      best = item;
    } else break;
  }
  const offset = best?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && "range" in value;
}
