import { afterEach, describe, expect, it, vi } from "vitest";
import { issuesFromZod } from "../config/issues.ts";
import { formatPath } from "../config/path.ts";
import { AssertionList, applyAssertions, evaluate, factOf, unknownFacts, type Assertion } from "./assertions.ts";
import type { Fact, ProbeOutcome } from "./types.ts";

/** Parses assertion strings that must be valid. */
function parse(...texts: string[]): Assertion[] {
  const result = AssertionList.safeParse(texts);
  if (!result.success) throw new Error(result.error.issues.map((i) => i.message).join("\n"));
  return result.data;
}

/** The single issue raised for one bad assertion string. */
function errorOf(text: unknown): { path: PropertyKey[]; message: string } {
  const result = AssertionList.safeParse([text]);
  if (result.success) throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
  expect(result.error.issues).toHaveLength(1);
  const [issue] = result.error.issues;
  return { path: issue?.path ?? [], message: issue?.message ?? "" };
}

/** An assertion without its text, one union member at a time (Omit on the union would merge them). */
type Written = Assertion extends infer A ? (A extends Assertion ? Omit<A, "text"> : never) : never;

const operatorList = "(operators: ==, !=, <, <=, >, >=, in, contains, !contains, matches, exists, !exists)";

describe("AssertionList parsing", () => {
  it.each<[string, Written]>([
    ["status == 200", { fact: "status", op: "==", value: 200 }],
    ["status != 500", { fact: "status", op: "!=", value: 500 }],
    ["latencyMs < 800", { fact: "latencyMs", op: "<", value: 800 }],
    ["latencyMs <= 800.5", { fact: "latencyMs", op: "<=", value: 800.5 }],
    ["uptimeS > 6e1", { fact: "uptimeS", op: ">", value: 60 }],
    ["certDaysLeft >= -1", { fact: "certDaysLeft", op: ">=", value: -1 }],
    ["status in 200..299", { fact: "status", op: "in", value: { from: 200, to: 299 } }],
    ["drift in -0.5 .. 0.5", { fact: "drift", op: "in", value: { from: -0.5, to: 0.5 } }],
    ["status in [200, 204]", { fact: "status", op: "in", value: [200, 204] }],
    ['role in [primary, "hot standby", true, null]', { fact: "role", op: "in", value: ["primary", "hot standby", true, null] }],
    ["status in [200]", { fact: "status", op: "in", value: [200] }],
    ['body contains "ok"', { fact: "body", op: "contains", value: "ok" }],
    ["body contains 'it''s'", { fact: "body", op: "contains", value: "it's" }],
    ["json['it''s'] exists", { fact: "json['it''s']", path: ["it's"], op: "exists" }],
    ["body contains it's", { fact: "body", op: "contains", value: "it's" }],
    ["body contains 200", { fact: "body", op: "contains", value: "200" }],
    ['body !contains "error"', { fact: "body", op: "!contains", value: "error" }],
    ["body matches /^ok$/i", { fact: "body", op: "matches", value: { source: "^ok$", flags: "i" } }],
    ["body matches /a\\/b/msu", { fact: "body", op: "matches", value: { source: "a\\/b", flags: "msu" } }],
    ['json.data.status == "ok"', { fact: "json.data.status", path: ["data", "status"], op: "==", value: "ok" }],
    ["json.items[0].id == 7", { fact: "json.items[0].id", path: ["items", 0, "id"], op: "==", value: 7 }],
    ['json["a key"][2] exists', { fact: 'json["a key"][2]', path: ["a key", 2], op: "exists" }],
    ["json['x-y'].z != null", { fact: "json['x-y'].z", path: ["x-y", "z"], op: "!=", value: null }],
    ["json.x-request-id exists", { fact: "json.x-request-id", path: ["x-request-id"], op: "exists" }],
    ["json.items exists", { fact: "json.items", path: ["items"], op: "exists" }],
    ["json.error !exists", { fact: "json.error", path: ["error"], op: "!exists" }],
    ["json exists", { fact: "json", path: [], op: "exists" }],
    ["role == primary", { fact: "role", op: "==", value: "primary" }],
    ['role == "primary db"', { fact: "role", op: "==", value: "primary db" }],
    ['note == "say \\"hi\\""', { fact: "note", op: "==", value: 'say "hi"' }],
    ["ready == true", { fact: "ready", op: "==", value: true }],
    ["ready != false", { fact: "ready", op: "!=", value: false }],
    ["version == 1.2.3", { fact: "version", op: "==", value: "1.2.3" }],
    ["replica == null", { fact: "replica", op: "==", value: null }],
    ["status==200", { fact: "status", op: "==", value: 200 }],
    ["  connections<900  ", { fact: "connections", op: "<", value: 900 }],
    ["jsonish == 1", { fact: "jsonish", op: "==", value: 1 }],
  ])("reads %s", (text, expected) => {
    const [assertion] = parse(text);
    expect(assertion).toEqual({ text: text.trim(), ...expected });
  });

  it("keeps parsed assertions plain data that survives JSON", () => {
    const assertions = parse("body matches /^ok$/i", "status in 200..299", "json.items[0] exists");
    expect(JSON.parse(JSON.stringify(assertions))).toEqual(assertions);
  });

  it.each([
    ["status = 200", 'cannot read assertion "status = 200": expected <fact> <operator> <value>, such as status == 200'],
    ["", 'cannot read assertion "": expected <fact> <operator> <value>, such as status == 200'],
    ["status", 'cannot read assertion "status": expected <fact> <operator> <value>, such as status == 200'],
    ["200 == status", 'cannot read assertion "200 == status": expected <fact> <operator> <value>, such as status == 200'],
    ["body.length > 3", 'cannot read assertion "body.length > 3": expected <fact> <operator> <value>, such as status == 200'],
    ["status =~ 200", `unknown operator "=~" ${operatorList}; did you mean "matches"?`],
    ["status => 200", `unknown operator "=>" ${operatorList}; did you mean ">="?`],
    ["body contain ok", `unknown operator "contain" ${operatorList}; did you mean "contains"?`],
    ["status is 200", `unknown operator "is" ${operatorList}; did you mean "=="?`],
    ["status equals 200", `unknown operator "equals" ${operatorList}`],
    ["status ==", 'cannot read assertion "status ==": expected a value after "==", such as status == 200'],
    ["status in", 'cannot read assertion "status in": expected a value after "in", such as status in 200..299'],
    ["body matches", 'cannot read assertion "body matches": expected a value after "matches", such as body matches /^ok$/i'],
    ["body contains", 'cannot read assertion "body contains": expected a value after "contains", such as body contains "ok"'],
    ["role == primary db", 'cannot read assertion "role == primary db": unexpected "db" after the value; put text with spaces in quotes, such as "primary db"'],
    ['role == "a" b', 'cannot read assertion "role == \\"a\\" b": unexpected "b" after the value'],
    ["json.items exists now", 'cannot read assertion "json.items exists now": unexpected "now" after "exists"'],
    ["latencyMs < fast", 'expected a number after "<", got the text "fast"'],
    ['latencyMs >= "800"', 'expected a number after ">=", got the text "800"'],
    ["latencyMs > true", 'expected a number after ">", got true'],
    ["status in 299..200", "the range 299..200 is empty: write the smaller number first, such as 200..299"],
    ["status in []", 'the list after "in" is empty: give at least one value, such as [200, 204]'],
    ["status in [200, 204", 'expected a range such as 200..299 or a list such as [200, 204] after "in", got "[200, 204"'],
    ["status in [200,, 204]", 'expected a range such as 200..299 or a list such as [200, 204] after "in", got "[200,, 204]"'],
    ["status in [200, [204]]", 'expected a range such as 200..299 or a list such as [200, 204] after "in", got "[200, [204]]"'],
    ["status in [200] x", 'expected a range such as 200..299 or a list such as [200, 204] after "in", got "[200] x"'],
    ["status in 200-299", 'expected a range such as 200..299 or a list such as [200, 204] after "in", got "200-299"'],
    ["status in a..b", 'expected a range such as 200..299 or a list such as [200, 204] after "in", got "a..b"'],
    ["body matches ok", 'expected a regular expression such as /^ok$/i after "matches", got "ok"'],
    ["body matches //", 'expected a regular expression such as /^ok$/i after "matches", got "//"'],
    ["body matches /[/", "invalid regular expression /[/: unterminated character class"],
    ["body matches /a(/", "invalid regular expression /a(/: unterminated group"],
    ["body matches /a/g", 'invalid regular expression /a/g: flag "g" is not supported or repeated (flags: i, m, s, u)'],
    ["body matches /a/ii", 'invalid regular expression /a/ii: flag "i" is not supported or repeated (flags: i, m, s, u)'],
    ['body contains "ok', 'cannot read assertion "body contains \\"ok": a quote (") is opened but not closed'],
    ["body contains 'ok", "cannot read assertion \"body contains 'ok\": a quote (') is opened but not closed"],
    ['body contains "a\\q"', 'cannot read assertion "body contains \\"a\\\\q\\"": "a\\q" has an unknown escape; use \\" for a quote and \\\\ for a backslash'],
    ["json. == 1", 'cannot read assertion "json. == 1": expected a JSON path such as json.data.status, json.items[0].id or json["a key"]'],
    ["json[x] == 1", 'cannot read assertion "json[x] == 1": expected a JSON path such as json.data.status, json.items[0].id or json["a key"]'],
    ["json.items[-1] == 1", 'cannot read assertion "json.items[-1] == 1": expected a JSON path such as json.data.status, json.items[0].id or json["a key"]'],
  ])("rejects %j", (text, message) => {
    expect(errorOf(text)).toEqual({ path: [0], message });
  });

  it("reports each bad string at its own index and keeps the good ones out of the way", () => {
    const result = AssertionList.safeParse(["status == 200", "status = 200", "latencyMs < 800", "body matches /[/"]);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([[1], [3]]);
  });

  it("rejects a non-string item with an expectation that the config loader completes with the value", () => {
    const data = { assert: ["status == 200", { status: 200 }, 42, null] };
    const result = AssertionList.safeParse(data.assert, { reportInput: true });
    if (result.success) throw new Error("expected a rejection");
    const prefixed = { ...result.error, issues: result.error.issues.map((i) => ({ ...i, path: ["assert", ...i.path] })) } as typeof result.error;
    expect(issuesFromZod(prefixed, data, new Map(), formatPath)).toEqual([
      { path: ["assert", 1], message: "expected an assertion such as status == 200, got a mapping" },
      { path: ["assert", 2], message: "expected an assertion such as status == 200, got 42" },
      { path: ["assert", 3], message: "expected an assertion such as status == 200, got nothing (null)" },
    ]);
  });

  it("prints a parse error through the config loader as its own message", () => {
    const data = ["status =~ 200"];
    const result = AssertionList.safeParse(data, { reportInput: true });
    if (result.success) throw new Error("expected a rejection");
    expect(issuesFromZod(result.error, data, new Map(), formatPath)).toEqual([{ path: [0], message: `unknown operator "=~" ${operatorList}; did you mean "matches"?` }]);
  });

  it("rejects a single string instead of a list", () => {
    expect(AssertionList.safeParse("status == 200").success).toBe(false);
  });

  it("accepts an empty list", () => {
    expect(AssertionList.parse([])).toEqual([]);
  });
});

