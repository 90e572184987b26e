import { Worker } from "node:worker_threads";

/**
 * The embedded database in its own thread (pglite-thread.mjs), seen from the main thread through
 * the part of PGlite's client that drizzle and the migration runner use: `query`, `exec`,
 * `transaction`, `closed` and `close`.
 *
 * The protocol: each request carries an id and is answered once, `{ id, ok, value | error }`. A
 * transaction is interactive: `begin` answers with a transaction id once BEGIN ran; queries
 * tagged with it run inside; `end` commits (or rolls back) and answers when that is done. The
 * thread runs it inside PGlite's own `transaction()`, whose lock makes every query outside it
 * wait until it ends, exactly as on the main thread.
 *
 * Parsers are functions, which cannot cross threads: the thread returns PostgreSQL's text for
 * each type a parser is given for, and the parser runs here. Errors come back as plain objects
 * with their PostgreSQL fields (code, detail, constraint...) and are rebuilt as Errors.
 */

/** A type parser, as PGlite calls it: the value's text and its type id. */
export type TypeParser = (value: string, typeId: number) => unknown;

/** The query options drizzle passes; others (serializers, notices, blobs) would not survive the hop. */
export interface ThreadQueryOptions {
  rowMode?: "array" | "object";
  parsers?: Record<number, TypeParser>;
  paramTypes?: number[];
}

/** A query's answer, as PGlite gives it. */
export interface ThreadResults<T = Record<string, unknown>> {
  rows: T[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
}

/** What a query runs on: the whole database, or an open transaction. */
export interface ThreadSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: ThreadQueryOptions): Promise<ThreadResults<T>>;
  exec(sql: string, options?: ThreadQueryOptions): Promise<ThreadResults[]>;
}

/** An open transaction: PGlite's Transaction, as far as drizzle uses it. */
export interface ThreadTransaction extends ThreadSession {
  rollback(): Promise<void>;
  readonly closed: boolean;
}

/** An error from the embedded database, with the fields PostgreSQL gave it (code, detail, constraint...). */
export class EmbeddedDatabaseError extends Error {
  [field: string]: unknown;
}

type Request = { op: "query"; sql: string; params?: unknown[]; options?: WireOptions; tx?: number } | { op: "exec"; sql: string; options?: WireOptions; tx?: number } | { op: "begin" } | { op: "rollback"; tx: number } | { op: "end"; tx: number; commit: boolean } | { op: "close" };
type WireOptions = { rowMode?: "array" | "object"; paramTypes?: number[]; parserTypes?: number[] };
type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: Record<string, unknown> & { message: string } };

/** Said by every request once the thread has stopped without being closed; errors.ts maps it to store_unavailable. */
export const threadStoppedMessage = "the embedded database thread stopped";

/** Requests sent to any embedded database thread of this process and not answered yet. */
let inFlight = 0;

/**
 * How many requests to embedded database threads are waiting for their answer, across the process: a test driving time
 * by hand waits for none before it moves the clock on (a query answered by another thread takes turns of the event
 * loop, where one on the main thread took none).
 */
export function embeddedRequestsInFlight(): number {
  return inFlight;
}

/** Starts the thread and opens PGlite in `dataDir` there; rejects with the thread's error when it cannot. */
export function startPgliteThread(dataDir: string, settings: string): Promise<PgliteThreadClient> {
  const thread = new Worker(new URL("./pglite-thread.mjs", import.meta.url), { workerData: { dataDir, settings } });
  return new Promise((resolve, reject) => {
    const client = new PgliteThreadClient(thread, (error) => (error ? reject(error) : resolve(client)));
  });
}

/** The main thread's handle on the embedded database thread. */
export class PgliteThreadClient implements ThreadSession {
  /** The thread itself (tests end it to see what a crash does). */
  readonly thread: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #stopped: Error | undefined;
  #closing: Promise<void> | undefined;

