import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ManualTimers } from "../../test/helpers/manual-timers.ts";
import { runShutdown } from "./shutdown.ts";

const recordingLogger = () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
  return { logger, lines };
};

describe("runShutdown", () => {
  it("runs every step in order, and the next ones after a step that failed, then reports the failure", async () => {
    const { logger, lines } = recordingLogger();
    const ran: string[] = [];
    const step = (name: string, fail = false) => ({
      name,
      run: async () => {
        ran.push(name);
        if (fail) throw new Error(`${name} broke`);
      },
    });
    await expect(runShutdown([step("a"), step("b", true), step("c")], { deadlineMs: 1_000, timers: new ManualTimers(), logger })).rejects.toThrow("b broke");
    expect(ran).toEqual(["a", "b", "c"]);
    expect(lines.find((l) => l.msg === "shutdown step failed")).toMatchObject({ step: "b" });
  });

  it("gives up at the deadline naming the step that hangs, and clears its timer when it ends in time", async () => {
    const { logger } = recordingLogger();
    const timers = new ManualTimers();
    const hanging = runShutdown(
      [
        { name: "handing over the leadership", run: async () => undefined },
        { name: "closing the store", run: () => new Promise<void>(() => undefined) },
      ],
      { deadlineMs: 30_000, timers, logger },
    );
    const outcome = hanging.then(
      () => "finished",
      (error: Error) => error.message,
    );
    await timers.advance(29_999);
    expect(await Promise.race([outcome, Promise.resolve("pending")])).toBe("pending");
    await timers.advance(1);
    expect(await outcome).toBe("shutdown did not finish within 30 s: still closing the store");

    const quick = new ManualTimers();
    await runShutdown([{ name: "a", run: async () => undefined }], { deadlineMs: 30_000, timers: quick, logger });
    expect(quick.pending).toBe(0);
  });
});
