import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LineCounter, parseDocument, visit, type Document } from "yaml";
import { AppError, type ErrorDetail } from "../core/errors.ts";
import { interpolateDocument } from "./interpolate.ts";
import { issuesFromZod, type RawConfigIssue } from "./issues.ts";
import { formatPath, type ConfigPath } from "./path.ts";
import { positionOf } from "./positions.ts";
import { checkReferences } from "./references.ts";
import { VigilConfigSchema, type VigilConfig } from "./schema.ts";

/** One error in a configuration file, with its place. */
export interface ConfigIssue extends ErrorDetail {
  file: string;
  path: string;
  /** The error is in an entry kept in the database: its kind, id, and the path inside it. */
  entry?: { kind: CatalogEntryKind; id: string; path: string };
}

/** What the database keeps beside the file: components and monitors. */
export type CatalogEntryKind = "component" | "monitor";

/** Entries kept in the database, each as the file would write it, added after the file's own. */
export interface DatabaseEntries {
  components: readonly Record<string, unknown>[];
  monitors: readonly Record<string, unknown>[];
}

/** What a database issue's `file` says. */
export const databaseSource = "database";

/** A configuration that is valid in full, or every error found in it. */
export type ConfigLoadResult =
  | { ok: true; config: VigilConfig; /** The ids in `config` that came from the database's entries. */ fromDatabase: { component: string[]; monitor: string[] } }
  | { ok: false; errors: ConfigIssue[] };

const maxYamlErrors = 5;

/** The example configuration shipped with Vigil, used when no vigil.yaml is present. */
export const bundledConfigPath = fileURLToPath(new URL("../../examples/vigil.example.yaml", import.meta.url));

/** The file a command should read: the one named, else ./vigil.yaml, else the bundled example. */
export function resolveConfigPath(cwd: string, given: string | undefined): { path: string; bundled: boolean } {
  if (given !== undefined) return { path: path.resolve(cwd, given), bundled: false };
  const local = path.join(cwd, "vigil.yaml");
  return existsSync(local) ? { path: local, bundled: false } : { path: bundledConfigPath, bundled: true };
}

/** Reads and validates a configuration file; never throws for a bad file, only reports. */
export async function loadConfigFile(file: string, env: Record<string, string | undefined>, entries?: DatabaseEntries): Promise<ConfigLoadResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    return { ok: false, errors: [{ file, path: "", message: `cannot read the configuration file: ${reason}` }] };
  }
  return parseConfigText(text, file, env, entries);
}

/**
 * Validates configuration text: YAML syntax, `${ENV}` references, the schema and the references
 * between entries, reporting every error at once with its line and column.
 */
export function parseConfigText(text: string, file: string, env: Record<string, string | undefined>, entries?: DatabaseEntries): ConfigLoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    // One syntax slip cascades into many parser errors: the first few say where to look.
    return {
      ok: false,
      errors: doc.errors.slice(0, maxYamlErrors).map((e) => ({
        file,
        path: "",
        message: `invalid YAML: ${e.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`,
        ...(e.linePos ? { line: e.linePos[0].line, column: e.linePos[0].col } : {}),
      })),
    };
  }
  const interpolation = interpolateDocument(doc, env, formatPath);
  const place = (issue: RawConfigIssue): ConfigIssue => {
    const position = positionOf(doc, lines, issue.path, issue.atKey);
    return { file, path: formatPath(issue.path), message: issue.message, ...(position ?? {}) };
  };
  const envErrors = interpolation.missing.map((m) =>
    place({ path: m.path, message: `environment variable ${m.name} is not set (write \${${m.name}:-default} to give a default)` }),
  );
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (error) {
    // An alias to an anchor not yet set, or aliases expanding past the limit (a "billion laughs" document).
    const at = aliasPosition(doc, lines);
    return { ok: false, errors: [...envErrors, { file, path: "", message: `invalid YAML: ${(error as Error).message}`, ...(at ?? {}) }] };
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, errors: [...envErrors, place({ path: [], message: "the configuration must be a mapping of sections (site, components, monitors…)" })] };
  }
  const merged = entries === undefined ? { data, origin: () => undefined, added: () => ({ component: [], monitor: [] }) } : withEntries(data as Record<string, unknown>, entries);
  const parsed = VigilConfigSchema.safeParse(merged.data, { reportInput: true });
  const schemaIssues = parsed.success ? [] : issuesFromZod(parsed.error, merged.data, interpolation.fromEnv, formatPath);
  // Paths of values with a missing variable already have their error: don't add "expected a port" on top.
  const envPaths = new Set(envErrors.map((e) => e.path));
  const raw = hideEnvValues([...schemaIssues, ...checkReferences(merged.data)], merged.data, interpolation.fromEnv);
  const fromDatabase: ConfigIssue[] = [];
  const fromFile: RawConfigIssue[] = [];
  for (const issue of raw) {
    const origin = merged.origin(issue.path);
    if (origin === undefined) fromFile.push(issue);
    else {
      const inside = formatPath(issue.path.slice(2));
      const at = `${String(issue.path[0])}[${JSON.stringify(origin.id)}]${inside === "" || inside.startsWith("[") ? inside : `.${inside}`}`;
      fromDatabase.push({ file: databaseSource, path: at, message: issue.message, entry: { ...origin, path: inside } });
    }
  }
  const issues = fromFile.map(place).filter((i) => !envPaths.has(i.path));
  const errors = [...sortIssues([...envErrors, ...issues]), ...fromDatabase];
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, config: deepFreeze(parsed.data), fromDatabase: merged.added() };
}

