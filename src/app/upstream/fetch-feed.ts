/**
 * One conditional GET of a provider's status feed: the validators of the last answer are sent back
 * (`If-None-Match`, `If-Modified-Since`), so an unchanged feed costs the provider a 304; the body is read
 * up to a cap and the request given a deadline, so a hostile or broken feed costs Vigil bounded time
 * and memory. Errors name the host only (a feed URL may carry a key), never quote the body.
 */

/** The most of a feed read; more is an error on the feed (providers' feeds are tens of kilobytes). */
export const maxFeedBytes = 2 * 1024 * 1024;

/** What the last good answer said, to send back. */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export type FetchOutcome =
  | { kind: "changed"; body: string; validators: Validators }
  | { kind: "unchanged" }
  | { kind: "failed"; error: string };

export interface FetchFeedOptions {
  accept: string;
  /** The last answer's validators; null for an unconditional GET. */
  validators: Validators | null;
  timeoutMs: number;
  fetch?: typeof fetch | undefined;
  /** Cancels the request (the watcher stopping): the outcome is then `failed` with "the request was cancelled". */
  signal?: AbortSignal | undefined;
}

/** "2 MiB", "512 KiB", "300 bytes". */
function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** "10 s", "1.5 s", "300 ms". */
function durationText(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

/**
 * GETs `url`: `changed` with the body (decoded as UTF-8) and the answer's validators on a 2xx, `unchanged` on a 304,
 * `failed` with a message naming the host for anything else — a refused or broken connection, a non-2xx status, a
 * body over `maxFeedBytes` (declared or streamed), no answer (or no whole body) within `timeoutMs`, a cancelled
 * request. Never throws.
 */
export async function fetchFeed(url: string, options: FetchFeedOptions): Promise<FetchOutcome> {
  const host = URL.canParse(url) ? new URL(url).host : "the feed";
  const headers: Record<string, string> = { accept: options.accept, "user-agent": "Vigil (status feed reader)" };
  if (options.validators?.etag) headers["if-none-match"] = options.validators.etag;
  if (options.validators?.lastModified) headers["if-modified-since"] = options.validators.lastModified;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  const cancelled = (): boolean => options.signal?.aborted === true && !deadline.aborted;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { headers, signal, redirect: "follow" });
  } catch (error) {
    if (cancelled()) return { kind: "failed", error: "the request was cancelled" };
    if (signal.aborted) return { kind: "failed", error: `${host} did not answer within ${durationText(options.timeoutMs)}` };
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    const code = typeof cause === "string" ? cause : undefined;
    return { kind: "failed", error: code === "ECONNREFUSED" ? `connection refused by ${host}` : `could not reach ${host}${code ? ` (${code})` : ""}` };
  }
  if (response.status === 304) {
    await response.body?.cancel().catch(() => undefined);
    return { kind: "unchanged" };
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    return { kind: "failed", error: `${host} answered HTTP ${response.status}` };
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxFeedBytes) {
    await response.body?.cancel().catch(() => undefined);
    return { kind: "failed", error: `${host} sent ${declared} bytes; a feed may have at most ${sizeText(maxFeedBytes)}` };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    while (reader !== undefined) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxFeedBytes) {
        await reader.cancel().catch(() => undefined);
        return { kind: "failed", error: `${host} sent more than ${sizeText(maxFeedBytes)}; a feed may have at most that` };
      }
      chunks.push(value);
    }
  } catch {
    await reader?.cancel().catch(() => undefined);
    if (cancelled()) return { kind: "failed", error: "the request was cancelled" };
    return { kind: "failed", error: signal.aborted ? `${host} did not finish answering within ${durationText(options.timeoutMs)}` : `${host} broke off its answer` };
  }
  const body = new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
  return { kind: "changed", body, validators: { etag: response.headers.get("etag"), lastModified: response.headers.get("last-modified") } };
}
