import { describe, expect, it } from "vitest";
import { monitorsOf, ownerOf } from "./assign.ts";

const monitors = Array.from({ length: 3_000 }, (_, i) => `monitor-${i}`);

describe("monitor assignment", () => {
  it("gives every monitor exactly one owner among the live nodes, spread evenly", () => {
    const nodes = ["vigil-a:8080", "vigil-b:8080", "vigil-c:8080"];
    const shares = nodes.map((n) => monitorsOf(n, monitors, nodes));
    expect(shares.flat().sort()).toEqual([...monitors].sort());
    for (const share of shares) expect(share.length).toBeGreaterThan(monitors.length / 3 - 150);
    for (const share of shares) expect(share.length).toBeLessThan(monitors.length / 3 + 150);
  });

  it("is the same on every node whatever the order it lists the members in", () => {
    for (const id of monitors.slice(0, 200)) expect(ownerOf(id, ["c", "a", "b"])).toBe(ownerOf(id, ["a", "b", "c"]));
  });

  it("moves only the monitors of a node that leaves, and about a third when a third node joins", () => {
    const three = ["a", "b", "c"];
    const two = ["a", "b"];
    const moved = monitors.filter((id) => ownerOf(id, three) !== ownerOf(id, two));
    expect(moved.every((id) => ownerOf(id, three) === "c")).toBe(true);
    expect(moved.length).toBeGreaterThan(monitors.length / 3 - 150);
    expect(moved.length).toBeLessThan(monitors.length / 3 + 150);
  });

  it("gives a node everything when it is alone, even before it sees itself as a member", () => {
    expect(monitorsOf("solo", monitors, [])).toEqual(monitors);
    expect(monitorsOf("solo", monitors, ["solo"])).toEqual(monitors);
    expect(ownerOf("x", [])).toBeUndefined();
  });
});
