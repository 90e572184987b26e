import { createWriteStream } from "node:fs";
import { readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Option } from "commander";
import { AppError, errorCodes, type ErrorCode, type ErrorDetail } from "../core/errors.ts";
import type { CommandInstaller } from "./command.ts";
import type { CliIo } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import { remoteApi, remoteOptions, type RemoteFlags } from "./remote.ts";
import { withoutTrailingSlashes } from "../core/text.ts";

interface SubscriberJson {
  id: string;
  kind: "email" | "webhook";
  address: string;
  components: string[] | null;
  format: "vigil" | "statuspage" | null;
  confirmed_at: string;
  created_at: string;
}

interface ImportJson {
  added: number;
  updated: number;
  skipped: number;
  errors: { line: number; message: string }[];
  dry_run: boolean;
}

/** Exports and imports move whole lists: longer than the 30 s other commands wait. */
const transferTimeoutMs = 10 * 60_000;

/** One subscriber on one line. */
export function subscriberLine(s: SubscriberJson): string {
  return `${s.id}  ${s.kind.padEnd(7)}  ${s.confirmed_at}  ${s.address}  [${s.components?.join(", ") ?? "all components"}]`;
}

/**
 * A request to a running Vigil whose body or answer is not JSON (CSV up, CSV down, 204), with the same
 * address, token and error messages as `remoteApi`. Resolves with the response when it is a success; a
 * refusal comes back as an AppError carrying the server's code, message and details.
 */
async function rawRequest(io: CliIo, flags: RemoteFlags, method: string, urlPath: string, init: { body?: string; contentType?: string; timeoutMs?: number } = {}): Promise<Response> {
  const base = withoutTrailingSlashes(flags.url ?? io.env["VIGIL_URL"] ?? "http://127.0.0.1:8080");
  const token = flags.token ?? io.env["VIGIL_TOKEN"];
  const headers: Record<string, string> = {};
  if (token) headers["authorization"] = `Bearer ${token}`;
  if (init.contentType) headers["content-type"] = init.contentType;
  let response: Response;
  try {
    response = await fetch(`${base}${urlPath}`, { method, headers, ...(init.body !== undefined ? { body: init.body } : {}), signal: AbortSignal.timeout(init.timeoutMs ?? 30_000) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    throw new AppError("store_unavailable", `cannot reach Vigil at ${base}: ${cause} (set VIGIL_URL or --url)`);
  }
  if (response.ok) return response;
  const text = await response.text();
  let error: { code?: string; message?: string; details?: ErrorDetail[] } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error } | null)?.error;
  } catch {
    throw new AppError("store_unavailable", `${method} ${urlPath}: ${response.status} ${response.statusText}: the answer is not JSON; is Vigil at ${base}? (set VIGIL_URL or --url)`);
  }
  const code: ErrorCode = errorCodes.includes(error?.code as ErrorCode) ? (error?.code as ErrorCode) : "bad_request";
  const hint = response.status === 401 && !token ? " (set VIGIL_TOKEN or --token)" : "";
  throw new AppError(code, `${method} ${urlPath}: ${response.status} ${error?.message ?? response.statusText}${hint}`, { details: error?.details ?? [] });
}

