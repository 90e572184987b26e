import { AppError, isAppError } from "../core/errors.ts";
import { scrub } from "./redact.ts";

// Socket-level failures: the database is not reachable, whatever the query was.
const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

// Messages pg and PGlite use for a pool, client or instance that cannot serve queries.
const unavailableMessages = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /cannot use a pool after calling end/i,
  /client has encountered a connection error/i,
  /client was closed and is not queryable/i,
  /pglite is clos(ed|ing)/i,
  /the embedded database thread stopped/i,
  /the server does not support ssl/i,
  /^connect ENOENT/, // a unix-socket path that does not exist
];

/** How an error reached the store boundary: what to call the database, and which secrets to scrub. */
export interface ErrorContext {
  description: string;
  secrets: readonly string[];
}

/** The underlying driver error: drizzle wraps driver errors (with the query and params) in `cause`. */
function driverError(err: unknown): { code?: unknown; message: string } {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if ("code" in current && current.code !== undefined) return current as Error & { code?: unknown };
    if (current.cause === undefined) break;
    current = current.cause;
  }
  return current instanceof Error ? current : { message: String(current) };
}

/** True when `err` means the database could not be reached or refused the session. */
export function isUnavailable(err: unknown): boolean {
  const inner = driverError(err);
  const code = typeof inner.code === "string" ? inner.code : "";
  if (networkCodes.has(code)) return true;
  // SQLSTATE 08 connection exception, 28 authorization, 53 resources, 57P0x shutdown, 3D000 no such database.
  if (/^(08|28|53)/.test(code) || /^57P0/.test(code) || code === "3D000") return true;
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.every(isUnavailable);
  return unavailableMessages.some((re) => re.test(inner.message)) || unavailableMessages.some((re) => re.test(errorMessage(err)));
}

/** A store_unavailable AppError whose message and cause carry no secret. */
export function unavailable(err: unknown, context: ErrorContext): AppError {
  const inner = driverError(err);
  // Node's AggregateError (every address of a host refused) has a code but an empty message.
  const code = typeof inner.code === "string" ? inner.code : "";
  const reason = scrub(inner.message || errorMessage(err) || code || "unknown error", context.secrets);
  // A fresh, scrubbed cause: the original may hold the URL (e.g. a URL parse error's `input`).
  const cause = new Error(reason);
  if (code !== "") Object.assign(cause, { code });
  return new AppError("store_unavailable", `${context.description} is unavailable: ${reason}`, { cause });
}

/** Maps a driver error to Vigil's vocabulary; anything unrecognised is rethrown unchanged (a bug). */
export function translate(err: unknown, context: ErrorContext): unknown {
  if (isAppError(err)) return err;
  if (isUnavailable(err)) return unavailable(err, context);
  const inner = driverError(err);
  if (inner.code === "23505") return new AppError("conflict", `already exists: ${detailOf(inner)}`, { cause: err });
  if (inner.code === "23503") return new AppError("not_found", `refers to something that does not exist: ${detailOf(inner)}`, { cause: err });
  return err;
}

function detailOf(inner: { message: string }): string {
  const detail = (inner as { detail?: unknown }).detail;
  return typeof detail === "string" ? detail : inner.message;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
