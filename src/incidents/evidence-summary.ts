import { publicErrorPhrase, publicWarningPhrase, scrubPublicText } from "./public-text.ts";

/** One entry of an incident's timeline as the summaries read it (the store's event with the incident as subject). */
export interface TimelineEvent {
  at: Date;
  kind: string;
  /** "system" for automation, "token:<id>" or "user:<name>" for people. */
  actor: string;
  data: Record<string, unknown>;
}

/** A detection (or upstream) signal carried by an `incident.created` or `incident.signal_joined` event. */
export interface TimelineSignal {
  /** When the timeline recorded it. */
  eventAt: Date;
  /** When the signal happened: its own `at` when it is a valid ISO time, the event's time otherwise. */
  at: Date;
  kind: string;
  /** The first component of the signal's monitor; the one the signal is said of. */
  componentId: string;
  componentIds: string[];
  monitor: string | null;
  /** Everything in the signal, detection data included. */
  data: Record<string, unknown>;
}

/** What an evidence line is about, in the order lines of one component are listed. */
export const evidenceKinds = ["diagnosis", "restarts", "crash_loop", "connections", "role_change", "error", "upstream"] as const;

/** What an evidence line is about. */
export type EvidenceKind = (typeof evidenceKinds)[number];

/** One thing the evidence says, in words and numbers a responder reads. */
export interface EvidenceLine {
  componentId: string;
  kind: EvidenceKind;
  text: string;
}

/**
 * Restarts of one component reported this close together (by several regions or monitors watching the same server,
 * whose estimates of the restart time differ by up to a second or two: uptime has a resolution of one second) count as one restart.
 */
export const sameRestartToleranceMs = 2_000;

/**
 * The signal an event carries: the `data.signal` of an `incident.created` or `incident.signal_joined` event when it
 * names at least one component; null for any other event.
 */
export function signalOf(event: TimelineEvent): TimelineSignal | null {
  if (event.kind !== "incident.created" && event.kind !== "incident.signal_joined") return null;
  const signal = recordOf(event.data["signal"]);
  if (signal === null) return null;
  const componentIds = stringsOf(signal["components"]);
  const componentId = componentIds[0];
  if (componentId === undefined) return null;
  return {
    eventAt: event.at,
    at: dateOf(signal["at"]) ?? event.at,
    kind: stringOf(signal["kind"]) ?? "unknown",
    componentId,
    componentIds,
    monitor: stringOf(signal["monitor"]),
    data: signal,
  };
}

/** The signals of a timeline (see `signalOf`) in time order; events at the same time keep their order. */
export function timelineSignals(events: readonly TimelineEvent[]): TimelineSignal[] {
  return inTimeOrder(events)
    .map(signalOf)
    .filter((signal): signal is TimelineSignal => signal !== null);
}

/** A component's display name from `names`, or its id when it has none. */
export function nameOf(names: Readonly<Record<string, string>>, id: string): string {
  const name = Object.hasOwn(names, id) ? names[id] : undefined;
  return typeof name === "string" && name !== "" ? name : id;
}

interface Accumulated {
  /** Estimated restart times (ms), in the order seen. */
  restarts: number[];
  crashLoop: { restarts: number; windowMs: number | null } | null;
  saturation: { connections: number; maxConnections: number; ratio: number | null } | null;
  /** The first `monitor.down` evidence: connection use last seen, what the error shows, whether the pool was exhausted. */
  unreachable: { connections: number; maxConnections: number; cause: string | null; poolExhausted: boolean | null } | null;
  /** Role transitions, a repeat of the previous one (another region saw the same change) dropped. */
  roles: { from: string; to: string }[];
  error: { kind: string | null; message: string | null } | null;
  warning: string | null;
  upstream: { title: string; url: string | null }[];
  /** Likely upstream causes (`incident.upstream_attributed`): their summaries, with the provider's link. */
  attributed: { summary: string; url: string | null }[];
}

/** Who reads the evidence: responders see everything; the public, generic words without internal details. */
export interface EvidenceAudience {
  public: boolean;
  /** For the public: host names of the configuration, hidden wherever they appear. */
  hosts?: readonly string[];
}

