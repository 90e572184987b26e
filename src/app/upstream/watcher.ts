/**
 * Watches the configured upstream providers' status feeds: each upstream is polled every `interval` (a conditional GET,
 * see fetch-feed.ts), its feed read by its format, its part picked by its `match` (upstream/match.ts) and folded into
 * its state (upstream/attribution.ts). A change of status is a timeline event (`upstream.degraded`,
 * `upstream.recovered`), written with the new persisted states in one transaction, so a restart neither loses nor
 * repeats one. A feed that cannot be read is the feed's problem, not the provider's: it is backed off and reported
 * (`upstream.feed_failing`, `upstream.feed_recovered`), and the upstream keeps the status it last read.
 */
import * as z from "zod";
import type { VigilConfig } from "../../config/index.ts";
import type { Clock } from "../../core/clock.ts";
import type { Timers } from "../../core/timers.ts";
import type { Logger } from "../../observability/logger.ts";
import type { NewEvent, Store } from "../../store/types.ts";
import { isDegraded, nextUpstreamState, type UpstreamState } from "../../upstream/attribution.ts";
import { feedFormatFor, type AnyFeedFormat } from "../../upstream/formats/registry.ts";
import { upstreamStatuses } from "../../upstream/formats/statuspage.ts";
import { readUpstream, toUpstreamMatch, type UpstreamMatch } from "../../upstream/match.ts";
import { FeedParseError, type FeedSnapshot } from "../../upstream/types.ts";
import { fetchFeed, type Validators } from "./fetch-feed.ts";

/** What the watcher needs. */
export interface UpstreamWatcherDeps {
  store: Store;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  config(): VigilConfig;
  /** The fetch to use (tests); the global one by default. */
  fetch?: typeof fetch;
  /** Told after a change others show: a status, reason or matched components, a feed's health, the set of upstreams. */
  onChange?: () => void;
}

/** How an upstream's feed is doing. */
export interface FeedHealth {
  /** pending: never attempted; ok: read (perhaps with fewer than 3 failures since); failing: see `failingAfter`. */
  state: "pending" | "ok" | "failing";
  lastSuccessAt: Date | null;
  lastAttemptAt: Date | null;
  /** The latest failure's message; null after a success. */
  lastError: string | null;
  /** Consecutive failures. */
  failures: number;
  /** When the next poll is due; null while one is in flight or when stopped. */
  nextAttemptAt: Date | null;
}

/** An upstream as the API and the status page show it. */
export interface UpstreamView extends UpstreamState {
  /** One line saying why it has its status (from the latest reading). */
  reason: string;
  feed: FeedHealth;
  showOnStatusPage: boolean;
  /** Labels of the provider components its match picked in the latest reading. */
  matched: string[];
}

/** The store's state document of the watcher. */
export const upstreamStatesName = "upstream.states";
/** A refresh skips an upstream attempted this recently. */
export const refreshGapMs = 5_000;
/** A feed that read before is failing after this many consecutive failures (one that never read, after the first). */
export const failingAfter = 3;
/** Backoff never waits longer than this, unless the interval itself is longer. */
export const maxBackoffMs = 15 * 60_000;

/** The wait before the next attempt after `failures` consecutive failures: interval × 2^(n-1), at most max(interval, 15 min). */
export function backoffDelay(intervalMs: number, failures: number): number {
  if (failures <= 0) return intervalMs;
  return Math.min(intervalMs * 2 ** (failures - 1), Math.max(intervalMs, maxBackoffMs));
}

type UpstreamConfig = VigilConfig["upstreams"][number];
type Health = Omit<FeedHealth, "nextAttemptAt" | "lastAttemptAt">;

/** What is kept (and persisted) of an upstream between polls. */
interface Saved {
  /** null until its feed was first read. */
  state: UpstreamState | null;
  reason: string;
  matched: string[];
  health: Health;
}

type ResolvedFeed = { format: AnyFeedFormat; settings: unknown; url: string } | { error: string };

