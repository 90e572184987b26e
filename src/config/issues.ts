import type * as z from "zod";
import type { FieldIssueParams } from "./fields.ts";
import { trimToData, valueAt, type ConfigPath } from "./path.ts";

/** One problem in a configuration, before it is given a file position. */
export interface RawConfigIssue {
  path: ConfigPath;
  message: string;
  /** The problem is the key at `path` itself (unknown key), not its value. */
  atKey?: boolean;
}

const typeNouns: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

/** Key names whose values are secrets (passwords, tokens, keys, credentials, Authorization headers…). */
const secretKey = /pass(word|phrase)?|secret|token|key|credential|auth|cookie|session|signature|private|dsn|bearer/i;

/**
 * Whether the value at `path` is under a secret-named key (the key itself, or a mapping of credentials holding it), or
 * is an `exec` action's environment variable (credentials for a cloud CLI, whatever their names).
 */
export function isSecretPath(path: ConfigPath): boolean {
  const keys = path.filter((segment): segment is string => typeof segment === "string");
  const [last, parent] = [keys.at(-1), keys.at(-2)];
  if (keys[0] === "actions" && parent === "env" && typeof path.at(-1) === "string") return true;
  return (last !== undefined && secretKey.test(last)) || (parent !== undefined && /auth|credential|secret/i.test(parent) && typeof path.at(-1) === "string");
}

/** A URL in an error: its scheme and host only; user info, path, query and fragment may hold a secret. */
function describeUrl(text: string): string {
  if (!URL.canParse(text)) return "text that starts like a URL but is not one (not shown: a URL may hold a secret)";
  const url = new URL(text);
  const origin = `${url.protocol}//${url.host}`;
  const rest = url.username !== "" || url.password !== "" || (url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "";
  return rest ? `a URL ${JSON.stringify(`${origin}/…`)} (the rest not shown: a URL may hold a secret)` : JSON.stringify(text);
}

/**
 * Describes a value for an error message. Never shown, as they may be secrets: values that came from the
 * environment, values under a secret-named key (`secret`, `password`, `token`, `routing_key`, `Authorization`…),
 * and all of a URL but its scheme and host.
 */
export function describeValue(value: unknown, envNames?: readonly string[], secret = false): string {
  if (envNames && envNames.length > 0) return `the value of \${${envNames.join("}, ${")}}`;
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (secret) return `${typeof value === "string" ? "text" : typeof value === "number" ? "a number" : typeof value === "boolean" ? "true or false" : "a value"} (not shown: secret-named key)`;
  if (typeof value === "string" && /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim())) return describeUrl(value.trim());
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/** Turns zod's issues on the configuration data into messages users read, with their paths. */
export function issuesFromZod(error: z.ZodError, data: unknown, fromEnv: Map<string, string[]>, format: (path: ConfigPath) => string): RawConfigIssue[] {
  const out: RawConfigIssue[] = [];
  for (const issue of error.issues) {
    const fullPath = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    // A value given as a scalar but read as a mapping (`depends_on: [api]`) is blamed on the scalar.
    const path = trimToData(data, fullPath);
    const got = (value: unknown) => describeValue(value, fromEnv.get(format(path)), isSecretPath(path));
    const input = path.length === fullPath.length ? issue.input : undefined;
    switch (issue.code) {
      case "custom": {
        const params = (issue.params ?? {}) as FieldIssueParams;
        if (params.unknownKey !== undefined) {
          const hint = params.suggestion === undefined ? "" : ` (did you mean "${params.suggestion}"?)`;
          out.push({ path, atKey: true, message: `unknown key "${params.unknownKey}"${hint}` });
        } else if (params.required) out.push({ path, message: "is required" });
        else if (params.expected) out.push({ path, message: `${params.expected}, got ${got(issue.input)}` });
        else out.push({ path, message: params.message ?? issue.message });
        break;
      }
      case "invalid_type":
        if (input === undefined && path.length === fullPath.length) out.push({ path, message: "is required" });
        else out.push({ path, message: `expected ${typeNouns[issue.expected] ?? issue.expected}, got ${got(input ?? valueAt(data, path))}` });
        break;
      case "invalid_value":
        out.push({ path, message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${got(issue.input)}` });
        break;
      case "too_small":
        out.push({
          path,
          message:
            issue.origin === "string" && issue.minimum === 1
              ? "must not be empty"
              : issue.inclusive === false
                ? `must be greater than ${String(issue.minimum)}`
                : `must be at least ${String(issue.minimum)}${issue.origin === "array" ? " items" : ""}`,
        });
        break;
      case "too_big":
        out.push({ path, message: `must be at most ${String(issue.maximum)}${issue.origin === "array" ? " items" : issue.origin === "string" ? " characters" : ""}` });
        break;
      case "invalid_union":
        out.push({ path, message: unionMessage(issue, got(issue.input)) });
        break;
      default:
        out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** A union's message: each alternative's expectation, e.g. `expected "auto", "manual" or a duration such as 30s`. */
function unionMessage(issue: z.core.$ZodIssueInvalidUnion, got: string): string {
  const expectations = issue.errors.flatMap((branch) =>
    branch.map((i) => {
      if (i.code === "invalid_value") return i.values.map((v) => JSON.stringify(v)).join(", ");
      const params = (i as { params?: FieldIssueParams }).params;
      return params?.expected?.replace(/^expected /, "") ?? i.message;
    }),
  );
  return `expected ${[...new Set(expectations)].join(" or ")}, got ${got}`;
}
