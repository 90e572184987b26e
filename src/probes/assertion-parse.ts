import { didYouMean } from "../config/suggest.ts";
import type { Fact } from "./types.ts";

/** The operators an assertion may use, in the order error messages list them. */
export const operators = ["==", "!=", "<", "<=", ">", ">=", "in", "contains", "!contains", "matches", "exists", "!exists"] as const;

/** One of `operators`. */
export type Operator = (typeof operators)[number];

/** An inclusive numeric range, written `200..299`. */
export interface NumberRange {
  from: number;
  to: number;
}

/** A regular expression kept as source and flags, so that parsed assertions stay plain JSON-safe data. */
export interface Pattern {
  source: string;
  flags: string;
}

/** Keys and array indexes into a JSON body: `json.items[0].id` is `["items", 0, "id"]`. */
export type JsonPath = readonly (string | number)[];

/** What every parsed assertion carries besides its operator and value. */
interface AssertionBase {
  /** The assertion as written (trimmed), shown in failures. */
  text: string;
  /** The left-hand side as written: a fact name, `body`, or `json.<path>`. */
  fact: string;
  /** Set for `json…` assertions: where to look in the body parsed as JSON (empty for the whole document). */
  path?: JsonPath;
}

/** An operator with the value it takes. */
export type Check =
  | { op: "==" | "!="; value: Fact }
  | { op: "<" | "<=" | ">" | ">="; value: number }
  | { op: "in"; value: NumberRange | readonly Fact[] }
  | { op: "contains" | "!contains"; value: string }
  | { op: "matches"; value: Pattern }
  | { op: "exists" | "!exists" };

/** A parsed assertion; the operator decides the shape of the value. */
export type Assertion = AssertionBase & Check;

/** The result of reading one assertion: the assertion, or a message for the configuration error. */
export type ParsedAssertion = { ok: true; assertion: Assertion } | { ok: false; message: string };

/** Flags accepted after a regular expression; `g` and `y` are left out because they make `test` stateful. */
const allowedFlags = ["i", "m", "s", "u"];

const examples: Record<Operator, string> = {
  "==": "status == 200",
  "!=": "status != 500",
  "<": "latencyMs < 800",
  "<=": "latencyMs <= 800",
  ">": "uptimeS > 60",
  ">=": "certDaysLeft >= 14",
  in: "status in 200..299",
  contains: 'body contains "ok"',
  "!contains": 'body !contains "error"',
  matches: "body matches /^ok$/i",
  exists: "json.items exists",
  "!exists": "json.error !exists",
};

const operatorAliases: Record<string, Operator> = { is: "==", "=~": "matches", "===": "==", "!==": "!=", "<>": "!=", "=<": "<=", "=>": ">=" };

