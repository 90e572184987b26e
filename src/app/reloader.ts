import { readFile } from "node:fs/promises";
import type { CatalogChange, CatalogSource, ReloadOutcome } from "../api/deps.ts";
import { catalogFromConfig } from "../catalog/from-config.ts";
import { mergePatch } from "../catalog/merge-patch.ts";
import type { Clock } from "../core/clock.ts";
import { AppError, type ErrorDetail } from "../core/errors.ts";
import { formatConfigIssues, parseConfigText, type CatalogEntryKind, type ConfigIssue, type DatabaseEntries, type VigilConfig } from "../config/index.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { CatalogEntryRow, Store } from "../store/types.ts";

/** Settings that a reload cannot change in a running process. */
const restartOnly = ["server", "storage"] as const;

/** The NOTIFY channel on which a node says it changed the database's catalog entries. */
export const catalogChannel = "vigil_catalog";

/** The configuration file's text and the database's entries, merged: what a running Vigil applies. */
export interface EffectiveConfig {
  config: VigilConfig;
  /** The file's text it came from; undefined when it was not read (no database entries at start). */
  text: string | undefined;
  fromDatabase: { component: string[]; monitor: string[] };
}

/**
 * The configuration at start: the file as the CLI loaded it, and the database's components and monitors with it
 * (AppError config_invalid, naming the entries, when they no longer fit the file).
 */
export async function startingConfig(config: VigilConfig, file: string, env: Record<string, string | undefined>, store: Store): Promise<EffectiveConfig> {
  const rows = await store.catalogEntries.list();
  if (rows.length === 0) return { config, text: undefined, fromDatabase: { component: [], monitor: [] } };
  const text = await readFile(file, "utf8");
  const parsed = parseConfigText(text, file, env, entriesOf(rows));
  if (!parsed.ok) {
    const message = `the components and monitors kept in the database do not fit ${file}:\n${formatConfigIssues(parsed.errors)}`;
    throw new AppError("config_invalid", message, { details: parsed.errors });
  }
  return { config: parsed.config, text, fromDatabase: parsed.fromDatabase };
}

