/** The rows of a raw query: node-postgres and PGlite answer with `{ rows }`, some drivers with the array itself. */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}