const identifier = /[A-Za-z_][A-Za-z0-9_]*/y;
// A word operator (with an optional "!") or a run of operator symbols: "=~" is read whole to be reported.
const operatorToken = /!?[A-Za-z]+|[=!<>~]+/y;
const dotKey = /\.([A-Za-z0-9_$-]+)/y;
const indexKey = /\[\s*(\d+)\s*\]/y;
const quotedKey = /\[\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*\]/y;
const doubleQuoted = /"(?:[^"\\]|\\.)*"/y;
// As in YAML, two single quotes stand for one inside single quotes.
const singleQuoted = /'(?:[^']|'')*'/y;
// Bare words stop at separators of lists; a quote inside a word ("it's") is part of it.
const bareWord = /[^\s,[\]"'][^\s,[\]]*/y;
const numberText = /^-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const rangeText = /^(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)$/;
const regexText = /^\/(.*)\/([A-Za-z]*)$/s;

/** Cuts `text` to `max` characters and quotes it, for messages. */
export function quoted(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 3)}...` : text);
}

/** A cursor over the assertion text; sticky regular expressions read at the cursor. */
class Reader {
  index = 0;
  constructor(readonly text: string) {}

  get rest(): string {
    return this.text.slice(this.index);
  }

  get atEnd(): boolean {
    return this.index >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.index);
  }

  skipSpace(): void {
    while (/\s/.test(this.peek()) && !this.atEnd) this.index++;
  }

  read(pattern: RegExp): RegExpExecArray | undefined {
    pattern.lastIndex = this.index;
    const match = pattern.exec(this.text);
    if (match === null) return undefined;
    this.index = pattern.lastIndex;
    return match;
  }
}

class ParseError extends Error {}

/** A scalar value as read, with its spelling (for `contains`, which reads `200` as the text "200"). */
interface Scalar {
  value: Fact;
  raw: string;
  bare: boolean;
}

/** Reads one assertion such as `status in 200..299` or `json.items[0].id == "a"`. */
export function parseAssertion(input: string): ParsedAssertion {
  const text = input.trim();
  const cannotRead = (why = "expected <fact> <operator> <value>, such as status == 200") =>
    new ParseError(`cannot read assertion ${quoted(text)}: ${why}`);
  try {
    const reader = new Reader(text);
    const name = reader.read(identifier)?.[0];
    if (name === undefined) throw cannotRead();
    const path = name === "json" ? readJsonPath(reader, cannotRead) : undefined;
    const fact = text.slice(0, reader.index);
    reader.skipSpace();
    const op = readOperator(reader, cannotRead);
    reader.skipSpace();
    const assertion: Assertion = { text, fact, ...(path ? { path } : {}), ...readValue(reader, op, cannotRead) };
    return { ok: true, assertion };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, message: error.message };
    throw error;
  }
}

type CannotRead = (why?: string) => ParseError;

function readJsonPath(reader: Reader, cannotRead: CannotRead): JsonPath {
  const path: (string | number)[] = [];
  for (;;) {
    const next = reader.peek();
    if (next !== "." && next !== "[") break;
    const dot = reader.read(dotKey);
    const index = dot ? undefined : reader.read(indexKey);
    const key = dot || index ? undefined : reader.read(quotedKey);
    if (dot?.[1] !== undefined) path.push(dot[1]);
    else if (index?.[1] !== undefined) path.push(Number(index[1]));
    else if (key?.[1] !== undefined) path.push(unquote(key[1], cannotRead));
    else throw cannotRead('expected a JSON path such as json.data.status, json.items[0].id or json["a key"]');
  }
  return path;
}

function readOperator(reader: Reader, cannotRead: CannotRead): Operator {
  const token = reader.read(operatorToken)?.[0];
  // A lone "=" is the usual slip for "=="; the general form shows the fix.
  if (token === undefined || token === "=") throw cannotRead();
  const op = operators.find((candidate) => candidate === token);
  if (op !== undefined) return op;
  // Spellings from other languages map to ours; other words get the closest operator, if any is close.
  const alias = operatorAliases[token];
  const hint = alias === undefined ? didYouMean(token, operators).replace(/^ \((.*)\)$/, "; $1") : `; did you mean "${alias}"?`;
  throw new ParseError(`unknown operator "${token}" (operators: ${operators.join(", ")})${hint}`);
}

/** Reads the value `op` takes, up to the end of the text. */
function readValue(reader: Reader, op: Operator, cannotRead: CannotRead): Check {
  const missing = () => cannotRead(`expected a value after "${op}", such as ${examples[op]}`);
  switch (op) {
    case "exists":
    case "!exists":
      if (!reader.atEnd) throw cannotRead(`unexpected ${quoted(reader.rest)} after "${op}"`);
      return { op };
    case "in":
      if (reader.atEnd) throw missing();
      return { op, value: readRangeOrList(reader, cannotRead) };
    case "matches":
      if (reader.atEnd) throw missing();
      return { op, value: readPattern(reader.rest) };
    default: {
      const scalar = readScalar(reader, cannotRead);
      if (scalar === undefined) throw missing();
      const start = reader.index - scalar.raw.length;
      reader.skipSpace();
      if (!reader.atEnd) {
        // "role == primary db": a bare word ended at the space; say how to keep the rest.
        const hint = scalar.bare ? `; put text with spaces in quotes, such as ${JSON.stringify(reader.text.slice(start))}` : "";
        throw cannotRead(`unexpected ${quoted(reader.rest)} after the value${hint}`);
      }
      if (op === "contains" || op === "!contains") {
        return { op, value: typeof scalar.value === "string" && !scalar.bare ? scalar.value : scalar.raw };
      }
      if (op === "==" || op === "!=") return { op, value: scalar.value };
      if (typeof scalar.value !== "number") {
        const got = typeof scalar.value === "string" ? `the text ${quoted(scalar.value)}` : scalar.raw;
        throw new ParseError(`expected a number after "${op}", got ${got}`);
      }
      return { op, value: scalar.value };
    }
  }
}

function readScalar(reader: Reader, cannotRead: CannotRead): Scalar | undefined {
  const first = reader.peek();
  if (first === '"' || first === "'") {
    const match = reader.read(first === '"' ? doubleQuoted : singleQuoted);
    if (match === undefined) throw cannotRead(`a quote (${first}) is opened but not closed`);
    return { value: unquote(match[0], cannotRead), raw: match[0], bare: false };
  }
  const raw = reader.read(bareWord)?.[0];
  if (raw === undefined) return undefined;
  const value = numberText.test(raw) ? Number(raw) : raw === "true" ? true : raw === "false" ? false : raw === "null" ? null : raw;
  return { value, raw, bare: typeof value === "string" };
}

function unquote(raw: string, cannotRead: CannotRead): string {
  if (raw.startsWith("'")) return raw.slice(1, -1).replaceAll("''", "'");
  try {
    return JSON.parse(raw) as string;
  } catch {
    throw cannotRead(`${raw} has an unknown escape; use \\" for a quote and \\\\ for a backslash`);
  }
}

