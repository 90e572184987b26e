/**
 * What a reconciliation says it did: a JSON object with a numeric `resynced` (how many records it resynced), as a
 * webhook's answer or as the last line an `exec` command prints. Read defensively: anything else (no JSON, another
 * shape, a count that is no whole number from 0) says no count, and the run is no less a success.
 */

/** The `resynced` count of a JSON object such as `{"resynced": 42}`; undefined for any other text. */
export function resyncedOf(text: string): number | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const count = (value as Record<string, unknown>)["resynced"];
  return typeof count === "number" && Number.isSafeInteger(count) && count >= 0 ? count : undefined;
}

/** The `resynced` count of a command's output: its last line that is not blank, read by `resyncedOf`. */
export function resyncedOfLastLine(output: string): number | undefined {
  const last = output
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .at(-1);
  return last === undefined ? undefined : resyncedOf(last);
}
