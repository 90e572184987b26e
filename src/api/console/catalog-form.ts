/**
 * The console's catalog forms (pure): which keys a component's or a monitor's form shows, each value as typed in a
 * field, and the API body a submitted form makes. A field holds what would follow `key:` in vigil.yaml and is read
 * the same way (YAML: `5` is a number, `[a, b]` a list), except the keys whose schema takes text only, read as typed.
 * Values that look like secrets come back from the API as [redacted]: an edit sends only the fields that changed, and
 * refuses a value still holding [redacted].
 */
import { parse, stringify } from "yaml";
import { isSecretKey, redacted } from "../../catalog/redact-settings.ts";
import { componentKeyNames, monitorCommonKeys, monitorFactLimits } from "../../config/schema.ts";
import { probeKeys, probeRegistry, type MonitorType } from "../../probes/registry.ts";

/** One field of a catalog form. */
export interface CatalogField {
  key: string;
  /** Shown as a textarea (a collection or long text). */
  long: boolean;
  /** Read as typed, not as YAML (the schema takes text only). */
  text: boolean;
  /** A secret: a password input, left empty in an edit to keep what is stored. */
  secret: boolean;
}

/** The fields of a form in the groups it shows them: the main ones, the type's own, and the rest (folded away). */
export interface CatalogKeys {
  main: CatalogField[];
  own: CatalogField[];
  more: CatalogField[];
}

const longKeys = new Set(["assert", "headers", "body", "description", "depends_on", "query"]);

/** Whether a zod schema takes text only (a string, optional or with a default). */
function takesTextOnly(schema: unknown): boolean {
  let current = schema as { _zod?: { def?: { type?: string; innerType?: unknown; in?: unknown } } } | undefined;
  for (let depth = 0; depth < 8 && current?._zod?.def; depth++) {
    const def = current._zod.def;
    if (def.type === "string") return true;
    if (def.type === "optional" || def.type === "default" || def.type === "prefault" || def.type === "nullable") current = def.innerType as typeof current;
    else if (def.type === "pipe") current = def.in as typeof current;
    else return false;
  }
  return false;
}

const field = (key: string, text: boolean): CatalogField => ({ key, long: longKeys.has(key), text, secret: isSecretKey(key) });

/** The fields of a monitor of `type`: id, name and times; the probe's own keys; then detection's, which apply to it. */
export function monitorKeys(type: MonitorType): CatalogKeys {
  const probe = probeRegistry[type];
  const shape = (probe.configSchema as { shape?: Record<string, unknown> }).shape ?? {};
  const mainKeys = ["id", "name", "interval", "timeout"];
  const limits = monitorFactLimits as Record<string, string>;
  return {
    main: mainKeys.map((key) => field(key, key === "name")),
    own: probeKeys(probe).map((key) => field(key, takesTextOnly(shape[key]))),
    more: monitorCommonKeys
      .filter((key) => key !== "type" && !mainKeys.includes(key))
      .filter((key) => limits[key] === undefined || probe.facts.includes(limits[key]))
      .map((key) => field(key, false)),
  };
}

/** The fields of a component (its monitors are chosen apart, as checkboxes). */
export function componentKeys(): CatalogKeys {
  const textKeys = ["name", "group", "description"];
  const main = ["id", "name", "group", "description"];
  return {
    main: main.map((key) => field(key, textKeys.includes(key))),
    own: [],
    more: componentKeyNames.filter((key) => !main.includes(key) && key !== "monitors").map((key) => field(key, textKeys.includes(key))),
  };
}

/** Every field of a form, in order. */
export const allFields = (keys: CatalogKeys): CatalogField[] => [...keys.main, ...keys.own, ...keys.more];

/** A stored value as its field shows it: text as it is when it reads back the same, anything else as YAML. */
export function fieldText(value: unknown, f: CatalogField): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string" && (f.text || readsBackAs(value))) return value;
  if (typeof value === "object") return stringify(value, f.long ? { lineWidth: 0 } : { collectionStyle: "flow", lineWidth: 0 }).trimEnd();
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function readsBackAs(text: string): boolean {
  try {
    return parse(text) === text;
  } catch {
    return false;
  }
}

/** A form's refusal of what was typed, before any call of the API: the field and why. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** The value typed in a field: text as typed for text keys, YAML otherwise. */
function valueOf(text: string, f: CatalogField): { value: unknown } | { problem: FieldProblem } {
  if (text.includes(redacted)) return { problem: { path: f.key, message: `holds ${redacted}, which stands for a stored secret: type the whole value again` } };
  if (f.text) return { value: text };
  try {
    return { value: parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : "not YAML";
    return { problem: { path: f.key, message: `cannot be read as YAML: ${reason}` } };
  }
}

/** Submitted values by key (`v.<key>` fields), trimmed at the end. */
export type Submitted = Readonly<Record<string, string>>;

/** The body of a new entry: every field typed in, read; empty fields are left out (their defaults apply). */
export function entryOf(keys: CatalogKeys, submitted: Submitted, fixed: Record<string, unknown> = {}): { entry: Record<string, unknown> } | { problems: FieldProblem[] } {
  const entry: Record<string, unknown> = { ...fixed };
  const problems: FieldProblem[] = [];
  for (const f of allFields(keys)) {
    const text = (submitted[f.key] ?? "").trimEnd();
    if (text.trim() === "") continue;
    const read = valueOf(text, f);
    if ("problem" in read) problems.push(read.problem);
    else entry[f.key] = read.value;
  }
  return problems.length > 0 ? { problems } : { entry };
}

/**
 * The JSON merge patch an edit makes: the fields whose text changed from what the form showed, read; a field emptied
 * is null (its key removed, its default back). A secret's field shows nothing: left empty, it keeps what is stored.
 */
export function patchOf(keys: CatalogKeys, stored: Record<string, unknown>, submitted: Submitted): { patch: Record<string, unknown> } | { problems: FieldProblem[] } {
  const patch: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const f of allFields(keys)) {
    if (f.key === "id") continue;
    const text = (submitted[f.key] ?? "").trimEnd();
    const shown = f.secret ? "" : fieldText(stored[f.key], f);
    if (text === shown) continue;
    if (text.trim() === "") {
      if (!f.secret && f.key in stored) patch[f.key] = null;
      continue;
    }
    const read = valueOf(text, f);
    if ("problem" in read) problems.push(read.problem);
    else patch[f.key] = read.value;
  }
  return problems.length > 0 ? { problems } : { patch };
}

/** What a form shows for a stored entry: each field's text (secrets empty). */
export function shownValues(keys: CatalogKeys, stored: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(allFields(keys).map((f) => [f.key, f.secret ? "" : fieldText(stored[f.key], f)]));
}
