import { describe, expect, it } from "vitest";
import { foldJudgement, type IsolationRecord } from "./isolation-episodes.ts";

const live = new Set(["n1", "n2"]);

describe("foldJudgement", () => {
  it.each<[string, IsolationRecord, string, string[], IsolationRecord, string[], string[]]>([
    ["the first node to find a region isolated begins its episode", {}, "n1", ["eu"], { eu: { n1: 10 } }, ["eu"], []],
    ["a second node finding it too begins nothing", { eu: { n1: 5 } }, "n2", ["eu"], { eu: { n1: 5, n2: 10 } }, [], []],
    ["a node still finding it keeps its first time", { eu: { n1: 5 } }, "n1", ["eu"], { eu: { n1: 5 } }, [], []],
    ["one of two nodes no longer finds it: the episode goes on", { eu: { n1: 5, n2: 6 } }, "n1", [], { eu: { n2: 6 } }, [], []],
    ["the last node no longer finds it: the episode ends", { eu: { n2: 6 } }, "n2", [], {}, [], ["eu"]],
    ["a node that died judges nothing: its episode ends with the next look of any node", { eu: { n3: 6 } }, "n1", [], {}, [], ["eu"]],
    ["a region ends while another begins", { eu: { n1: 5 } }, "n1", ["us"], { us: { n1: 10 } }, ["us"], ["eu"]],
    ["nothing found anywhere: nothing changes", {}, "n1", [], {}, [], []],
  ])("%s", (_name, record, node, isolated, expected, began, ended) => {
    expect(foldJudgement(record, node, new Set(isolated), live, 10)).toEqual({ record: expected, began, ended });
  });

  it("counts a node's own entry whatever the list of live nodes says (it is judging now)", () => {
    expect(foldJudgement({ eu: { n9: 5 } }, "n9", new Set(["eu"]), live, 10)).toEqual({ record: { eu: { n9: 5 } }, began: [], ended: [] });
  });
});