/** The body of `response`, chunk by chunk, as text. */
async function* textChunks(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  const chunks = (response.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await chunks.next();
    } catch (error) {
      // The server failed after it had started answering (or the connection dropped): what came is incomplete.
      throw new AppError("store_unavailable", `the answer was cut short: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (next.done) break;
    yield decoder.decode(next.value, { stream: true });
  }
  const rest = decoder.decode();
  if (rest !== "") yield rest;
}

/** `vigil subscribers list|count|export|import|remove`: public subscribers of a running Vigil, through its API (admin token). */
export const subscribersCommand: CommandInstaller = (program, io, finish) => {
  const subscribers = program
    .command("subscribers")
    .description("list, count, export, import and remove public subscribers on a running Vigil (VIGIL_URL, VIGIL_TOKEN with scope admin)");

  remoteOptions(subscribers.command("list").description("every subscriber, by id"))
    .addOption(new Option("--kind <kind>", "only this kind").choices(["email", "webhook"]))
    .option("--json", "print JSON")
    .action(async (flags: RemoteFlags & { kind?: string; json?: boolean }) => {
      const api = remoteApi(io, flags);
      const all: SubscriberJson[] = [];
      let after: string | null = null;
      do {
        const query = new URLSearchParams({ limit: "1000", ...(flags.kind ? { kind: flags.kind } : {}), ...(after ? { after } : {}) });
        const page = (await api.get(`/api/v1/subscribers?${query}`)) as { subscribers: SubscriberJson[]; next_after: string | null };
        if (flags.json) all.push(...page.subscribers);
        else for (const s of page.subscribers) io.stdout(`${subscriberLine(s)}\n`);
        if (!flags.json && after === null && page.subscribers.length === 0) io.stdout("no subscribers\n");
        after = page.next_after;
      } while (after !== null);
      if (flags.json) io.stdout(`${JSON.stringify(all, null, 2)}\n`);
      finish(exitCodes.ok);
    });

  remoteOptions(subscribers.command("count").description("how many subscribers there are (a read token is enough)"))
    .option("--json", "print JSON")
    .action(async (flags: RemoteFlags & { json?: boolean }) => {
      const { count } = (await remoteApi(io, flags).get("/api/v1/subscribers/count")) as { count: number };
      io.stdout(flags.json ? `${JSON.stringify({ count })}\n` : `${count}\n`);
      finish(exitCodes.ok);
    });

  remoteOptions(subscribers.command("export").description("every subscriber as CSV (kind,address,components,confirmed_at), to standard output or a file"))
    .option("-o, --output <file>", "write to this file (replaced only once the export is complete) instead of standard output")
    .action(async (flags: RemoteFlags & { output?: string }) => {
      const response = await rawRequest(io, flags, "GET", "/api/v1/subscribers/export.csv", { timeoutMs: transferTimeoutMs });
      if (flags.output === undefined) {
        for await (const text of textChunks(response)) io.stdout(text);
        finish(exitCodes.ok);
        return;
      }
      const file = path.resolve(io.cwd, flags.output);
      const partial = `${file}.partial-${process.pid}`;
      let lines = 0;
      try {
        const out = createWriteStream(partial, { mode: 0o600 });
        const closed = new Promise<void>((resolve, reject) => {
          out.on("close", resolve);
          out.on("error", reject);
        });
        for await (const text of textChunks(response)) {
          lines += text.split("\n").length - 1;
          if (!out.write(text)) await Promise.race([new Promise<void>((resolve) => out.once("drain", () => resolve())), closed]);
        }
        out.end();
        await closed;
        await rename(partial, file);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      io.stdout(`exported ${Math.max(lines - 1, 0)} subscribers to ${flags.output}\n`);
      finish(exitCodes.ok);
    });

  remoteOptions(
    subscribers
      .command("import")
      .description("import subscribers from a CSV file, as confirmed (you vouch for their consent); a bad line refuses the whole file unless --partial")
      .argument("<file>", "CSV with the header kind,address,components,confirmed_at (address required; the others optional)"),
  )
    .option("--dry-run", "check the file and count what would be added and updated; store nothing")
    .option("--partial", "import the good lines even when others are bad")
    .option("--json", "print the server's answer as JSON")
    .action(async (file: string, flags: RemoteFlags & { dryRun?: boolean; partial?: boolean; json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(path.resolve(io.cwd, file), "utf8");
      } catch (error) {
        throw new AppError("bad_request", `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const query = new URLSearchParams({ ...(flags.dryRun ? { dry_run: "true" } : {}), ...(flags.partial ? { partial: "true" } : {}) });
      const printErrors = (errors: readonly { line?: number; message: string }[]) => {
        for (const e of errors) io.stderr(`${file}:${e.line ?? 1}: ${e.message}\n`);
      };
      let result: ImportJson;
      try {
        const response = await rawRequest(io, flags, "POST", `/api/v1/subscribers/import${query.size > 0 ? `?${query}` : ""}`, {
          body: text,
          contentType: "text/csv; charset=utf-8",
          timeoutMs: transferTimeoutMs,
        });
        result = (await response.json()) as ImportJson;
      } catch (error) {
        if (error instanceof AppError && error.code === "validation_failed") {
          printErrors(error.details);
          io.stderr(`vigil: ${error.message.replace(/^POST \S+: 400 /, "").replace("add partial=true", "add --partial")}\n`);
          finish(exitCodes.failed);
          return;
        }
        throw error;
      }
      if (flags.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else io.stdout(`${result.dry_run ? "dry run: would add" : "added"} ${result.added}, ${result.dry_run ? "update" : "updated"} ${result.updated}, skipped ${result.skipped}\n`);
      printErrors(result.errors);
      finish(result.errors.length > 0 ? exitCodes.failed : exitCodes.ok);
    });

  remoteOptions(subscribers.command("remove").description("remove a subscriber; they get no further messages").argument("<id>", "subscriber id, e.g. sub_0123456789abcdef"))
    .action(async (id: string, flags: RemoteFlags) => {
      await rawRequest(io, flags, "DELETE", `/api/v1/subscribers/${encodeURIComponent(id)}`);
      io.stdout(`removed ${id}\n`);
      finish(exitCodes.ok);
    });
};
