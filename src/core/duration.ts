const unitMs = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof unitMs;

// Largest unit first; "ms" must be tried before "m" when matching a part.
const units: readonly Unit[] = ["d", "h", "m", "s", "ms"];
const part = /(\d+)(ms|d|h|m|s)/y;

/** Parses a duration such as `500ms`, `30s`, `2m`, `1h`, `1d` or `1m30s` into milliseconds; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0) return undefined;
  let total = 0;
  let previous = -1;
  part.lastIndex = 0;
  while (part.lastIndex < text.length) {
    const start = part.lastIndex;
    const match = part.exec(text);
    if (match === null || match.index !== start) return undefined;
    const unit = match[2] as Unit;
    const rank = units.indexOf(unit);
    // Units must appear largest first and once each, so "30s1m" and "1m1m" are rejected as likely typos.
    if (rank <= previous) return undefined;
    previous = rank;
    total += Number(match[1]) * unitMs[unit];
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Formats milliseconds as the most compact duration `parseDuration` reads back, e.g. 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a duration in milliseconds: ${ms}`);
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const unit of units) {
    const count = Math.floor(rest / unitMs[unit]);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * unitMs[unit];
    }
  }
  return out;
}