interface Entry {
  id: string;
  config: UpstreamConfig;
  /** The upstream's config as JSON: a reload that changes it restarts the upstream. */
  key: string;
  /** Bumped by a restart: a poll of an older generation is discarded. */
  generation: number;
  feed: ResolvedFeed;
  match: UpstreamMatch;
  saved: Saved;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  snapshot: FeedSnapshot | null;
  validators: Validators | null;
  timer: unknown;
  inFlight: Promise<void> | undefined;
  controller: AbortController | undefined;
  /** Poll again as soon as the poll in flight is over (the config changed during it). */
  restart: boolean;
  removed: boolean;
}

type ReadOutcome = { ok: true; snapshot: FeedSnapshot } | { ok: false; error: string };

const neverRead = "the feed has not been read yet";

/**
 * Polls every configured upstream's feed (see the module comment). One poll of an upstream at a time; a refresh shares
 * the poll in flight. The timers come from `deps.timers` and every date from `deps.clock`, so tests drive time.
 */
export class UpstreamWatcher {
  readonly #deps: UpstreamWatcherDeps;
  #entries = new Map<string, Entry>();
  #started = false;
  #stopped = false;
  readonly #polls = new Set<Promise<void>>();
  /** The tail of the writes to the store, one at a time so that each writes the whole, current document. */
  #writes: Promise<void> = Promise.resolve();

  constructor(deps: UpstreamWatcherDeps) {
    this.#deps = deps;
  }

