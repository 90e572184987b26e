/**
 * Whether JSON text nests arrays and objects deeper than `limit`, in one pass without parsing (brackets inside strings
 * do not count). V8's JSON.parse takes time superlinear in the nesting (a third of a second for a megabyte of `[`):
 * this lets a body be refused before it is parsed. Text that is not JSON is left to the parser to refuse.
 */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  // Each level takes a character: a short text cannot nest deeper than it is long.
  if (text.length <= limit) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote (one not escaped by an odd run of backslashes), natively.
      for (;;) {
        const close = text.indexOf('"', i + 1);
        if (close === -1) return false;
        let backslashes = 0;
        while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++;
        i = close;
        if (backslashes % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