  constructor(thread: Worker, started: (error?: Error) => void) {
    this.thread = thread;
    let ready = false;
    thread.on("message", (answer: Answer) => {
      if (answer.id === 0) {
        ready = answer.ok;
        if (answer.ok) {
          // Idle, the thread does not keep the process alive; a request in flight does.
          thread.unref();
          started();
        } else started(rebuild(answer.error));
        return;
      }
      const waiting = this.#pending.get(answer.id);
      if (!waiting) return;
      this.#pending.delete(answer.id);
      inFlight--;
      if (this.#pending.size === 0) thread.unref();
      if (answer.ok) waiting.resolve(answer.value);
      else waiting.reject(rebuild(answer.error));
    });
    const stop = (reason: string) => {
      if (this.#stopped) return;
      this.#stopped = new Error(`${threadStoppedMessage}: ${reason}`);
      if (!ready) started(this.#stopped);
      for (const waiting of this.#pending.values()) waiting.reject(this.#stopped);
      inFlight -= this.#pending.size;
      this.#pending.clear();
    };
    thread.on("error", (error) => stop(error.message));
    thread.on("exit", (code) => stop(this.#closing ? "closed" : `exited with code ${code}`));
  }

  /** True once closed, or once the thread has stopped. */
  get closed(): boolean {
    return this.#closing !== undefined || this.#stopped !== undefined;
  }

  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: ThreadQueryOptions): Promise<ThreadResults<T>> {
    return this.#query<T>(sql, params, options, undefined);
  }

  exec(sql: string, options?: ThreadQueryOptions): Promise<ThreadResults[]> {
    return this.#exec(sql, options, undefined);
  }

  /**
   * Runs `callback` in one transaction: committed when it resolves, rolled back when it throws.
   * Queries outside it wait until it ends (the embedded database is one session).
   */
  async transaction<T>(callback: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
    const id = await this.#request<number>({ op: "begin" });
    let closed = false;
    const open = (): void => {
      if (closed) throw new Error("Transaction is closed");
    };
    const tx: ThreadTransaction = {
      query: async (sql, params, options) => {
        open();
        return this.#query(sql, params, options, id);
      },
      exec: async (sql, options) => {
        open();
        return this.#exec(sql, options, id);
      },
      rollback: async () => {
        open();
        await this.#request({ op: "rollback", tx: id });
        closed = true;
      },
      get closed() {
        return closed;
      },
    };
    let result: T;
    try {
      result = await callback(tx);
    } catch (error) {
      closed = true;
      await this.#request({ op: "end", tx: id, commit: false });
      throw error;
    }
    closed = true;
    await this.#request({ op: "end", tx: id, commit: true });
    return result;
  }

  /** Closes the database (waiting for queries in flight), then ends the thread. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        if (!this.#stopped) await this.#request({ op: "close" }, true);
      } finally {
        await this.thread.terminate();
      }
    })();
    return this.#closing;
  }

  async #query<T>(sql: string, params: unknown[] | undefined, options: ThreadQueryOptions | undefined, tx: number | undefined): Promise<ThreadResults<T>> {
    const results = await this.#request<ThreadResults<T>>({ op: "query", sql, params, options: wire(options), tx });
    return parsed(results, options);
  }

  async #exec(sql: string, options: ThreadQueryOptions | undefined, tx: number | undefined): Promise<ThreadResults[]> {
    const results = await this.#request<ThreadResults[]>({ op: "exec", sql, options: wire(options), tx });
    return results.map((r) => parsed(r, options));
  }

  #request<T>(request: Request, closing = false): Promise<T> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    // The same words as PGlite's own, which errors.ts knows.
    if (this.#closing && !closing) return Promise.reject(new Error("PGlite is closed"));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.#pending.size === 0) this.thread.ref();
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      inFlight++;
      this.thread.postMessage({ ...request, id });
    });
  }
}

function wire(options: ThreadQueryOptions | undefined): WireOptions | undefined {
  if (!options) return undefined;
  const unsupported = Object.keys(options).filter((key) => !["rowMode", "parsers", "paramTypes"].includes(key));
  if (unsupported.length > 0) throw new Error(`query options ${unsupported.join(", ")} cannot reach the embedded database thread`);
  const out: WireOptions = {};
  if (options.rowMode) out.rowMode = options.rowMode;
  if (options.paramTypes) out.paramTypes = options.paramTypes;
  if (options.parsers) out.parserTypes = Object.keys(options.parsers).map(Number);
  return out;
}

/** Applies the caller's parsers to the text the thread returned for their types. */
function parsed<T>(results: ThreadResults<T>, options: ThreadQueryOptions | undefined): ThreadResults<T> {
  const parsers = options?.parsers;
  if (!parsers || !results.fields) return results;
  const byObject = options.rowMode !== "array";
  results.fields.forEach((field, index) => {
    const parser = parsers[field.dataTypeID];
    if (!parser) return;
    const key = byObject ? field.name : index;
    for (const row of results.rows as Record<string | number, unknown>[]) {
      const value = row[key];
      if (typeof value === "string") row[key] = parser(value, field.dataTypeID);
    }
  });
  return results;
}

function rebuild(fields: Record<string, unknown> & { message: string }): EmbeddedDatabaseError {
  const { message, stack: _stack, ...rest } = fields;
  const error = new EmbeddedDatabaseError(message);
  Object.assign(error, rest);
  return error;
}
