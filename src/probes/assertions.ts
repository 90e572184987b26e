import * as z from "zod";
import type { FieldIssueParams } from "../config/fields.ts";
import { didYouMean } from "../config/suggest.ts";
import { parseAssertion, quoted, type Assertion, type JsonPath } from "./assertion-parse.ts";
import type { Fact, ProbeOutcome } from "./types.ts";

/** The parsed form and its parts, defined with the parser. */
export type { Assertion } from "./assertion-parse.ts";

/** One assertion string of a monitor's `assert:` list, read into an `Assertion`. */
const assertionText = z.unknown().transform((value, ctx): Assertion => {
  if (typeof value !== "string") {
    const expected = "expected an assertion such as status == 200";
    const params: FieldIssueParams = { expected };
    ctx.addIssue({ code: "custom", input: value, message: expected, params });
    return z.NEVER;
  }
  const parsed = parseAssertion(value);
  if (!parsed.ok) {
    const params: FieldIssueParams = { message: parsed.message };
    ctx.addIssue({ code: "custom", input: value, message: parsed.message, params });
    return z.NEVER;
  }
  return parsed.assertion;
});

/** A monitor's `assert:` list: each string becomes an `Assertion`, each bad one an issue at its index. */
export const AssertionList = z.array(assertionText);

/** One assertion that did not hold, with the value it saw (shortened). */
export interface AssertionFailure {
  assertion: string;
  actual: string;
}

/** The result of `evaluate`: every assertion held, or the ones that failed with a message for humans. */
export type Evaluation = { ok: true } | { ok: false; failures: AssertionFailure[]; message: string };

/** An assertion on a fact the monitor's probe does not produce. */
export interface UnknownFact {
  index: number;
  fact: string;
  message: string;
}

/** The fact an assertion reads: its own name, or "body" for `body` and `json…` assertions. */
export function factOf(assertion: Assertion): string {
  return assertion.path ? "body" : assertion.fact;
}

/**
 * The assertions that read a fact the probe never produces, which is a configuration error.
 * `latencyMs` is always available: every outcome carries it, and `applyAssertions` supplies it.
 */
export function unknownFacts(assertions: readonly Assertion[], probeFacts: readonly string[]): UnknownFact[] {
  const available = probeFacts.includes("latencyMs") ? [...probeFacts] : [...probeFacts, "latencyMs"];
  const produces = `(it produces: ${available.join(", ")})`;
  const out: UnknownFact[] = [];
  assertions.forEach((assertion, index) => {
    const fact = factOf(assertion);
    if (available.includes(fact)) return;
    const message = assertion.path
      ? `"${assertion.fact}" reads the body, which this monitor type does not produce ${produces}`
      : `fact "${fact}" is not produced by this monitor type ${produces}${didYouMean(fact, available).replace(/^ \((.*)\)$/, "; $1")}`;
    out.push({ index, fact, message });
  });
  return out;
}

/** Stands for a body that does not parse as JSON. */
const notJson = Symbol("not JSON");
type Found = { found: true; value: unknown } | { found: false; actual: string };

/**
 * Checks every assertion against a check's facts and body. Pure: the body is parsed as JSON at most
 * once, and only if a `json…` assertion needs it.
 */
export function evaluate(assertions: readonly Assertion[], facts: Readonly<Record<string, Fact>>, body?: string): Evaluation {
  const text = body ?? (typeof facts.body === "string" ? facts.body : undefined);
  let json: unknown = undefined;
  let parsed = false;
  const document = (): unknown => {
    if (!parsed && text !== undefined) {
      parsed = true;
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        json = notJson;
      }
    }
    return json;
  };
  const lookup = (assertion: Assertion): Found => {
    if (assertion.path) {
      if (text === undefined) return { found: false, actual: "missing" };
      const root = document();
      if (root === notJson) return { found: false, actual: "body is not JSON" };
      return follow(root, assertion.path);
    }
    if (assertion.fact === "body") return text === undefined ? { found: false, actual: "missing" } : { found: true, value: text };
    const value = facts[assertion.fact];
    return value === undefined ? { found: false, actual: "missing" } : { found: true, value };
  };

  const failures: AssertionFailure[] = [];
  const messages: string[] = [];
  for (const assertion of assertions) {
    const found = lookup(assertion);
    // Only a value that is truly absent satisfies !exists; a body that is not JSON fails every json assertion.
    if (found.found ? holds(assertion, found.value) : assertion.op === "!exists" && found.actual === "missing") continue;
    const actual = found.found ? describe(found.value) : found.actual;
    failures.push({ assertion: assertion.text, actual });
    messages.push(failureMessage(assertion, actual));
  }
  return failures.length === 0 ? { ok: true } : { ok: false, failures, message: messages.join("; ") };
}

