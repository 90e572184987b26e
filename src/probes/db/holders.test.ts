import { describe, expect, it } from "vitest";
import { decodeHolders, encodeHolders, groupHolders, holdersData, maxHoldersLength, withoutPort, type HolderRow } from "./holders.ts";

const row = (user: string, host: string, state = "idle"): HolderRow => ({ user, host, db: "app", app: null, state });

describe("holders", () => {
  it("groups by user, host, database, client name and state; the 5 largest kept, the others counted as the rest", () => {
    const rows = [
      ...Array.from({ length: 91 }, () => row("analytics", "10.0.4.7")),
      ...Array.from({ length: 3 }, () => row("analytics", "10.0.4.7", "active")),
      ...["a", "b", "c", "d", "e", "f"].flatMap((user, i) => Array.from({ length: 6 - i }, () => row(user, "10.0.0.1"))),
    ];
    const holders = groupHolders(rows);
    expect(holders.seen).toBe(94 + 21);
    expect(holders.top.map((g) => `${g.user}/${g.state}/${g.count}`)).toEqual(["analytics/idle/91", "a/idle/6", "b/idle/5", "c/idle/4", "analytics/active/3"]);
    expect(holders.rest).toBe(3 + 2 + 1);
  });

  it.each([
    ["10.0.4.7:51234", "10.0.4.7"],
    ["db.example.com:3306", "db.example.com"],
    ["[::1]:5000", "::1"],
    ["localhost", "localhost"],
    ["", null],
  ])("withoutPort(%j) is %j", (host, expected) => {
    expect(withoutPort(host)).toBe(expected);
  });

  it("shortens long names, and goes through the fact and event forms unchanged", () => {
    const holders = groupHolders([row("u".repeat(100), "10.0.0.1")]);
    expect(holders.top[0]?.user).toBe(`${"u".repeat(63)}…`);
    expect(decodeHolders(encodeHolders(holders))).toEqual(holders);
    expect(decodeHolders(holdersData(holders))).toEqual(holders);
  });

  it("keeps the fact within what an agent may send, moving the smallest groups to the rest", () => {
    const rows = Array.from({ length: 5 }, (_, i) => Array.from({ length: 10 - i }, () => ({ user: `${i}${"\u0001".repeat(63)}`, host: "h".repeat(64), db: "d".repeat(64), app: "a".repeat(64), state: "s".repeat(64) }))).flat();
    const fact = encodeHolders(groupHolders(rows));
    expect(fact.length).toBeLessThanOrEqual(maxHoldersLength);
    const decoded = decodeHolders(fact);
    expect(decoded?.seen).toBe(40);
    expect((decoded?.top.reduce((sum, g) => sum + g.count, 0) ?? 0) + (decoded?.rest ?? 0)).toBe(40);
    expect(decoded?.top.length).toBeLessThan(5);
  });

  it.each([[null], ["not json"], ["{}"], [JSON.stringify({ seen: 1, top: [["u", null, null, null, null]], rest: 0 })], [{ seen: -1, top: [], rest: 0 }]])("reads %j as no holders", (value) => {
    expect(decodeHolders(value)).toBeNull();
  });
});