describe("factOf", () => {
  it.each([
    ["status == 200", "status"],
    ["latencyMs < 800", "latencyMs"],
    ['body contains "ok"', "body"],
    ["json.items[0].id exists", "body"],
    ["json exists", "body"],
  ])("%s reads %s", (text, fact) => {
    const [assertion] = parse(text);
    if (!assertion) throw new Error("no assertion");
    expect(factOf(assertion)).toBe(fact);
  });
});

const facts: Record<string, Fact> = { status: 200, latencyMs: 120.5, role: "primary", ready: true, replica: null, certDaysLeft: 30, version: "1.2.3" };
const body = JSON.stringify({ data: { status: "ok", count: 3, label: "42" }, items: [{ id: "a" }, { id: "b" }], tags: ["beta", 7], empty: null, "a key": 1 });

describe("evaluate", () => {
  it.each<[string, boolean]>([
    ["status == 200", true],
    ["status == 201", false],
    ['status == "200"', false],
    ["status != 500", true],
    ["status != 200", false],
    ['status != "200"', true],
    ["role == primary", true],
    ['role == "primary"', true],
    ["role == replica", false],
    ["ready == true", true],
    ["ready == false", false],
    ["replica == null", true],
    ["replica != null", false],
    ["latencyMs < 800", true],
    ["latencyMs < 120.5", false],
    ["latencyMs <= 120.5", true],
    ["latencyMs > 120", true],
    ["latencyMs > 120.5", false],
    ["certDaysLeft >= 30", true],
    ["certDaysLeft >= 31", false],
    ["role < 5", false],
    ["role >= 0", false],
    ["ready > 0", false],
    ["replica < 1", false],
    ["status in 200..299", true],
    ["status in 200..200", true],
    ["status in 201..299", false],
    ["role in 0..9", false],
    ["status in [200, 204]", true],
    ["status in [201, 204]", false],
    ['status in ["200"]', false],
    ["role in [replica, primary]", true],
    ["replica in [null]", true],
    ["role contains prim", true],
    ["role contains PRIM", false],
    ["role !contains replica", true],
    ["role !contains mar", false],
    ["status contains 20", true],
    ["replica contains x", false],
    ["replica !contains x", false],
    ["version matches /^1\\.2\\./", true],
    ["role matches /^PRIMARY$/", false],
    ["role matches /^PRIMARY$/i", true],
    ["status matches /^2\\d\\d$/", true],
    ["replica matches /.*/", false],
    ["status exists", true],
    ["replica exists", true],
    ["uptimeS exists", false],
    ["uptimeS !exists", true],
    ["status !exists", false],
    ["uptimeS == 1", false],
    ["uptimeS != 1", false],
    ["uptimeS !contains x", false],
  ])("facts: %s → %s", (text, ok) => {
    expect(evaluate(parse(text), facts).ok).toBe(ok);
  });

  it.each<[string, boolean]>([
    ['body contains "\\"ok\\""', true],
    ["body contains missing-word", false],
    ['body !contains "error"', true],
    ['body !contains "beta"', false],
    ['body matches /"STATUS":"OK"/i', true],
    ['body matches /"STATUS":"OK"/', false],
    ["body matches /^\\{.*\\}$/s", true],
    ["body exists", true],
    ['json.data.status == "ok"', true],
    ["json.data.status == ok", true],
    ["json.data.status != ok", false],
    ["json.data.count < 5", true],
    ["json.data.count in 1..3", true],
    ["json.data.label < 50", false],
    ["json.data.label == 42", false],
    ['json.data.label == "42"', true],
    ["json.items[0].id == a", true],
    ["json.items[1].id == a", false],
    ["json.items.1.id == b", true],
    ["json.items[2].id exists", false],
    ["json.items[2] !exists", true],
    ["json.items exists", true],
    ["json.items == 2", false],
    ["json.tags contains beta", true],
    ["json.tags contains 7", true],
    ["json.tags !contains gamma", true],
    ["json.tags !contains beta", false],
    ["json.data contains ok", false],
    ["json.data !contains ok", false],
    ["json.empty exists", true],
    ["json.empty == null", true],
    ["json.nothing !exists", true],
    ['json["a key"] == 1', true],
    ["json.data.status.deeper exists", false],
    ["json.constructor exists", false],
    ["json.items.length exists", false],
    ["json exists", true],
  ])("body: %s → %s", (text, ok) => {
    expect(evaluate(parse(text), facts, body).ok).toBe(ok);
  });

  it("reports each failure with the actual value and joins the messages", () => {
    const result = evaluate(parse("status in 200..299", 'body contains "ok"', "latencyMs < 800", "role == replica"), { status: 503, latencyMs: 20, role: "primary" }, "bad gateway");
    expect(result).toEqual({
      ok: false,
      failures: [
        { assertion: "status in 200..299", actual: "503" },
        { assertion: 'body contains "ok"', actual: '"bad gateway"' },
        { assertion: "role == replica", actual: '"primary"' },
      ],
      message: 'status is 503, expected status in 200..299; body does not contain "ok"; role is "primary", expected role == replica',
    });
  });

  it.each<[string, string, string]>([
    ['body !contains "error"', '"an error"', 'body contains "error"'],
    ["body matches /^ok$/i", '"an error"', "body does not match /^ok$/i"],
    ["certDaysLeft >= 14", "missing", "certDaysLeft is missing, expected certDaysLeft >= 14"],
    ["replica == primary", "null", "replica is null, expected replica == primary"],
    ["ready == false", "true", "ready is true, expected ready == false"],
    ["status !exists", "200", "status is 200, expected status !exists"],
  ])("describes a failing %s", (text, actual, message) => {
    const result = evaluate(parse(text), { status: 200, ready: true, replica: null }, "an error");
    expect(result).toEqual({ ok: false, failures: [{ assertion: text, actual }], message });
  });

  it("describes JSON values and missing paths", () => {
    const json = JSON.stringify({ items: [1, 2], data: { a: 1 }, ok: false });
    const result = evaluate(parse("json.items == 3", "json.data == 1", "json.ok == true", "json.gone exists"), {}, json);
    if (result.ok) throw new Error("expected failures");
    expect(result.failures.map((f) => f.actual)).toEqual(["[1,2]", '{"a":1}', "false", "missing"]);
    expect(result.message).toBe("json.items is [1,2], expected json.items == 3; json.data is {\"a\":1}, expected json.data == 1; json.ok is false, expected json.ok == true; json.gone is missing, expected json.gone exists");
  });

  it("cuts long actual values to 80 characters", () => {
    const long = "x".repeat(200);
    const result = evaluate(parse("role == primary", "json.list == 1", 'body contains "ok"'), { role: long }, JSON.stringify({ list: Array.from({ length: 50 }, (_, i) => i) }));
    if (result.ok) throw new Error("expected failures");
    const [role, list, bodyFailure] = result.failures;
    expect(role?.actual).toBe(JSON.stringify(`${"x".repeat(77)}...`));
    expect(list?.actual).toHaveLength(80);
    expect(list?.actual.endsWith("...")).toBe(true);
    // The body is cut to 80 characters, then quoted (its own quotes escaped).
    expect(JSON.parse(bodyFailure?.actual ?? "")).toHaveLength(80);
  });

  it("fails json assertions, even !exists, when the body is not JSON", () => {
    const result = evaluate(parse("json.status == ok", "json.error !exists", 'body contains "<html>"'), {}, "<html>oops</html>");
    expect(result).toEqual({
      ok: false,
      failures: [
        { assertion: "json.status == ok", actual: "body is not JSON" },
        { assertion: "json.error !exists", actual: "body is not JSON" },
      ],
      message: "body is not JSON, expected json.status == ok; body is not JSON, expected json.error !exists",
    });
  });

  it("treats a missing body as missing for body and json assertions", () => {
    const result = evaluate(parse('body contains "ok"', "json.a == 1", "json.b !exists"), { status: 200 });
    if (result.ok) throw new Error("expected failures");
    expect(result.failures).toEqual([
      { assertion: 'body contains "ok"', actual: "missing" },
      { assertion: "json.a == 1", actual: "missing" },
    ]);
    expect(result.message).toBe('body is missing, expected body contains "ok"; json.a is missing, expected json.a == 1');
  });

  it("reads the body from the facts when none is passed", () => {
    expect(evaluate(parse('body contains "ok"'), { body: "all ok" }).ok).toBe(true);
  });

  describe("JSON parsing", () => {
    afterEach(() => vi.restoreAllMocks());

    it("parses the body once for several json assertions", () => {
      const spy = vi.spyOn(JSON, "parse");
      expect(evaluate(parse("json.data.status == ok", "json.items[0].id == a", "json.data.count == 3"), {}, body).ok).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
    });

    it("does not parse the body when no json assertion needs it", () => {
      const assertions = parse('body contains "ok"', "status == 200");
      const spy = vi.spyOn(JSON, "parse");
      evaluate(assertions, facts, body);
      expect(spy).not.toHaveBeenCalled();
    });
  });

  it("holds for an empty list of assertions", () => {
    expect(evaluate([], {})).toEqual({ ok: true });
  });
});