/**
 * Marks a healthy or degraded outcome as down when one of its assertions fails, keeping its facts and
 * latency; an outcome already down is returned unchanged, since its own error says more.
 */
export function applyAssertions(outcome: ProbeOutcome, assertions: readonly Assertion[]): ProbeOutcome {
  if (outcome.status === "down" || assertions.length === 0) return outcome;
  const facts = outcome.facts.latencyMs === undefined ? { ...outcome.facts, latencyMs: outcome.latencyMs } : outcome.facts;
  // Only probes that read a body (http) put one on the outcome.
  const result = evaluate(assertions, facts, outcome.body);
  if (result.ok) return outcome;
  // The warning explains a degraded status, which the outcome no longer has.
  const { warning: _warning, ...rest } = outcome;
  return { ...rest, status: "down", error: { kind: "assertion", message: result.message } };
}

function follow(root: unknown, path: JsonPath): Found {
  let value = root;
  for (const key of path) {
    if (Array.isArray(value)) {
      // json.items.0 reads like json.items[0].
      const index = typeof key === "number" ? key : /^\d+$/.test(key) ? Number(key) : -1;
      if (index < 0 || index >= value.length) return { found: false, actual: "missing" };
      value = value[index] as unknown;
    } else if (typeof value === "object" && value !== null && Object.hasOwn(value, String(key))) {
      // Own keys only: json.constructor must not reach Object's prototype.
      value = (value as Record<string, unknown>)[String(key)];
    } else {
      return { found: false, actual: "missing" };
    }
  }
  return { found: true, value };
}

function holds(assertion: Assertion, actual: unknown): boolean {
  switch (assertion.op) {
    case "exists":
      return true;
    case "!exists":
      return false;
    case "==":
      return actual === assertion.value;
    case "!=":
      return actual !== assertion.value;
    case "<":
      return typeof actual === "number" && actual < assertion.value;
    case "<=":
      return typeof actual === "number" && actual <= assertion.value;
    case ">":
      return typeof actual === "number" && actual > assertion.value;
    case ">=":
      return typeof actual === "number" && actual >= assertion.value;
    case "in": {
      const { value } = assertion;
      if (isList(value)) return value.some((item) => item === actual);
      return typeof actual === "number" && actual >= value.from && actual <= value.to;
    }
    case "contains":
    case "!contains": {
      const contained = contains(actual, assertion.value);
      // A value that is neither text nor a list can neither contain nor lack text: both fail.
      return contained === undefined ? false : contained === (assertion.op === "contains");
    }
    case "matches": {
      const text = asText(actual);
      return text !== undefined && new RegExp(assertion.value.source, assertion.value.flags).test(text);
    }
  }
}

function isList(value: unknown): value is readonly Fact[] {
  return Array.isArray(value);
}

/** Text operators read numbers and booleans as their text: `status matches /^2/` works. */
function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function contains(actual: unknown, needle: string): boolean | undefined {
  // A JSON list contains a value when one of its items reads as that text: json.tags contains beta.
  if (Array.isArray(actual)) return actual.some((item) => asText(item) === needle);
  const text = asText(actual);
  return text === undefined ? undefined : text.includes(needle);
}

/** A short description of a value for failures: quoted and cut text, JSON for lists and objects. */
function describe(value: unknown): string {
  if (typeof value === "string") return quoted(value);
  if (typeof value === "object" && value !== null) {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  }
  return String(value);
}

function failureMessage(assertion: Assertion, actual: string): string {
  // The body itself is long and may be anything: say what it lacks rather than what it is.
  if (assertion.fact === "body" && !assertion.path && actual !== "missing") {
    if (assertion.op === "contains") return `body does not contain ${JSON.stringify(assertion.value)}`;
    if (assertion.op === "!contains") return `body contains ${JSON.stringify(assertion.value)}`;
    if (assertion.op === "matches") return `body does not match /${assertion.value.source}/${assertion.value.flags}`;
  }
  if (actual === "body is not JSON") return `body is not JSON, expected ${assertion.text}`;
  return `${assertion.fact} is ${actual}, expected ${assertion.text}`;
}