/**
 * What the evidence in an incident's signals says, one line per component and kind; component ids are shown by their
 * `names` (the id when there is none). Components are listed in the order their first signal appears, each with its
 * lines in the order of `evidenceKinds`:
 * - restarts: distinct restarts (`monitor.restart`s and the crash loops' `restart_times`, see `sameRestartToleranceMs`),
 *   "X restarted once" or "X restarted N times in M min" over the span from first to last `restarted_at`, rounded to
 *   whole minutes ("in under 1 min" below 30 s);
 * - crash_loop: "X is crash-looping: N restarts in M min", the same restarts as the restarts line; when fewer restarts
 *   are known than the latest `monitor.crash_loop` counted, its own numbers, "N restarts within M min" (its window,
 *   in seconds below 30 s);
 * - diagnosis: not from here, see `evidenceWithDiagnosis` (diagnosis-lines.ts), which puts it first;
 * - connections: the latest `monitor.connection_saturation`, "X connections C of M (P%)", then the first
 *   `monitor.down` evidence: "X refused connections: pool exhausted; last seen C of M connections" when the server
 *   refused for a full pool (`saturated`), "X unreachable; last seen C of M connections: not pool exhaustion" only
 *   when that was ruled out (the connection failed outright, few in use before), "X unreachable; last seen …" for a
 *   timeout, "X failing; last seen C of M connections before" for any other error;
 * - role_change: "X role changed primary → replica" (→ further roles when it changed again);
 * - error: the first error of the component's `monitor.down` signals, "X failing: message (kind)"; with none, the first
 *   warning of its `monitor.degraded` signals, "X degraded: warning";
 * - upstream: each distinct `upstream.degraded`, "Upstream: title (url)"; then each likely upstream cause
 *   (`incident.upstream_attributed`, on the component that depends on it), its summary and the provider's link.
 * Signals without usable data (a crash loop without a count, an error without a message or kind…) give no line.
 * For the public (`audience.public`), errors and warnings are generic phrases ("connection refused", "HTTP 503"),
 * upstream lines carry no link, and every line is scrubbed of addresses, ports, URLs, host names and paths.
 */
export function summariseEvidence(events: readonly TimelineEvent[], names: Readonly<Record<string, string>>, audience: EvidenceAudience = { public: false }): EvidenceLine[] {
  const byComponent = new Map<string, Accumulated>();
  const accOf = (componentId: string): Accumulated => {
    let acc = byComponent.get(componentId);
    if (acc === undefined) {
      acc = { restarts: [], crashLoop: null, saturation: null, unreachable: null, roles: [], error: null, warning: null, upstream: [], attributed: [] };
      byComponent.set(componentId, acc);
    }
    return acc;
  };
  for (const signal of timelineSignals(events)) accumulate(accOf(signal.componentId), signal);
  for (const event of inTimeOrder(events)) {
    if (event.kind !== "incident.upstream_attributed") continue;
    const via = stringOf(event.data["via"]);
    const summary = stringOf(event.data["summary"]);
    if (via === null || summary === null) continue;
    accOf(via).attributed.push({ summary, url: stringOf(event.data["url"]) });
  }

  const lines: EvidenceLine[] = [];
  for (const [componentId, acc] of byComponent) {
    const name = nameOf(names, componentId);
    const add = (kind: EvidenceKind, text: string): void => {
      lines.push({ componentId, kind, text: audience.public ? scrubPublicText(text, audience.hosts, Object.values(names)) : text });
    };
    const link = (text: string, url: string | null): string => (url === null || audience.public ? text : `${text} (${url})`);

    const restarts = distinctRestarts(acc.restarts);
    // Sorted: from the first restart to the last.
    const spanMs = restarts.length > 1 ? restarts.at(-1)! - restarts[0]! : 0;
    if (restarts.length === 1) add("restarts", `${name} restarted once`);
    if (restarts.length > 1) add("restarts", `${name} restarted ${restarts.length} times in ${minutes(spanMs)}`);

    if (acc.crashLoop !== null) {
      // Told from the same restarts as the line above, so that the two cannot disagree; the crash loop's own count
      // (at the moment it was detected) only when fewer restarts are known.
      const { restarts: count, windowMs } = acc.crashLoop;
      const within = windowMs === null ? "" : ` within ${windowMs < 30_000 ? `${Math.round(windowMs / 1000)} s` : minutes(windowMs)}`;
      add("crash_loop", restarts.length >= count && restarts.length > 1 ? `${name} is crash-looping: ${restarts.length} restarts in ${minutes(spanMs)}` : `${name} is crash-looping: ${plural(count, "restart")}${within}`);
    }

    if (acc.saturation !== null) {
      const { connections, maxConnections, ratio } = acc.saturation;
      const share = maxConnections > 0 ? connections / maxConnections : ratio;
      const percent = share === null ? "" : ` (${Math.round(share * 100)}%)`;
      add("connections", `${name} connections ${connections} of ${maxConnections}${percent}`);
    }
    if (acc.unreachable !== null) {
      const { connections, maxConnections, cause, poolExhausted } = acc.unreachable;
      const lastSeen = `last seen ${connections} of ${maxConnections} connections`;
      if (cause === "saturated") add("connections", `${name} refused connections: pool exhausted; ${lastSeen}`);
      else if (poolExhausted === false) add("connections", `${name} unreachable; ${lastSeen}: not pool exhaustion`);
      else if (cause === "unreachable") add("connections", `${name} unreachable; ${lastSeen}`);
      else add("connections", `${name} failing; ${lastSeen} before`);
    }

    const firstRole = acc.roles[0];
    if (firstRole !== undefined) {
      add("role_change", `${name} role changed ${[firstRole.from, ...acc.roles.map((r) => r.to)].join(" → ")}`);
    }

    if (acc.error !== null) {
      const { kind, message } = acc.error;
      const text = audience.public ? publicErrorPhrase(kind, message) : message === null ? kind : kind === null ? message : `${message} (${kind})`;
      add("error", `${name} failing: ${text}`);
    } else if (acc.warning !== null) {
      add("error", `${name} degraded: ${audience.public ? publicWarningPhrase(acc.warning) : acc.warning}`);
    }

    for (const { title, url } of acc.upstream) add("upstream", link(`Upstream: ${title}`, url));
    for (const { summary, url } of acc.attributed) add("upstream", link(summary, url));
  }
  return lines;
}