/** Holds the running configuration and swaps it only for a new one that is valid in full. */
export class ConfigHolder {
  #current: VigilConfig;
  #text: string | undefined;
  #fromDatabase: { component: ReadonlySet<string>; monitor: ReadonlySet<string> };
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    initial: VigilConfig | EffectiveConfig,
    private readonly deps: {
      file: string;
      env: Record<string, string | undefined>;
      store: Store;
      clock: Clock;
      logger: Logger;
      metrics: Metrics;
      /** Called with each configuration that was applied. */
      onApplied?: (config: VigilConfig) => void;
      /** Called after this node changed the database's entries (other nodes are told to read them). */
      onEntriesWritten?: () => void;
    },
  ) {
    const effective = "config" in initial ? initial : { config: initial, text: undefined, fromDatabase: { component: [], monitor: [] } };
    this.#current = effective.config;
    this.#text = effective.text;
    this.#fromDatabase = { component: new Set(effective.fromDatabase.component), monitor: new Set(effective.fromDatabase.monitor) };
    this.#recordSize(effective.config);
  }

  get current(): VigilConfig {
    return this.#current;
  }

  /** Where a component or monitor of the running configuration is defined; undefined when it has none of that id. */
  sourceOf(kind: CatalogEntryKind, id: string): CatalogSource | undefined {
    if (this.#fromDatabase[kind].has(id)) return "database";
    const list: readonly { id: string }[] = kind === "component" ? this.#current.components : this.#current.monitors;
    return list.some((e) => e.id === id) ? "file" : undefined;
  }

  /** Reloads the file (with the database's entries); reloads run one at a time, in the order asked. */
  reload(actor: string): Promise<ReloadOutcome> {
    return this.#enqueue(() => this.#reload(actor));
  }

  /** Changes a database entry when the whole configuration stays valid, and applies it at once; the row written (none for a removal). */
  change(change: CatalogChange, actor: string): Promise<CatalogEntryRow | undefined> {
    return this.#enqueue(() => this.#change(change, actor));
  }

  /** Reads the database's entries again (another node changed them) and applies them with the running file's text. */
  entriesChanged(actor = "system"): Promise<void> {
    return this.#enqueue(async () => {
      const rows = await this.deps.store.catalogEntries.list();
      const text = await this.#fileText();
      const parsed = parseConfigText(text, this.deps.file, this.deps.env, entriesOf(rows));
      if (!parsed.ok) {
        this.deps.logger.error({ errors: parsed.errors.length }, "the database's catalog entries do not fit the running configuration; it stays");
        return;
      }
      await this.#apply(parsed.config, parsed.fromDatabase, text, actor);
    });
  }

  #enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #fileText(): Promise<string> {
    this.#text ??= await readFile(this.deps.file, "utf8");
    return this.#text;
  }

  async #reload(actor: string): Promise<ReloadOutcome> {
    const { file, env, store, clock, logger, metrics } = this.deps;
    let text: string | undefined;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
      return this.#rejected(actor, [{ file, path: "", message: `cannot read the configuration file: ${reason}` }]);
    }
    const loaded = parseConfigText(text, file, env, entriesOf(await store.catalogEntries.list()));
    if (!loaded.ok) return this.#rejected(actor, loaded.errors);
    for (const key of restartOnly) {
      if (JSON.stringify(loaded.config[key]) !== JSON.stringify(this.#current[key])) {
        logger.warn({ section: key }, `the ${key} section changed; it takes effect at the next restart`);
      }
    }
    const diff = await this.#apply(loaded.config, loaded.fromDatabase, text, actor);
    metrics.configReloads.inc({ result: "applied" });
    await store.events.append({ at: clock.now(), kind: "config.reloaded", subject: null, actor, data: { file, ...diff } });
    logger.info({ file, ...diff }, "configuration reloaded");
    return { applied: true, file, ...diff };
  }

  async #rejected(actor: string, issues: ConfigIssue[]): Promise<ReloadOutcome> {
    const { file, store, clock, logger, metrics } = this.deps;
    const errors = issues.map((e) => ({ path: e.path, message: e.message, file: e.file, line: e.line, column: e.column }));
    metrics.configReloads.inc({ result: "rejected" });
    logger.warn({ file, errors: errors.length }, "configuration rejected; the running configuration stays");
    for (const e of errors) logger.warn(`${e.file}:${e.line ?? "?"}:${e.column ?? "?"} ${e.path}: ${e.message}`);
    await store.events.append({ at: clock.now(), kind: "config.rejected", subject: null, actor, data: { file, errors } });
    return { applied: false, file, errors };
  }

  async #change(change: CatalogChange, actor: string): Promise<CatalogEntryRow | undefined> {
    const { store, clock, file } = this.deps;
    const id = change.op === "create" ? change.entry["id"] : change.id;
    if (typeof id !== "string") throw new AppError("validation_failed", `the ${change.kind} is invalid: body.id: required, such as api-health`, { details: [{ path: "body.id", message: "required, such as api-health" }] });
    const what = `${change.kind} "${id}"`;
    const rows = await store.catalogEntries.list();
    const stored = rows.find((r) => r.kind === change.kind && r.id === id);
    // An entry the database holds may be removed even when the file has one of that id (the file's stays).
    if (!(change.op === "remove" && stored) && this.sourceOf(change.kind, id) === "file") {
      throw new AppError("conflict", `${what} is defined in the configuration file ${file}: change it there and reload`);
    }
    if (change.op === "create" && stored) throw new AppError("conflict", `${what} already exists`);
    if (change.op !== "create" && !stored) throw new AppError("not_found", `no ${change.kind} with id ${change.id} in the database`);
    const entry =
      change.op === "create" || change.op === "replace" ? { ...change.entry } : change.op === "patch" ? (mergePatch(stored?.entry, change.patch) as Record<string, unknown>) : undefined;
    if (entry !== undefined && change.op !== "create") {
      if (entry["id"] !== undefined && entry["id"] !== change.id) {
        throw new AppError("validation_failed", `the ${what} is invalid: body.id: an entry's id cannot change (it is "${change.id}")`, { details: [{ path: "body.id", message: "an entry's id cannot change" }] });
      }
      entry["id"] = change.id;
    }
    const others = rows.filter((r) => r !== stored);
    const next = entry === undefined ? others : [...others, { ...(stored ?? { kind: change.kind, id: id }), entry } as CatalogEntryRow];
    const text = await this.#fileText();
    const parsed = parseConfigText(text, file, this.deps.env, entriesOf(next));
    if (!parsed.ok) throw invalidChange(change, what, parsed.errors);
    const at = clock.now();
    let written: CatalogEntryRow | undefined;
    if (change.op === "create" && entry !== undefined) {
      written = { kind: change.kind, id: id, entry, createdAt: at, createdBy: actor, updatedAt: at, updatedBy: actor };
      await store.catalogEntries.create(written);
    } else if (entry !== undefined) written = await store.catalogEntries.update(change.kind, id, entry, at, actor);
    else await store.catalogEntries.remove(change.kind, id);
    await this.#apply(parsed.config, parsed.fromDatabase, text, actor);
    this.deps.logger.info({ kind: change.kind, id, op: change.op, actor }, "catalog entry changed");
    this.deps.onEntriesWritten?.();
    return written;
  }

  /** Makes `config` the running one: the stored catalog, the size gauges, and everything that reads it. */
  async #apply(config: VigilConfig, fromDatabase: { component: string[]; monitor: string[] }, text: string, actor: string) {
    const diff = await this.deps.store.catalog.sync(catalogFromConfig(config), this.deps.clock.now(), actor);
    this.#current = config;
    this.#text = text;
    this.#fromDatabase = { component: new Set(fromDatabase.component), monitor: new Set(fromDatabase.monitor) };
    this.#recordSize(config);
    this.deps.onApplied?.(config);
    return diff;
  }

  #recordSize(config: VigilConfig): void {
    this.deps.metrics.catalogSize.set({ kind: "component" }, config.components.length);
    this.deps.metrics.catalogSize.set({ kind: "monitor" }, config.monitors.length);
  }
}

