import { AppError } from "../core/errors.ts";
import { withoutTrailingSlashes } from "../core/text.ts";
import { assignments, batchAnswer, type Assignments, type BatchAnswer, type ResultBatch } from "../agents/protocol.ts";

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
    return assignments.parse(await response.json());
  }

  /** Sends a batch; resolves to the node's answer. */
  async send(batch: ResultBatch, signal?: AbortSignal): Promise<BatchAnswer> {
    const response = await this.#request("POST", "/api/v1/agent/results", JSON.stringify(batch), { "content-type": "application/json" }, 30_000, signal);
    return batchAnswer.parse(await response.json());
  }

  async #request(method: string, path: string, body: string | undefined, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<Response> {
    const server = this.server;
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(`${server}${path}`, {
        method,
        headers: { ...headers, authorization: `Bearer ${this.#token}`, accept: "application/json" },
        ...(body === undefined ? {} : { body }),
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      this.#next();
      throw new Error(`${server} did not answer: ${describe(error)}`);
    }
    if (response.status === 401 || response.status === 403) {
      const message = await errorMessage(response);
      throw new AgentRefused(`${server} refused this agent: ${message}`);
    }
    if (response.status >= 500) {
      this.#next();
      throw new Error(`${server} answered ${response.status}: ${await errorMessage(response)}`);
    }
    if (response.status >= 400) throw new Error(`${server} answered ${response.status}: ${await errorMessage(response)}`);
    return response;
  }

  #next(): void {
    this.#current = (this.#current + 1) % this.#servers.length;
  }
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
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
