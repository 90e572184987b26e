import { describe, expect, it } from "vitest";
import type { Impact } from "./impact.ts";
import {
  componentList,
  defaultTemplates,
  effectivePolicy,
  impactPhrase,
  publishDecision,
  renderTemplate,
  templateIssues,
  templatePlaceholders,
  updateDue,
  type PublishDecision,
  type PublishPolicy,
} from "./publish.ts";

const t = (hhmmss: string): Date => new Date(`2024-05-01T${hhmmss}Z`);

describe("effectivePolicy", () => {
  const per: Record<string, PublishPolicy | undefined> = { db: "manual", api: 60_000, web: "auto", cdn: 300_000, queue: undefined, zero: 0 };

  it.each<[string, PublishPolicy, string[], PublishPolicy]>([
    ["no components: the global policy", "auto", [], "auto"],
    ["no components, global delay", 30_000, [], 30_000],
    ["no own policy: the global one", "auto", ["other"], "auto"],
    ["own auto over a global manual", "manual", ["web"], "auto"],
    ["own delay", "auto", ["api"], 60_000],
    ["own entry undefined: the global one", 45_000, ["queue"], 45_000],
    ["all auto", "auto", ["web", "other"], "auto"],
    ["any manual wins", "auto", ["web", "api", "db"], "manual"],
    ["a global manual for a component without its own", "manual", ["web", "other"], "manual"],
    ["the longest delay", "auto", ["api", "cdn", "web"], 300_000],
    ["a delay beats auto", "auto", ["web", "api"], 60_000],
    ["global delay longer than an own delay", 600_000, ["api", "other"], 600_000],
    ["a zero delay beside auto stays a delay", "auto", ["web", "zero"], 0],
    ["inherited object properties are not policies", "auto", ["constructor", "toString", "__proto__"], "auto"],
  ])("%s", (_name, global, ids, expected) => {
    expect(effectivePolicy(global, per, ids)).toBe(expected);
  });

  it.each<[PublishPolicy, Record<string, PublishPolicy | undefined>, string[]]>([
    [-1, {}, []],
    ["auto", { a: Number.NaN }, ["a"]],
    [Number.POSITIVE_INFINITY, {}, ["a"]],
  ])("refuses the bad delay in %j %j %j", (global, perComponent, ids) => {
    expect(() => effectivePolicy(global, perComponent, ids)).toThrow(RangeError);
  });
});

describe("publishDecision", () => {
  const created = t("10:00:00");

  it.each<[string, PublishPolicy, string, boolean, PublishDecision]>([
    ["auto", "auto", "10:00:00", false, { publish: true, at: t("10:00:00"), reason: "publish policy is auto" }],
    ["auto, later", "auto", "10:05:00", true, { publish: true, at: t("10:00:00"), reason: "publish policy is auto" }],
    ["manual", "manual", "10:00:00", false, { publish: false, at: null, reason: "publish policy is manual: a responder publishes it" }],
    ["manual, much later", "manual", "23:00:00", false, { publish: false, at: null, reason: "publish policy is manual: a responder publishes it" }],
    [
      "delay, before it runs out",
      120_000,
      "10:01:59",
      false,
      { publish: false, at: t("10:02:00"), reason: "publish delay of 120000 ms: published at 2024-05-01T10:02:00.000Z unless a responder acts first" },
    ],
    ["delay, when it runs out", 120_000, "10:02:00", false, { publish: true, at: t("10:02:00"), reason: "publish delay of 120000 ms passed with no responder acting" }],
    ["delay, long after", 120_000, "11:00:00", false, { publish: true, at: t("10:02:00"), reason: "publish delay of 120000 ms passed with no responder acting" }],
    ["zero delay", 0, "10:00:00", false, { publish: true, at: t("10:00:00"), reason: "publish delay of 0 ms passed with no responder acting" }],
    [
      "delay, a responder acted first",
      120_000,
      "10:01:00",
      true,
      { publish: false, at: null, reason: "a responder took over before the publish delay of 120000 ms ran out" },
    ],
    [
      "delay ran out, but a responder acted",
      120_000,
      "10:05:00",
      true,
      { publish: false, at: null, reason: "a responder took over before the publish delay of 120000 ms ran out" },
    ],
  ])("%s", (_name, policy, now, acted, expected) => {
    expect(publishDecision(policy, created, t(now), acted)).toEqual(expected);
  });

  it.each<[number]>([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])("refuses the delay %s", (delay) => {
    expect(() => publishDecision(delay, created, created, false)).toThrow(RangeError);
    expect(() => publishDecision(delay, created, created, true)).toThrow(RangeError);
  });
});

