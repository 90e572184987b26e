import { AppError } from "../core/errors.ts";
import { withoutTrailingSlashes } from "../core/text.ts";
import { assignments, batchAnswer, checkRequests, type Assignments, type BatchAnswer, type CheckRequestsBody, type ResultBatch } from "../agents/protocol.ts";

/** A node refused the agent for good (a bad, revoked or wrong-region token): retrying will not help. */
export class AgentRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AgentRefused";
  }
}

/**
 * The agent's side of the HTTP API, over one or more nodes: a request that cannot reach a node (or that a node
 * answers with a 5xx) moves on to the next node for the next request. 401 and 403 throw AgentRefused.
 */
export class AgentClient {
  readonly #servers: string[];
  readonly #token: string;
  readonly #fetch: typeof fetch;
  #current = 0;

  constructor(servers: readonly string[], token: string, fetchImpl: typeof fetch = fetch) {
    if (servers.length === 0) throw new AppError("validation_failed", "an agent needs at least one server (--server URL)");
    this.#servers = servers.map((s) => withoutTrailingSlashes(s));
    this.#token = token;
    this.#fetch = fetchImpl;
  }

  /** The node the next request goes to. */
  get server(): string {
    return this.#servers[this.#current]!;
  }

  /**
   * The region's assignments: at once without `etag`; with it, when they differ from it (or undefined when `waitMs`
   * ran out without a change).
   */
  async assignments(query: { region?: string; agent: string; etag?: string; waitMs?: number }, signal?: AbortSignal): Promise<Assignments | undefined> {
    const params = new URLSearchParams({ agent: query.agent });
    if (query.region !== undefined) params.set("region", query.region);
    if (query.waitMs !== undefined) params.set("wait", String(query.waitMs));
    const headers: Record<string, string> = {};
    if (query.etag !== undefined) headers["if-none-match"] = query.etag;
    const response = await this.#request("GET", `/api/v1/agent/assignments?${params}`, undefined, headers, (query.waitMs ?? 0) + 15_000, signal);
    if (response.status === 304) return undefined;
    return assignments.parse(JSON.parse(response.text));
  }

  /** Monitors to check at once (another region saw them change), after `after`, waiting up to `waitMs` for some. */
  async checks(query: { region?: string; after?: string; waitMs: number }, signal?: AbortSignal): Promise<CheckRequestsBody> {
    const params = new URLSearchParams({ wait: String(query.waitMs) });
    if (query.region !== undefined) params.set("region", query.region);
    if (query.after !== undefined) params.set("after", query.after);
    const response = await this.#request("GET", `/api/v1/agent/checks?${params}`, undefined, {}, query.waitMs + 15_000, signal);
    return checkRequests.parse(JSON.parse(response.text));
  }

  /** Sends a batch; resolves to the node's answer. */
  async send(batch: ResultBatch, signal?: AbortSignal): Promise<BatchAnswer> {
    const response = await this.#request("POST", "/api/v1/agent/results", JSON.stringify(batch), { "content-type": "application/json" }, 30_000, signal);
    return batchAnswer.parse(JSON.parse(response.text));
  }

  async #request(method: string, path: string, body: string | undefined, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    const server = this.server;
    // A timer of its own (not AbortSignal.timeout combined with AbortSignal.any, which Node 20 may collect before it
    // fires): a request into a partition must end, or nothing queued behind it is ever sent.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(`${server}${path}`, {
        method,
        headers: { ...headers, authorization: `Bearer ${this.#token}`, accept: "application/json" },
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
      });
      // The body is read under the same deadline: a connection can stall halfway through an answer too.
      text = await response.text();
    } catch (error) {
      this.#next();
      throw new Error(`${server} did not answer: ${controller.signal.aborted && !signal?.aborted ? `no answer in ${timeoutMs} ms` : describe(error)}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
    if (response.status === 401 || response.status === 403) throw new AgentRefused(`${server} refused this agent: ${errorMessage(response, text)}`);
    if (response.status >= 500) {
      this.#next();
      throw new Error(`${server} answered ${response.status}: ${errorMessage(response, text)}`);
    }
    if (response.status >= 400) throw new Error(`${server} answered ${response.status}: ${errorMessage(response, text)}`);
    return { status: response.status, text };
  }

  #next(): void {
    this.#current = (this.#current + 1) % this.#servers.length;
  }
}

function errorMessage(response: Response, text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    if (typeof parsed.error?.message === "string") return parsed.error.message;
  } catch {
    // Not Vigil's error body: the status says enough.
  }
  return text.slice(0, 200) || response.statusText;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
