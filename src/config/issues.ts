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

/**
 * Describes a value for an error message. Values that came from the environment are never shown:
 * they may be secrets.
 */
export function describeValue(value: unknown, envNames?: readonly string[]): string {
  if (envNames && envNames.length > 0) return `the value of \${${envNames.join("}, ${")}}`;
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
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
    const got = (value: unknown) => describeValue(value, fromEnv.get(format(path)));
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