function readRangeOrList(reader: Reader, cannotRead: CannotRead): NumberRange | readonly Fact[] {
  const start = reader.index;
  const expected = () => new ParseError(`expected a range such as 200..299 or a list such as [200, 204] after "in", got ${quoted(reader.text.slice(start))}`);
  if (reader.peek() !== "[") {
    const range = rangeText.exec(reader.rest.trimEnd());
    if (range?.[1] === undefined || range[2] === undefined) throw expected();
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (from > to) throw new ParseError(`the range ${from}..${to} is empty: write the smaller number first, such as ${to}..${from}`);
    return { from, to };
  }
  reader.index++;
  const values: Fact[] = [];
  reader.skipSpace();
  if (reader.peek() === "]") throw new ParseError(`the list after "in" is empty: give at least one value, such as [200, 204]`);
  for (;;) {
    reader.skipSpace();
    const scalar = readScalar(reader, cannotRead);
    if (scalar === undefined) throw expected();
    values.push(scalar.value);
    reader.skipSpace();
    const separator = reader.peek();
    reader.index++;
    if (separator === "]") break;
    if (separator !== ",") throw expected();
  }
  reader.skipSpace();
  if (!reader.atEnd) throw expected();
  return values;
}

function readPattern(rest: string): Pattern {
  const match = regexText.exec(rest.trimEnd());
  if (match?.[1] === undefined || match[2] === undefined || match[1] === "") {
    throw new ParseError(`expected a regular expression such as /^ok$/i after "matches", got ${quoted(rest)}`);
  }
  const [, source, flags] = match;
  const literal = `/${source}/${flags}`;
  const bad = [...flags].find((flag, i) => !allowedFlags.includes(flag) || flags.indexOf(flag) !== i);
  if (bad !== undefined) throw new ParseError(`invalid regular expression ${literal}: flag "${bad}" is not supported or repeated (flags: ${allowedFlags.join(", ")})`);
  try {
    new RegExp(source, flags);
  } catch (error) {
    // V8 says "Invalid regular expression: /[/: Unterminated character class"; keep the reason.
    const reason = error instanceof Error ? (/: ([^:]+)$/.exec(error.message)?.[1] ?? error.message) : String(error);
    throw new ParseError(`invalid regular expression ${literal}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`);
  }
  return { source, flags };
}
