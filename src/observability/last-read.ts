/** How long a scrape waits for a read before it answers with the last one. */
const waitMs = 500;
/** A read younger than this is used as it is. */
const freshMs = 2_000;

/**
 * `read` for a scrape of `/metrics`: at most one at a time, reused for a couple of seconds, and never waited for more
 * than half a second: a node cut off from its database still answers `/metrics` (with what it last read, `initial`
 * before any read succeeded), which is when it matters. A failed read keeps the last one.
 */
export function lastRead<T>(read: () => Promise<T>, initial: T): () => Promise<T> {
  let value = initial;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  return async () => {
    if (reading === undefined && performance.now() - readAt >= freshMs) {
      reading = read()
        .then((found) => {
          value = found;
          readAt = performance.now();
        })
        .catch(() => undefined)
        .finally(() => (reading = undefined));
    }
    if (reading !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([reading, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs).unref()))]);
      clearTimeout(timer);
    }
    return value;
  };
}