/** The evidence as one sentence for a public update: the lines' texts joined with "; ", the empty string when none. */
export function evidenceSentence(lines: readonly EvidenceLine[]): string {
  return lines.map((line) => line.text).join("; ");
}

function accumulate(acc: Accumulated, signal: TimelineSignal): void {
  const d = signal.data;
  switch (signal.kind) {
    case "monitor.restart": {
      acc.restarts.push((dateOf(d["restarted_at"]) ?? signal.at).getTime());
      break;
    }
    case "monitor.crash_loop": {
      for (const time of Array.isArray(d["restart_times"]) ? d["restart_times"] : []) {
        const restartedAt = dateOf(time);
        if (restartedAt !== null) acc.restarts.push(restartedAt.getTime());
      }
      const restarts = numberOf(d["restarts"]);
      if (restarts !== null) acc.crashLoop = { restarts, windowMs: numberOf(d["window_ms"]) };
      break;
    }
    case "monitor.connection_saturation": {
      const connections = numberOf(d["connections"]);
      const maxConnections = numberOf(d["max_connections"]);
      if (connections !== null && maxConnections !== null) acc.saturation = { connections, maxConnections, ratio: numberOf(d["ratio"]) };
      break;
    }
    case "monitor.role_change": {
      const from = stringOf(d["from"]);
      const to = stringOf(d["to"]);
      const last = acc.roles.at(-1);
      if (from !== null && to !== null && from !== to && !(last?.from === from && last.to === to)) acc.roles.push({ from, to });
      break;
    }
    case "monitor.down": {
      const evidence = recordOf(d["evidence"]);
      const error = recordOf(d["error"]);
      if (acc.unreachable === null && evidence !== null) {
        const connections = numberOf(evidence["last_seen_connections"]);
        const maxConnections = numberOf(evidence["max_connections"]);
        const cause = stringOf(evidence["cause"]);
        // Evidence from before `cause` was recorded ruled pool exhaustion out whatever the error: only a connection
        // that failed outright (connect, dns) shows that.
        const kind = error === null ? null : stringOf(error["kind"]);
        const poolExhausted =
          typeof evidence["pool_exhausted"] === "boolean" ? evidence["pool_exhausted"] : cause === null && (kind === "connect" || kind === "dns") ? false : cause === "saturated" ? true : null;
        if (connections !== null && maxConnections !== null) acc.unreachable = { connections, maxConnections, cause, poolExhausted };
      }
      if (acc.error === null && error !== null) {
        const kind = stringOf(error["kind"]);
        const message = stringOf(error["message"]);
        if (kind !== null || message !== null) acc.error = { kind, message };
      }
      break;
    }
    case "monitor.degraded": {
      acc.warning ??= stringOf(d["warning"]);
      break;
    }
    case "upstream.degraded": {
      const title = stringOf(d["title"]) ?? stringOf(d["provider"]);
      const url = stringOf(d["url"]);
      if (title !== null && !acc.upstream.some((u) => u.title === title && u.url === url)) acc.upstream.push({ title, url });
      break;
    }
  }
}

function distinctRestarts(times: readonly number[]): number[] {
  const distinct: number[] = [];
  for (const t of [...times].sort((a, b) => a - b)) {
    const last = distinct.at(-1);
    if (last === undefined || t - last > sameRestartToleranceMs) distinct.push(t);
  }
  return distinct;
}

function minutes(ms: number): string {
  const whole = Math.round(ms / 60_000);
  return whole < 1 ? "under 1 min" : `${whole} min`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** The items sorted by `at`; items at the same time keep their order. */
export function inTimeOrder<T extends { at: Date }>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => a.item.at.getTime() - b.item.at.getTime() || a.index - b.index)
    .map(({ item }) => item);
}

function recordOf(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function stringOf(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : [];
}

function numberOf(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A date from an ISO string in event data; null for anything else. */
export function dateOf(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}
