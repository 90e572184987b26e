import type * as z from "zod";
import { strictMap, text } from "../config/fields.ts";
import { scrub, urlSecrets } from "../store/redact.ts";
import { elapsedSince, type ErrorKind, type Fact, type Probe, type ProbeContext, type ProbeOutcome } from "./types.ts";
import { errorCode, networkErrorKind } from "./tcp.ts";

/** Facts shared by the database probes, read by the database evidence module across consecutive results. */
const facts = ["latencyMs", "uptimeS", "connections", "maxConnections", "role", "version", "holders"] as const;

function configSchema(url: z.ZodType<string, unknown>) {
  return strictMap({
    url,
    /** A statement that must succeed (SQL, or a Redis command line); a failure is a `protocol` error. */
    query: text.optional(),
  });
}

/** The keys of every database monitor: the server's URL and an optional statement that must succeed. */
export type DbProbeConfig = z.infer<ReturnType<typeof configSchema>>;

/** One connection of a database check, driven step by step by the shared check so that each step can be abandoned. */
export interface DbSession {
  /** Connects and logs in; a rejection is classified as a failure before login. */
  connect(): Promise<unknown>;
  /** Reads uptime, connections, limits, role and version. */
  readFacts(): Promise<Record<string, Fact>>;
  /** Who holds the connections (the `holders` fact, db/holders.ts) and other counters; a failure leaves `holders` null. */
  readHolders?(): Promise<Record<string, Fact>>;
  /** Runs the monitor's `query`. */
  query(statement: string): Promise<unknown>;
  /** Frees the connection; `graceful` when the check went well and the server deserves a proper goodbye. */
  close(graceful: boolean): Promise<void> | void;
  /** Swaps a vague driver error for the cause it reported elsewhere, before classification. */
  explain?(err: unknown): unknown;
}

/** Driver-specific signs of each error kind, on top of the network codes every driver shares. */
export interface ErrorRules {
  timeout?(code: string, message: string): boolean;
  connect?(code: string, message: string): boolean;
  tls?(code: string, message: string): boolean;
  /** Whether the server refused the connection because all of its connections are taken. */
  saturated?(code: string, message: string): boolean;
  /** Whether the server refused the credentials; `loggedIn` is true once facts were read (or for the query). */
  auth(code: string, message: string, loggedIn: boolean): boolean;
}

/** What a database probe adds to the shared check: its type, URL field, error rules and a way to open a session. */
export interface DbDriver {
  type: string;
  url: z.ZodType<string, unknown>;
  errors: ErrorRules;
  /** Facts this driver reports beyond the shared ones (server identity, replication, transactions). */
  facts?: readonly string[];
  /** Creates the client without waiting for it; a throw (a URL the driver rejects) is a `protocol` error. */
  open(url: string, connectTimeoutMs: number): DbSession;
}

/** A probe that connects to a database server, reads the shared facts and runs the monitor's optional query. */
export function databaseProbe(driver: DbDriver): Probe<DbProbeConfig> {
  return { type: driver.type, configSchema: configSchema(driver.url), facts: [...facts, ...(driver.facts ?? [])], run: (config, ctx) => check(driver, config, ctx) };
}

async function check(driver: DbDriver, config: DbProbeConfig, ctx: ProbeContext): Promise<ProbeOutcome> {
  const started = performance.now();
  const secrets = urlSecrets(config.url);
  // The caller aborts ctx.signal at the timeout; the local timer is a backstop if it does not.
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]);
  const down = (kind: ErrorKind, message: string, known: Record<string, Fact> = {}): ProbeOutcome => {
    const latencyMs = elapsedSince(started);
    return { status: "down", latencyMs, facts: { ...known, latencyMs }, error: { kind, message: scrub(message, secrets) } };
  };
  if (signal.aborted) return down("timeout", `timed out after ${ctx.timeoutMs} ms`);

  let session: DbSession;
  try {
    session = driver.open(config.url, connectTimeoutFor(ctx.timeoutMs));
  } catch (err) {
    return down("protocol", describe(err));
  }
  const classified = (err: unknown, loggedIn: boolean) =>
    classify(session.explain ? session.explain(err) : err, ctx.timeoutMs, loggedIn, driver.errors);

  let graceful = false;
  let known: Record<string, Fact> = {};
  try {
    await untilAborted(session.connect(), signal);
    known = await untilAborted(session.readFacts(), signal);
    if (session.readHolders) known = { ...known, ...(await holdersOf(session.readHolders(), signal)) };
    if (config.query !== undefined) {
      try {
        await untilAborted(session.query(config.query), signal);
      } catch (err) {
        const { kind, message } = classified(err, true);
        return down(kind, `query failed: ${message}`, known);
      }
    }
    graceful = true;
    const latencyMs = elapsedSince(started);
    return { status: "up", latencyMs, facts: { ...known, latencyMs } };
  } catch (err) {
    const { kind, message } = classified(err, Object.keys(known).length > 0);
    return down(kind, message, known);
  } finally {
    await session.close(graceful);
  }
}

/** Who holds the connections; `holders` null when the server would not say (an abort still ends the check). */
async function holdersOf(work: Promise<Record<string, Fact>>, signal: AbortSignal): Promise<Record<string, Fact>> {
  try {
    return await untilAborted(work, signal);
  } catch (err) {
    if (err === aborted) throw err;
    return { holders: null };
  }
}

/** Half the check's budget for connecting (at least 1 s, at most all of it), so a slow connect is named as such. */
function connectTimeoutFor(timeoutMs: number): number {
  return Math.max(1, Math.min(timeoutMs, Math.max(1000, Math.round(timeoutMs / 2))));
}

/** Waits for `work` to settle, but no longer than `ms`; its failure is ignored. */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** A finite number read from a server's text (or numeric) value, or null. */
export function toNumber(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

const aborted = Symbol("aborted");

/** Settles like `work`, or rejects with `aborted` as soon as `signal` fires. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {}); // after an abort the driver still fails the command: expected, not unhandled
  if (signal.aborted) return Promise.reject(aborted);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Sorts a failure into an error kind: network codes first, then the driver's rules (a full pool is `saturated`,
 * never `protocol`); anything else is `protocol`.
 */
function classify(err: unknown, timeoutMs: number, loggedIn: boolean, rules: ErrorRules): { kind: ErrorKind; message: string } {
  if (err === aborted) return { kind: "timeout", message: `timed out after ${timeoutMs} ms` };
  const code = errorCode(err);
  const message = describe(err);
  // Network codes mean the same for every probe (tcp.ts); the driver's rules cover its own messages.
  const network = networkErrorKind(code);
  if (network === "timeout" || rules.timeout?.(code, message)) return { kind: "timeout", message: `connect timed out (${message})` };
  if (network === "connect" || rules.connect?.(code, message)) return { kind: "connect", message };
  if (network === "dns") return { kind: "dns", message };
  if (network === "tls" || rules.tls?.(code, message)) return { kind: "tls", message };
  if (rules.saturated?.(code, message)) return { kind: "saturated", message };
  if (rules.auth(code, message, loggedIn)) return { kind: "auth", message };
  return { kind: "protocol", message };
}


/** The driver's message; Node's AggregateError (one error per address tried) has an empty one. */
function describe(err: unknown): string {
  if (err instanceof AggregateError && err.message === "") return err.errors.map((e) => describe(e)).join("; ") || errorCode(err);
  if (err instanceof Error) return err.message || errorCode(err) || err.name;
  return String(err);
}