describe("unknownFacts", () => {
  const httpFacts = ["status", "latencyMs", "body"];

  it("accepts facts the probe produces, body and json paths when it produces a body, and latencyMs always", () => {
    expect(unknownFacts(parse("status == 200", 'body contains "ok"', "json.a exists", "latencyMs < 5"), httpFacts)).toEqual([]);
    expect(unknownFacts(parse("latencyMs < 5"), ["connections"])).toEqual([]);
  });

  it("reports facts the probe does not produce, at their index", () => {
    const assertions = parse("status == 200", "certDaysLeft >= 14", "latencyms < 800");
    expect(unknownFacts(assertions, httpFacts)).toEqual([
      { index: 1, fact: "certDaysLeft", message: 'fact "certDaysLeft" is not produced by this monitor type (it produces: status, latencyMs, body)' },
      { index: 2, fact: "latencyms", message: 'fact "latencyms" is not produced by this monitor type (it produces: status, latencyMs, body); did you mean "latencyMs"?' },
    ]);
  });

  it("reports body and json assertions on a probe without a body", () => {
    expect(unknownFacts(parse('body contains "ok"', "json.items exists"), ["connections"])).toEqual([
      { index: 0, fact: "body", message: 'fact "body" is not produced by this monitor type (it produces: connections, latencyMs)' },
      { index: 1, fact: "body", message: '"json.items" reads the body, which this monitor type does not produce (it produces: connections, latencyMs)' },
    ]);
  });
});