  /** Loads the persisted states, then polls every configured upstream at once (not awaited) and every interval after. */
  async start(): Promise<void> {
    if (this.#started) return;
    const loaded = await this.#load();
    if (this.#stopped) return;
    this.#started = true;
    for (const upstream of this.#deps.config().upstreams) this.#entries.set(upstream.id, this.#entry(upstream, loaded.get(upstream.id)));
    for (const entry of this.#entries.values()) void this.#poll(entry);
  }

  /**
   * Reads the states the leader's watcher persisted, without polling anything: how a node that does not lead shows the
   * upstreams (on its status page) as the leader sees them. Call it again to catch up.
   */
  async follow(): Promise<void> {
    if (this.#started) return;
    const loaded = await this.#load();
    this.#entries = new Map(this.#deps.config().upstreams.map((u) => [u.id, this.#entry(u, loaded.get(u.id))]));
  }

  /**
   * Follows a reloaded configuration: a new upstream, or one whose config changed (compared as JSON), is polled at
   * once (a changed one keeps its state, so a restart announces only a real change, but forgets its cached reading
   * and validators); a removed one stops and its state is dropped. Before start: nothing (start reads the config).
   */
  apply(config: VigilConfig): void {
    if (!this.#started || this.#stopped) return;
    const next = new Map<string, Entry>();
    const restart: Entry[] = [];
    let changed = false;
    for (const upstream of config.upstreams) {
      const existing = this.#entries.get(upstream.id);
      if (existing === undefined) {
        const entry = this.#entry(upstream, undefined);
        next.set(upstream.id, entry);
        restart.push(entry);
        changed = true;
        continue;
      }
      next.set(upstream.id, existing);
      const key = JSON.stringify(upstream);
      if (existing.key === key) continue;
      this.#reconfigure(existing, upstream, key);
      restart.push(existing);
      changed = true;
    }
    const removed = [...this.#entries.values()].filter((entry) => !next.has(entry.id));
    for (const entry of removed) {
      entry.removed = true;
      this.#clearTimer(entry);
      entry.controller?.abort();
    }
    this.#entries = next;
    for (const entry of restart) {
      if (entry.inFlight === undefined) void this.#poll(entry);
      else {
        entry.restart = true;
        entry.controller?.abort();
      }
    }
    if (removed.length > 0) this.#persist();
    if (changed || removed.length > 0) this.#deps.onChange?.();
  }

  /** Each configured upstream's state, in config order; one never read is operational. For attribution. */
  states(): UpstreamState[] {
    return [...this.#entries.values()].map((entry) => this.#stateOf(entry));
  }

  /** Each configured upstream as the API and the status page show it, in config order. */
  views(): UpstreamView[] {
    return [...this.#entries.values()].map((entry) => ({
      ...this.#stateOf(entry),
      reason: entry.saved.reason,
      feed: { ...entry.saved.health, lastAttemptAt: entry.lastAttemptAt, nextAttemptAt: entry.nextAttemptAt },
      showOnStatusPage: entry.config.show_on_status_page,
      matched: [...entry.saved.matched],
    }));
  }

  /**
   * Polls these upstreams now (all by default; unknown ids are ignored), except one attempted less than 5 s ago;
   * one with a poll in flight shares it. Resolves when they are done.
   */
  async refresh(ids?: readonly string[], options: { force?: boolean } = {}): Promise<void> {
    if (!this.#started || this.#stopped) return;
    const now = this.#deps.clock.now().getTime();
    const wanted = ids === undefined ? [...this.#entries.values()] : [...new Set(ids)].flatMap((id) => this.#entries.get(id) ?? []);
    await Promise.all(
      wanted.map((entry) => {
        if (entry.inFlight !== undefined) return entry.inFlight;
        if (!options.force && entry.lastAttemptAt !== null && now - entry.lastAttemptAt.getTime() < refreshGapMs) return undefined;
        return this.#poll(entry);
      }),
    );
  }

  /** Resolves when no poll is in flight and every write is done (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const writes = this.#writes;
      await Promise.allSettled([...this.#polls]);
      await writes;
      if (this.#polls.size === 0 && this.#writes === writes) return;
    }
  }

  /** Stops polling: clears the timers, cancels the requests in flight and waits for their polls and the writes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const entry of this.#entries.values()) {
      this.#clearTimer(entry);
      entry.controller?.abort();
    }
    await this.idle();
  }

  // ---- Polling ----

  #poll(entry: Entry): Promise<void> {
    if (entry.inFlight !== undefined) return entry.inFlight;
    if (this.#stopped || entry.removed) return Promise.resolve();
    this.#clearTimer(entry);
    const run = (async () => {
      let delay = entry.config.interval;
      try {
        delay = (await this.#pollOnce(entry, entry.generation)) ?? delay;
      } catch (error) {
        this.#deps.logger.error({ err: error, upstream: entry.id }, "polling an upstream's feed failed; trying again at the next interval");
      } finally {
        entry.inFlight = undefined;
        entry.controller = undefined;
      }
      if (this.#stopped || entry.removed) return;
      if (entry.restart) {
        entry.restart = false;
        void this.#poll(entry);
        return;
      }
      this.#schedule(entry, delay);
    })();
    entry.inFlight = run;
    this.#polls.add(run);
    void run.finally(() => this.#polls.delete(run));
    return run;
  }

  /** One poll; returns the wait before the next, or undefined when its outcome was discarded (restart, removal, stop). */
  async #pollOnce(entry: Entry, generation: number): Promise<number | undefined> {
    const { clock } = this.#deps;
    const controller = new AbortController();
    entry.controller = controller;
    entry.lastAttemptAt = clock.now();
    entry.nextAttemptAt = null;
    const outcome = await this.#read(entry, controller.signal);
    if (controller.signal.aborted || generation !== entry.generation || entry.removed) return undefined;
    const now = clock.now();
    const { saved, events } = outcome.ok ? this.#afterReading(entry, outcome.snapshot, now) : this.#afterFailure(entry, outcome.error, now);
    await this.#commit(entry, generation, saved, events, now);
    return backoffDelay(entry.config.interval, saved.health.failures);
  }

  /** Fetches and parses the feed: the new snapshot, the last one on a 304, or why it could not be read. */
  async #read(entry: Entry, signal: AbortSignal): Promise<ReadOutcome> {
    const feed = entry.feed;
    if ("error" in feed) return { ok: false, error: feed.error };
    const { format, settings, url } = feed;
    const fetched = await fetchFeed(url, { accept: format.accept, validators: entry.validators, timeoutMs: entry.config.timeout, fetch: this.#deps.fetch, signal });
    if (fetched.kind === "failed") return { ok: false, error: fetched.error };
    if (fetched.kind === "unchanged") {
      if (entry.snapshot !== null) return { ok: true, snapshot: entry.snapshot };
      return { ok: false, error: "the feed answered 304 Not Modified, but there is no earlier reading of it to keep" };
    }
    try {
      const snapshot = format.parse(fetched.body, settings, { now: this.#deps.clock.now(), url });
      entry.snapshot = snapshot;
      entry.validators = fetched.validators;
      return { ok: true, snapshot };
    } catch (error) {
      // Unreadable: ask for the whole body next time rather than be told it did not change.
      entry.validators = null;
      if (error instanceof FeedParseError) return { ok: false, error: `the feed could not be read: ${error.message}` };
      // Another error's message might quote the body: it goes to the log, not to the feed's health.
      this.#deps.logger.warn({ err: error, upstream: entry.id }, "an upstream feed's reader failed");
      return { ok: false, error: `the feed could not be read: the ${format.type} reader failed (${error instanceof Error ? error.name : typeof error})` };
    }
  }

  #afterReading(entry: Entry, snapshot: FeedSnapshot, now: Date): { saved: Saved; events: NewEvent[] } {
    const { name } = entry.config;
    const reading = readUpstream(snapshot, entry.match);
    const previous = entry.saved.state;
    const state = nextUpstreamState(previous, { id: entry.id, name }, reading, now);
    const events: NewEvent[] = [];
    const health = entry.saved.health;
    if (health.state === "failing") {
      events.push(this.#event("upstream.feed_recovered", entry, now, { name, failures: health.failures, last_error: health.lastError, last_success_at: iso(health.lastSuccessAt) }));
      this.#deps.logger.info({ upstream: entry.id }, "an upstream's feed reads again");
    }
    const was = previous?.status ?? null;
    if (isDegraded(state.status) && state.status !== was) {
      const incident = state.incident === null ? null : { title: state.incident.title, url: state.incident.url, started_at: iso(state.incident.startedAt) };
      events.push(
        this.#event("upstream.degraded", entry, now, { name, status: state.status, previous: was, reason: reading.reason, since: iso(state.degradedSince), incident, warn: entry.config.warn }),
      );
      this.#deps.logger.info({ upstream: entry.id, status: state.status, previous: was }, "an upstream provider reports a problem");
    } else if (!isDegraded(state.status) && was !== null && isDegraded(was)) {
      events.push(this.#event("upstream.recovered", entry, now, { name, status: state.status, previous: was, reason: reading.reason, warn: entry.config.warn }));
      this.#deps.logger.info({ upstream: entry.id, status: state.status, previous: was }, "an upstream provider recovered");
    }
    return {
      saved: { state, reason: reading.reason, matched: reading.matchedComponents, health: { state: "ok", lastSuccessAt: now, lastError: null, failures: 0 } },
      events,
    };
  }

  /** A failure of the feed: counted, perhaps reported; the upstream's own state stays as it was. */
  #afterFailure(entry: Entry, error: string, now: Date): { saved: Saved; events: NewEvent[] } {
    const health = entry.saved.health;
    const failures = health.failures + 1;
    const failing = health.state === "failing" || failures >= failingAfter || health.lastSuccessAt === null;
    const events: NewEvent[] = [];
    if (failing && health.state !== "failing") {
      events.push(this.#event("upstream.feed_failing", entry, now, { name: entry.config.name, error, failures, last_success_at: iso(health.lastSuccessAt) }));
      this.#deps.logger.warn({ upstream: entry.id, error, failures }, "an upstream's feed cannot be read");
    }
    const next: Health = { state: failing ? "failing" : health.state, lastSuccessAt: health.lastSuccessAt, lastError: error, failures };
    return { saved: { ...entry.saved, health: next }, events };
  }

  #event(kind: string, entry: Entry, at: Date, data: Record<string, unknown>): NewEvent {
    return { at, kind, subject: entry.id, actor: "system", data };
  }

  /**
   * Writes the events and the document with `saved` as the entry's, in one transaction, then takes `saved` as the
   * entry's and tells onChange. Discarded when the entry was restarted or removed meanwhile; throws when the store
   * does (nothing taken: the next poll tries again).
   */
  async #commit(entry: Entry, generation: number, saved: Saved, events: readonly NewEvent[], at: Date): Promise<void> {
    const { store } = this.#deps;
    const write = this.#writes.then(async () => {
      if (generation !== entry.generation || entry.removed) return false;
      const document = this.#document(entry, saved);
      await store.transaction(async (tx) => {
        if (events.length > 0) await tx.events.appendMany(events);
        await tx.state.put(upstreamStatesName, document, at);
      });
      return true;
    });
    this.#writes = write.then(
      () => undefined,
      () => undefined,
    );
    if (!(await write)) return;
    const visible = JSON.stringify(visibleOf(entry.saved)) !== JSON.stringify(visibleOf(saved));
    entry.saved = saved;
    if (visible || events.length > 0) this.#deps.onChange?.();
  }

  /** Writes the document as it stands (after an upstream was removed). */
  #persist(): void {
    const { store, clock, logger } = this.#deps;
    this.#writes = this.#writes.then(() =>
      store.state.put(upstreamStatesName, this.#document(), clock.now()).catch((error: unknown) => logger.error({ err: error }, "saving the upstreams' states failed")),
    );
  }

  #schedule(entry: Entry, delay: number): void {
    this.#clearTimer(entry);
    entry.nextAttemptAt = new Date(this.#deps.clock.now().getTime() + delay);
    entry.timer = this.#deps.timers.setTimeout(() => {
      entry.timer = undefined;
      void this.#poll(entry);
    }, delay);
  }

  #clearTimer(entry: Entry): void {
    if (entry.timer !== undefined) this.#deps.timers.clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.nextAttemptAt = null;
  }

  // ---- Entries ----

  #entry(upstream: UpstreamConfig, loaded: Loaded | undefined): Entry {
    return {
      id: upstream.id,
      config: upstream,
      key: JSON.stringify(upstream),
      generation: 0,
      feed: resolveFeed(upstream),
      match: toUpstreamMatch(upstream.match),
      saved: loaded?.saved ?? { state: null, reason: neverRead, matched: [], health: { state: "pending", lastSuccessAt: null, lastError: null, failures: 0 } },
      lastAttemptAt: loaded?.lastAttemptAt ?? null,
      nextAttemptAt: null,
      snapshot: null,
      validators: null,
      timer: undefined,
      inFlight: undefined,
      controller: undefined,
      restart: false,
      removed: false,
    };
  }

  #reconfigure(entry: Entry, upstream: UpstreamConfig, key: string): void {
    entry.config = upstream;
    entry.key = key;
    entry.generation += 1;
    entry.feed = resolveFeed(upstream);
    entry.match = toUpstreamMatch(upstream.match);
    entry.snapshot = null;
    entry.validators = null;
    this.#clearTimer(entry);
  }

