import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { createLogger } from "../observability/logger.ts";
import type { Store } from "../store/types.ts";
import { handle, openLocalSocket } from "./local-socket.ts";

const lines: string[] = [];
const logger = createLogger({ destination: new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }) });
// These cases never reach the store or a reload: each throws if it did.
const unreachable = () => {
  throw new Error("not expected here");
};
const deps = { store: { tokens: {}, events: {}, transaction: unreachable } as unknown as Pick<Store, "tokens" | "events" | "users" | "audit" | "transaction" | "catalogEntries">, clock: systemClock, logger, reload: unreachable };

const dirs: string[] = [];
function dataDir(prefix = "vigil-sock-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  lines.length = 0;
});

describe("the local socket", () => {
  it("replaces a socket file nobody answers on, and removes it when closed", async () => {
    const dir = dataDir();
    const file = path.join(dir, "vigil.sock");
    writeFileSync(file, "left by a killed server");
    const socket = await openLocalSocket(dir, deps);
    expect(socket?.path).toBe(file);
    await socket?.close();
    expect(existsSync(file)).toBe(false);
  });

  it("refuses a socket another process answers on", async () => {
    const dir = dataDir();
    const other = net.createServer(() => undefined);
    await new Promise<void>((resolve) => other.listen(path.join(dir, "vigil.sock"), resolve));
    try {
      await expect(openLocalSocket(dir, deps)).rejects.toMatchObject({ code: "data_dir_locked", message: expect.stringContaining("another process answers on") as unknown });
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it("opens none, saying why, when the path is too long for a Unix socket", async () => {
    const dir = path.join(dataDir(), "d".repeat(100));
    expect(await openLocalSocket(dir, deps)).toBeUndefined();
    expect(lines.join("")).toContain("no local socket: its path is longer than 107 bytes");
  });

  it.each([
    ["not JSON", "hello", "bad_request", "one JSON object on one line"],
    ["an unknown op", '{"op":"drop"}', "validation_failed", "op:"],
    ["a bad scope", '{"op":"token.create","name":"x","scope":"root"}', "validation_failed", "scope:"],
    ["a missing name", '{"op":"token.create","scope":"admin"}', "validation_failed", "name:"],
    ["an unknown key", '{"op":"reload","force":true}', "validation_failed", "force"],
  ])("answers %s with a clear error", async (_case, line, code, words) => {
    const answer = await handle(line, deps);
    expect(answer).toMatchObject({ ok: false, error: { code, message: expect.stringContaining(words) as unknown } });
  });
});