/** The stored rows as the configuration's lists. */
export function entriesOf(rows: readonly CatalogEntryRow[]): DatabaseEntries {
  return {
    components: rows.filter((r) => r.kind === "component").map((r) => r.entry),
    monitors: rows.filter((r) => r.kind === "monitor").map((r) => r.entry),
  };
}

/**
 * The error for a change that would make the configuration invalid: the changed entry's own errors name the field in
 * the request's body (`body.url`); the others, what they break elsewhere in the file or the database.
 */
function invalidChange(change: CatalogChange, what: string, issues: readonly ConfigIssue[]): AppError {
  const id = change.op === "create" ? change.entry["id"] : change.id;
  const details: ErrorDetail[] = issues.map((issue) => {
    if (issue.entry !== undefined && issue.entry.kind === change.kind && issue.entry.id === id) return { path: issue.entry.path === "" ? "body" : `body.${issue.entry.path}`, message: issue.message };
    if (issue.entry !== undefined) return { file: issue.file, path: issue.path, message: issue.message };
    return { file: issue.file, path: issue.path, message: issue.message, ...(issue.line === undefined ? {} : { line: issue.line }), ...(issue.column === undefined ? {} : { column: issue.column }) };
  });
  const lines = details.map((d) => `${d.file === undefined ? "" : `${d.file === "database" ? "database" : "configuration file"} `}${d.path === undefined || d.path === "" ? "" : `${d.path}: `}${d.message}`);
  const code = change.op === "remove" ? "conflict" : "validation_failed";
  const verb = change.op === "remove" ? `removing the ${what} would leave the configuration invalid` : `the ${what} is invalid`;
  return new AppError(code, `${verb}: ${lines.join("; ")}`, { details });
}