/**
 * The file's data with the database's entries after its own components and monitors; an entry whose id the file also
 * has is left out (the file is the truth). `origin` says which database entry a path points into.
 */
function withEntries(data: Record<string, unknown>, entries: DatabaseEntries) {
  const sections = { components: "component", monitors: "monitor" } as const;
  const out: Record<string, unknown> = { ...data };
  const firstOf: Record<string, { start: number; added: { id: string }[] }> = {};
  for (const [section, kind] of Object.entries(sections)) {
    const own = Array.isArray(data[section]) ? (data[section] as unknown[]) : [];
    const ownIds = new Set(own.map((e) => (typeof e === "object" && e !== null ? (e as { id?: unknown }).id : undefined)));
    const added = entries[section as keyof DatabaseEntries].filter((e) => !ownIds.has(e["id"]));
    if (added.length > 0 || data[section] !== undefined) out[section] = [...own, ...added];
    firstOf[kind] = { start: own.length, added: added.map((e) => ({ id: String(e["id"]) })) };
  }
  const origin = (path: ConfigPath): { kind: CatalogEntryKind; id: string } | undefined => {
    const [section, index] = path;
    const kind = section === "components" ? "component" : section === "monitors" ? "monitor" : undefined;
    if (kind === undefined || typeof index !== "number") return undefined;
    const at = firstOf[kind] as { start: number; added: { id: string }[] };
    const entry = at.added[index - at.start];
    return index >= at.start && entry !== undefined ? { kind, id: entry.id } : undefined;
  };
  const added = () => ({ component: (firstOf["component"]?.added ?? []).map((e) => e.id), monitor: (firstOf["monitor"]?.added ?? []).map((e) => e.id) });
  return { data: out, origin, added };
}

/** Renders issues one per line, `file:line:column path: message`, the way compilers do. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((i) => {
      if (i.entry !== undefined) return `${databaseSource} (${i.entry.kind} "${i.entry.id}") ${i.entry.path === "" ? "" : `${i.entry.path}: `}${i.message}`;
      const where = i.line === undefined ? i.file : `${i.file}:${i.line}:${i.column ?? 1}`;
      return `${where} ${i.path === "" ? "" : `${i.path}: `}${i.message}`;
    })
    .join("\n");
}

/** The AppError for a rejected configuration, carrying every issue as a detail. */
export function configErrorFrom(issues: readonly ConfigIssue[]): AppError {
  const first = issues[0];
  const count = `${issues.length} error${issues.length === 1 ? "" : "s"}`;
  return new AppError("config_invalid", `the configuration ${first?.file ?? ""} is invalid (${count})`, { details: issues });
}

/**
 * Some errors quote what they could not read (`no monitor has the id "api"`, `cannot read assertion "…"`, a cycle's
 * ids); a value that came from the environment is named by its variable instead, as every other error does.
 */
function hideEnvValues(issues: RawConfigIssue[], data: unknown, fromEnv: Map<string, string[]>): RawConfigIssue[] {
  const hidden = new Map<string, string>();
  const visitValues = (value: unknown, at: ConfigPath): void => {
    if (typeof value === "string") {
      const names = fromEnv.get(formatPath(at));
      if (names !== undefined && value !== "") hidden.set(value, `\${${names.join("}\${")}}`);
    } else if (Array.isArray(value)) value.forEach((v, i) => visitValues(v, [...at, i]));
    else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) visitValues(v, [...at, k]);
  };
  if (fromEnv.size === 0) return issues;
  visitValues(data, []);
  if (hidden.size === 0) return issues;
  return issues.map((issue) => {
    let message = issue.message;
    for (const [value, name] of hidden) {
      message = message.split(JSON.stringify(value)).join(name).split(`"${value}"`).join(name);
      // A cycle lists its ids bare, joined by arrows.
      if (message.startsWith("dependency cycle: ")) message = `dependency cycle: ${message.slice(18).split(" → ").map((id) => (id === value ? name : id)).join(" → ")}`;
    }
    return { ...issue, message };
  });
}

/** Where the first alias that does not resolve is (else the first alias): what a failed expansion is blamed on. */
function aliasPosition(doc: Document, lines: LineCounter): { line: number; column: number } | undefined {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      first ??= node.range?.[0];
      if (node.resolve(doc) === undefined) {
        unresolved = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  const offset = unresolved ?? first;
  if (offset === undefined) return undefined;
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