describe("renderTemplate", () => {
  const vars = { components: "API and Web", impact: "a partial outage", root: "Database", evidence: " Database restarted 3 times." };

  it.each<[string, string, string]>([
    ["plain text", "All good.", "All good."],
    ["placeholders", "{impact} on {components} caused by {root}", "a partial outage on API and Web caused by Database"],
    ["a placeholder twice", "{root}, {root}", "Database, Database"],
    ["an unknown placeholder is left", "{components} since {since}", "API and Web since {since}"],
    ["an inherited name is unknown", "{constructor} {toString}", "{constructor} {toString}"],
    ["an escaped brace", "{{components} means {components}", "{components} means API and Web"],
    ["a double escaped brace", "{{{{", "{{"],
    ["escape then placeholder", "{{{root}", "{Database"],
    ["a closing brace alone stays", "a } b }}", "a } b }}"],
    ["braces that are no placeholder", "{ root } {} {1x} {a-b}", "{ root } {} {1x} {a-b}"],
    ["a lone open brace", "{root", "{root"],
    ["empty", "", ""],
    ["evidence right after a period", "We are investigating.{evidence}", "We are investigating. Database restarted 3 times."],
  ])("%s", (_name, template, expected) => {
    expect(renderTemplate(template, vars)).toBe(expected);
  });

  it("inserts values verbatim, without scanning them again", () => {
    expect(renderTemplate("{a} {b}", { a: "{b} {{ $& $1", b: "B" })).toBe("{b} {{ $& $1 B");
  });

  it("inserts an empty value", () => {
    expect(renderTemplate("Down.{evidence}", { evidence: "" })).toBe("Down.");
  });
});

describe("templateIssues", () => {
  const known = templatePlaceholders;

  it.each<[string, string[]]>([
    ["We are investigating {impact} affecting {components}.{evidence}", []],
    ["{components} since {started_at}, {duration} so far, root {root}", []],
    ["{component} is {status}", ["component", "status"]],
    ["{status} {status} {Components}", ["status", "Components"]],
    ["{{status} is escaped, {status2} is not", ["status2"]],
    ["{ status } {} {1} are not placeholders", []],
    ["{constructor}", ["constructor"]],
  ])("%s → %j", (template, expected) => {
    expect(templateIssues(template, known)).toEqual(expected);
  });

  it("knows the placeholders the templates are filled with", () => {
    expect(templatePlaceholders).toEqual(["components", "root", "impact", "started_at", "evidence", "duration"]);
  });
});

describe("defaultTemplates", () => {
  it("uses only known placeholders", () => {
    for (const template of Object.values(defaultTemplates)) expect(templateIssues(template, templatePlaceholders)).toEqual([]);
  });

  const vars = {
    components: "API, Web and Database",
    root: "Database",
    impact: "a partial outage",
    started_at: "2024-05-01T10:00:00.000Z",
    evidence: " Database restarted 3 times in 5 min.",
    duration: "42 min",
  };

  it.each<[keyof typeof defaultTemplates, string, string]>([
    ["investigating", " Database restarted 3 times in 5 min.", "We are investigating a partial outage affecting API, Web and Database. Database restarted 3 times in 5 min."],
    ["investigating", "", "We are investigating a partial outage affecting API, Web and Database."],
    ["identified", "", "The issue affecting API, Web and Database has been identified and a fix is being implemented."],
    ["monitoring", "", "A fix has been implemented and we are monitoring the results. Normal operation of API, Web and Database has resumed."],
    ["resolved", "", "This incident has been resolved. It lasted 42 min and affected API, Web and Database."],
  ])("%s with evidence %j", (status, evidence, expected) => {
    expect(renderTemplate(defaultTemplates[status], { ...vars, evidence })).toBe(expected);
  });
});

describe("componentList", () => {
  it.each<[string[], string]>([
    [[], ""],
    [["A"], "A"],
    [["A", "B"], "A and B"],
    [["A", "B", "C"], "A, B and C"],
    [["A", "B", "C", "D", "E"], "A, B, C, D and E"],
    [["A", "B", "C", "D", "E", "F"], "A, B, C, D, E and 1 more"],
    [["A", "B", "C", "D", "E", "F", "G", "H"], "A, B, C, D, E and 3 more"],
    [["API, EU", "Web"], "API, EU and Web"],
  ])("%j → %s", (names, expected) => {
    expect(componentList(names)).toBe(expected);
  });
});

describe("impactPhrase", () => {
  it.each<[Impact, string]>([
    ["none", "a possible issue"],
    ["minor", "degraded performance"],
    ["major", "a partial outage"],
    ["critical", "a major outage"],
  ])("%s → %s", (impact, expected) => {
    expect(impactPhrase(impact)).toBe(expected);
  });
});

describe("updateDue", () => {
  const due = 30 * 60_000;

  it.each<[string, string, string | null, string, boolean]>([
    ["just updated", "10:00:00", null, "10:00:00", false],
    ["quiet for less than dueAfterMs", "10:00:00", null, "10:29:59", false],
    ["quiet for dueAfterMs", "10:00:00", null, "10:30:00", true],
    ["quiet for longer", "10:00:00", null, "12:00:00", true],
    ["reminded before the last update", "10:00:00", "09:45:00", "10:30:00", true],
    ["reminded since the last update", "10:00:00", "10:30:00", "11:30:00", false],
    ["reminded at the moment of the last update", "10:00:00", "10:00:00", "10:30:00", false],
    ["reminded, then updated, then quiet again", "10:40:00", "10:30:00", "11:10:00", true],
    ["reminded, then updated, not yet quiet long enough", "10:40:00", "10:30:00", "11:09:59", false],
  ])("%s", (_name, update, reminder, now, expected) => {
    expect(updateDue(t(update), reminder === null ? null : t(reminder), t(now), due)).toBe(expected);
  });

  it.each<[number]>([[0], [-1], [Number.NaN], [Number.POSITIVE_INFINITY]])("refuses dueAfterMs %s", (bad) => {
    expect(() => updateDue(t("10:00:00"), null, t("11:00:00"), bad)).toThrow(RangeError);
  });
});