  #stateOf(entry: Entry): UpstreamState {
    const state = entry.saved.state;
    if (state === null) return { upstreamId: entry.id, name: entry.config.name, status: "operational", degradedSince: null, incident: null };
    return { ...state, name: entry.config.name, incident: state.incident === null ? null : { ...state.incident } };
  }

  // ---- Persistence ----

  /** The document of every configured upstream, `saved` standing for `target`'s. */
  #document(target?: Entry, saved?: Saved): StoredDocument {
    const upstreams: Record<string, StoredUpstream> = {};
    for (const entry of this.#entries.values()) {
      const s = entry === target && saved !== undefined ? saved : entry.saved;
      upstreams[entry.id] = {
        state:
          s.state === null
            ? null
            : {
                status: s.state.status,
                degraded_since: iso(s.state.degradedSince),
                incident: s.state.incident === null ? null : { title: s.state.incident.title, url: s.state.incident.url, started_at: iso(s.state.incident.startedAt) ?? "" },
              },
        reason: s.reason,
        matched: s.matched,
        feed: {
          state: s.health.state,
          last_success_at: iso(s.health.lastSuccessAt),
          last_attempt_at: iso(entry.lastAttemptAt),
          last_error: s.health.lastError,
          failures: s.health.failures,
        },
      };
    }
    return { version: 1, upstreams };
  }

  async #load(): Promise<Map<string, Loaded>> {
    const { store, logger } = this.#deps;
    const loaded = new Map<string, Loaded>();
    const raw = await store.state.get(upstreamStatesName);
    if (raw === undefined || raw === null) return loaded;
    const document = StoredDocumentSchema.safeParse(raw);
    if (!document.success) {
      logger.warn({ name: upstreamStatesName }, "the stored upstream states are unreadable; starting afresh");
      return loaded;
    }
    const names = new Map(this.#deps.config().upstreams.map((u) => [u.id, u.name]));
    for (const [id, value] of Object.entries(document.data.upstreams)) {
      const name = names.get(id);
      if (name === undefined) continue;
      const record = StoredUpstreamSchema.safeParse(value);
      if (!record.success) {
        logger.warn({ upstream: id }, "an upstream's stored state is unreadable; it starts afresh");
        continue;
      }
      const r = record.data;
      loaded.set(id, {
        saved: {
          state: r.state === null ? null : { upstreamId: id, name, status: r.state.status, degradedSince: r.state.degraded_since, incident: r.state.incident === null ? null : { title: r.state.incident.title, url: r.state.incident.url, startedAt: r.state.incident.started_at } },
          reason: r.reason,
          matched: r.matched,
          health: { state: r.feed.state, lastSuccessAt: r.feed.last_success_at, lastError: r.feed.last_error, failures: r.feed.failures },
        },
        lastAttemptAt: r.feed.last_attempt_at,
      });
    }
    return loaded;
  }
}

