import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { startVigil, type RunningVigil } from "../../src/app/start.ts";
import { createToken } from "../../src/auth/create-token.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { createLogger } from "../../src/observability/logger.ts";

/** A Vigil on a manual clock with its log kept, a read token, and the store of its choice. */
export interface ClockedVigil {
  vigil: RunningVigil;
  clock: ManualClock;
  readToken: string;
  log: string[];
  dispose(): Promise<void>;
}

export async function startClockedVigil(configText: string, options: { databaseUrl?: string } = {}): Promise<ClockedVigil> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-hardening-"));
  const file = path.join(dir, "vigil.yaml");
  await writeFile(file, configText);
  const parsed = parseConfigText(configText, file, {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const clock = new ManualClock("2026-11-25T12:00:00Z");
  const log: string[] = [];
  const sink = new Writable({ write: (chunk, _e, cb) => (log.push(String(chunk)), cb()) });
  const vigil = await startVigil({
    config: parsed.config,
    configFile: file,
    env: {},
    host: "127.0.0.1",
    port: 0,
    dataDir: path.join(dir, "data"),
    databaseUrl: options.databaseUrl,
    logger: createLogger({ destination: sink, level: "info" }),
    version: "0.0.0-test",
    clock,
    monitoring: false,
    shutdownGraceMs: 500,
    shutdownDeadlineMs: 5_000,
  });
  const readToken = (await createToken({ store: vigil.store, clock }, { name: "reader", scope: "read", actor: "test" })).token;
  return {
    vigil,
    clock,
    readToken,
    log,
    async dispose() {
      await vigil.stop("test over");
      await rm(dir, { recursive: true, force: true });
    },
  };
}
