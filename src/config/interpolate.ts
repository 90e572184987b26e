import { isMap, isPair, isScalar, isSeq, parse as parseYaml, Scalar, type Document, type Node } from "yaml";
import type { ConfigPath } from "./path.ts";

/** A reference to an environment variable that is not set (and has no default). */
export interface MissingVariable {
  name: string;
  path: ConfigPath;
  node: Node;
}

/** What interpolation did: the variables it could not resolve, and where values came from the environment. */
export interface InterpolationResult {
  missing: MissingVariable[];
  /** Formatted paths of the values that took text from the environment: their values are never printed in errors. */
  fromEnv: Map<string, string[]>;
}

const reference = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every scalar value of the document, in place.
 * `$${` stands for a literal `${`. A missing variable is reported, never replaced by an empty string.
 * Substitution happens after YAML parsing, so a secret with YAML syntax in it stays one string; an
 * unquoted value made entirely of a reference is re-read as a YAML scalar (`port: ${PORT}` is a number).
 */
export function interpolateDocument(doc: Document, env: Record<string, string | undefined>, formatPath: (path: ConfigPath) => string): InterpolationResult {
  const result: InterpolationResult = { missing: [], fromEnv: new Map() };
  walk(doc.contents, [], (scalar, path) => {
    if (typeof scalar.value !== "string" || !scalar.value.includes("${")) return;
    const names: string[] = [];
    let failed = false;
    const replaced = scalar.value.replace(reference, (whole, name: string | undefined, fallback: string | undefined) => {
      if (name === undefined) return "${";
      const value = env[name];
      if (value !== undefined) {
        names.push(name);
        return value;
      }
      if (fallback !== undefined) return fallback;
      failed = true;
      result.missing.push({ name, path, node: scalar });
      return whole;
    });
    if (failed) return;
    if (names.length > 0) result.fromEnv.set(formatPath(path), names);
    scalar.value = scalar.type === Scalar.PLAIN ? retype(replaced) : replaced;
  });
  return result;
}

/** Reads an unquoted value's text as YAML would have (numbers, booleans); anything else stays text. */
function retype(text: string): unknown {
  try {
    const value: unknown = parseYaml(text, { logLevel: "silent" });
    return value === null || typeof value === "object" ? text : value;
  } catch {
    return text;
  }
}

function walk(node: unknown, path: (string | number)[], visit: (scalar: Scalar, path: ConfigPath) => void): void {
  if (isScalar(node)) visit(node, path);
  else if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      walk(pair.value, [...path, key], visit);
    }
  } else if (isSeq(node)) node.items.forEach((item, index) => walk(item, [...path, index], visit));
}