interface Loaded {
  saved: Saved;
  lastAttemptAt: Date | null;
}

/** An upstream as stored: dates as ISO strings. */
interface StoredUpstream {
  state: { status: string; degraded_since: string | null; incident: { title: string; url: string | null; started_at: string } | null } | null;
  reason: string;
  matched: string[];
  feed: { state: FeedHealth["state"]; last_success_at: string | null; last_attempt_at: string | null; last_error: string | null; failures: number };
}

interface StoredDocument {
  version: 1;
  upstreams: Record<string, StoredUpstream>;
}

const storedDate = z.string().transform((value, ctx) => {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: "custom", message: "not a date" });
    return z.NEVER;
  }
  return date;
});

const StoredDocumentSchema = z.object({ version: z.literal(1), upstreams: z.record(z.string(), z.unknown()) });

const StoredUpstreamSchema = z.object({
  state: z
    .object({
      status: z.enum(upstreamStatuses),
      degraded_since: storedDate.nullable(),
      incident: z.object({ title: z.string(), url: z.string().nullable(), started_at: storedDate }).nullable(),
    })
    .nullable(),
  reason: z.string(),
  matched: z.array(z.string()),
  feed: z.object({
    state: z.enum(["pending", "ok", "failing"]),
    last_success_at: storedDate.nullable(),
    last_attempt_at: storedDate.nullable(),
    last_error: z.string().nullable(),
    failures: z.number().int().nonnegative(),
  }),
});

/** The feed's format, its checked settings and its URL; or why the upstream cannot be polled. */
function resolveFeed(upstream: UpstreamConfig): ResolvedFeed {
  const { type, ...settings } = upstream.feed as { type: string } & Record<string, unknown>;
  const format = feedFormatFor(type);
  if (format === undefined) return { error: `the feed type "${type}" is unknown` };
  const parsed = format.configSchema.safeParse(settings);
  if (!parsed.success) return { error: `the feed's settings are invalid: ${parsed.error.issues[0]?.message ?? "unknown issue"}` };
  try {
    return { format, settings: parsed.data, url: format.url(parsed.data) };
  } catch {
    return { error: "the feed's URL is invalid" };
  }
}

/** What others show of an upstream: a change of it calls onChange. */
function visibleOf(saved: Saved): unknown {
  return { state: saved.state, reason: saved.reason, matched: saved.matched, health: saved.health.state };
}

/** The ISO form of a date; null for none (or an invalid one). */
function iso(date: Date | null): string | null {
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}
