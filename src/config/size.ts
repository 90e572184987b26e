const unitBytes: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const sizePattern = /^(\d+)(b|kb|mb|gb)$/i;

/** Parses a size such as `512kb` or `1mb` (binary multiples: 1kb = 1024 bytes) into bytes; undefined when it is not one. */
export function parseSize(text: string): number | undefined {
  const match = sizePattern.exec(text);
  if (match === null) return undefined;
  const bytes = Number(match[1]) * (unitBytes[(match[2] ?? "").toLowerCase()] ?? Number.NaN);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
