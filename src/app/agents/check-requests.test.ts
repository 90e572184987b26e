import { describe, expect, it } from "vitest";
import { ManualTimers } from "../../../test/helpers/manual-timers.ts";
import { CheckRequests } from "./check-requests.ts";

describe("CheckRequests", () => {
  it("gives a waiting agent its region's requests as they come, each once, from its cursor", async () => {
    const timers = new ManualTimers();
    const requests = new CheckRequests(timers.clock, timers);
    // The first ask has no cursor: it starts from now, and learns the cursor.
    const start = await requests.wait("eu", undefined, 0);
    expect(start.monitors).toEqual([]);
    const waiting = requests.wait("eu", start.cursor, 25_000);
    requests.add("api", ["us"]);
    requests.add("api", ["eu", "us"]);
    requests.add("db", ["eu"]);
    const first = await waiting;
    // Released by the first request for its region; what came after it in the same turn is in the next answer.
    expect(first.monitors).toEqual(["api"]);
    const next = await requests.wait("eu", first.cursor, 25_000);
    expect(next.monitors).toEqual(["db"]);
    // Nothing newer: the wait runs out with an empty answer and the same place.
    const empty = requests.wait("eu", next.cursor, 25_000);
    await timers.advance(25_000);
    expect(await empty).toEqual({ cursor: next.cursor, monitors: [] });
  });

  it("forgets requests after 10 s, and reads a cursor from another node or boot as now", async () => {
    const timers = new ManualTimers();
    const requests = new CheckRequests(timers.clock, timers);
    const { cursor } = await requests.wait("eu", undefined, 0);
    requests.add("api", ["eu"]);
    expect((await requests.wait("eu", "elsewhere.1", 0)).monitors).toEqual([]);
    await timers.advance(10_000);
    expect((await requests.wait("eu", cursor, 0)).monitors).toEqual([]);
  });

  it("answers every waiting agent when it stops", async () => {
    const timers = new ManualTimers();
    const requests = new CheckRequests(timers.clock, timers);
    const waiting = requests.wait("eu", undefined, 60_000);
    requests.stop();
    expect((await waiting).monitors).toEqual([]);
  });
});