describe("applyAssertions", () => {
  const up: ProbeOutcome = { status: "up", latencyMs: 42, facts: { status: 200 } };

  it("returns a passing outcome unchanged", () => {
    expect(applyAssertions(up, parse("status == 200", "latencyMs < 100"))).toBe(up);
  });

  it("returns an outcome unchanged when there are no assertions", () => {
    expect(applyAssertions(up, [])).toBe(up);
  });

  it("marks an up outcome down with an assertion error, keeping facts and latency", () => {
    expect(applyAssertions(up, parse("status == 204", "latencyMs < 10"))).toEqual({
      status: "down",
      latencyMs: 42,
      facts: { status: 200 },
      error: { kind: "assertion", message: "status is 200, expected status == 204; latencyMs is 42, expected latencyMs < 10" },
    });
  });

  it("marks a degraded outcome down and drops its warning", () => {
    const degraded: ProbeOutcome = { ...up, status: "degraded", warning: "certificate expires in 3 days" };
    expect(applyAssertions(degraded, parse("status == 204"))).toEqual({
      status: "down",
      latencyMs: 42,
      facts: { status: 200 },
      error: { kind: "assertion", message: "status is 200, expected status == 204" },
    });
  });

  it("leaves an outcome that is already down unchanged", () => {
    const down: ProbeOutcome = { status: "down", latencyMs: 5000, facts: {}, error: { kind: "timeout", message: "no answer within 5s" } };
    expect(applyAssertions(down, parse("status == 200"))).toBe(down);
  });

  it("reads the body an outcome carries", () => {
    const withBody: ProbeOutcome = { ...up, body: '{"data":{"status":"ok"}}' };
    expect(applyAssertions(withBody, parse('json.data.status == "ok"', 'body contains "ok"'))).toBe(withBody);
    expect(applyAssertions(withBody, parse('json.data.status == "degraded"'))).toMatchObject({
      status: "down",
      error: { kind: "assertion", message: 'json.data.status is "ok", expected json.data.status == "degraded"' },
    });
  });

  it("prefers a latencyMs fact over the outcome's latency", () => {
    const outcome: ProbeOutcome = { ...up, facts: { latencyMs: 900 } };
    expect(applyAssertions(outcome, parse("latencyMs < 800")).status).toBe("down");
  });
});
