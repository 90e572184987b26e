import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { startVigil, type RunningVigil } from "../../src/app/start.ts";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock, type Clock } from "../../src/core/clock.ts";
import type { Timers } from "../../src/core/timers.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { createLogger } from "../../src/observability/logger.ts";

/** A Vigil started in-process on the embedded store in a temp dir, with a read token and a JSON GET helper. */
export interface TestVigil {
  vigil: RunningVigil;
  token: string;
  /** GET `url` with the read token; the status and the parsed body. */
  get(url: string): Promise<{ status: number; json: any }>;
  /** `method` `url` with a write token and a JSON body; the status and the parsed body. */
  send(method: "POST" | "PUT" | "PATCH", url: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** The secret of a token of scope publish (it writes, and may reach the public). */
  writeToken: string;
  dispose(): Promise<void>;
}

/**
 * Starts Vigil with `configText` (logs discarded), on a free port; on PGlite in a temp dir unless `databaseUrl` is given.
 * With `dir`, its data lives there and outlives `dispose` (a later start on the same `dir` is a restart); with `clock`,
 * Vigil runs on that clock (the tokens are made on it too); with `timers`, its timers are those (held until the test moves them).
 */
export async function startTestVigil(configText: string, options: { databaseUrl?: string; dir?: string; clock?: Clock; timers?: Timers } = {}): Promise<TestVigil> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), "vigil-test-")));
  const file = path.join(dir, "vigil.yaml");
  await writeFile(file, configText);
  const parsed = parseConfigText(configText, file, {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const vigil = await startVigil({
    config: parsed.config,
    configFile: file,
    env: {},
    host: "127.0.0.1",
    port: 0,
    dataDir: path.join(dir, "data"),
    databaseUrl: options.databaseUrl,
    logger: createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
    version: "0.0.0-test",
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
  });
  const clock = options.clock ?? systemClock;
  const token = (await createToken({ store: vigil.store, clock }, { name: "test", scope: "read", actor: "test" })).token;
  const writeToken = (await createToken({ store: vigil.store, clock }, { name: "test-writer", scope: "publish", actor: "test" })).token;
  return {
    vigil,
    token,
    writeToken,
    async send(method, url, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${writeToken}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(`${vigil.url}${url}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, json: await res.json() };
    },
    async get(url) {
      const res = await fetch(`${vigil.url}${url}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, json: await res.json() };
    },
    async dispose() {
      await vigil.stop("test over");
      if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
