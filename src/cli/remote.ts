import { Option, type Command } from "commander";
import { AppError, errorCodes, type ErrorCode, type ErrorDetail } from "../core/errors.ts";
import type { CliIo } from "./context.ts";
import { withoutTrailingSlashes } from "../core/text.ts";

/** Flags of commands that talk to a running Vigil. */
export interface RemoteFlags {
  url?: string;
  token?: string;
}

/** Adds --url and --token (defaults: $VIGIL_URL or http://127.0.0.1:8080, $VIGIL_TOKEN). */
export function remoteOptions(command: Command): Command {
  return command
    .addOption(new Option("--url <url>", "Vigil's address (default: $VIGIL_URL, else http://127.0.0.1:8080)"))
    .addOption(new Option("--token <token>", "API token (default: $VIGIL_TOKEN); prefer the variable, which stays out of shell history"));
}

/** The code of an error a running Vigil answered with: one of Vigil's own, else `bad_request`. */
export function errorCodeOf(code: string | undefined): ErrorCode {
  return errorCodes.includes(code as ErrorCode) ? (code as ErrorCode) : "bad_request";
}

/** A client of the native API of a running Vigil; errors come back as AppErrors carrying the server's message. */
export interface RemoteApi {
  get(path: string): Promise<unknown>;
  send(method: "POST" | "PUT" | "PATCH", path: string, body?: unknown): Promise<unknown>;
}

export function remoteApi(io: CliIo, flags: RemoteFlags, fetchImpl: typeof fetch = fetch): RemoteApi {
  const base = withoutTrailingSlashes(flags.url ?? io.env["VIGIL_URL"] ?? "http://127.0.0.1:8080");
  const token = flags.token ?? io.env["VIGIL_TOKEN"];
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers["authorization"] = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
      throw new AppError("store_unavailable", `cannot reach Vigil at ${base}: ${cause} (set VIGIL_URL or --url)`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === "" ? null : (JSON.parse(text) as unknown);
    } catch {
      // Not Vigil's answer (a proxy's error page, another web server): say so rather than fail as a bug.
      throw new AppError("store_unavailable", `${method} ${path}: ${response.status} ${response.statusText}: the answer is not JSON; is Vigil at ${base}? (set VIGIL_URL or --url)`);
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | null)?.error;
      const hint = response.status === 401 && !token ? " (set VIGIL_TOKEN or --token)" : "";
      throw new AppError(errorCodeOf(error?.code), `${method} ${path}: ${response.status} ${error?.message ?? response.statusText}${hint}`, { details: error?.details ?? [] });
    }
    return json;
  };
  return { get: (path) => call("GET", path), send: (method, path, body) => call(method, path, body) };
}
