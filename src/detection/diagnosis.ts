/**
 * One sentence saying what the evidence about a database shows, shown first wherever the evidence is: "pool
 * exhausted: 96 of 100 connections, 91 held by analytics@10.0.4.7 (91 idle); server up 41 days". Pure. Each kind of
 * diagnosis is its own small rule; the rules are tried in order of priority and the first that applies is the
 * sentence. A rule says only what its evidence shows, and "unknown" where the probe could not look.
 */
import { decodeHolders, type Holders } from "../probes/db/holders.ts";

/** Connection use as one check saw it. */
export interface PoolSnapshot {
  connections: number;
  maxConnections: number;
  /** Who held them: undefined when not reported, null when the probe could not look. */
  holders?: Holders | null;
  /** The server's uptime at that check, when known. */
  uptimeS?: number | null;
  /** When that check was (ms since the epoch), when known. */
  at?: number | null;
}

/** What the diagnosis rules read: the evidence of one monitor (or one component of an incident) in one episode. */
export interface DiagnosisEvidence {
  /** The first error of the outage, when it is down. */
  error: { kind: string | null; message: string | null } | null;
  /** The last answering check before the outage (the down event's evidence). */
  lastSeen: PoolSnapshot | null;
  /** The connection use of the latest saturation seen while checks succeeded. */
  saturation: PoolSnapshot | null;
  /** Distinct restart times (ms since the epoch), oldest first. */
  restarts: number[];
  /** The latest crash loop detected: its count and window. */
  crashLoop: { restarts: number; windowMs: number | null } | null;
  /** Connection use seen before the first restart. */
  beforeFirstRestart: { connections: number; maxConnections: number } | null;
  /** The latest change of server behind the address (db-role.ts): its note, and when and how the new one answers. */
  failover?: { note: string; since: string | null; writable: boolean | null; promoted: boolean } | null;
  /** The latest replication lag over the limit, or a stopped replica thread: its note. */
  lag?: string | null;
}

/** Who reads the sentence: the public gets no user or host names. */
export interface DiagnosisAudience {
  public: boolean;
}

/** A diagnosis rule: its sentence when it applies to the evidence, null otherwise. */
export type DiagnosisRule = (evidence: DiagnosisEvidence, audience: DiagnosisAudience) => string | null;

/** The server refused a connection because all are taken. */
export const poolExhausted: DiagnosisRule = (e, audience) => {
  if (e.error?.kind !== "saturated") return null;
  const seen = e.lastSeen ?? e.saturation;
  const use = seen === null ? "connection use before unknown" : `last seen ${count(seen.connections)} of ${count(seen.maxConnections)}${holderPhrase(seen, audience)}`;
  return `pool exhausted: the server refuses new connections; ${use}${uptimePhrase(seen, e)}`;
};

/** The server restarted again and again. */
export const crashLoop: DiagnosisRule = (e) => {
  if (e.crashLoop === null && e.restarts.length < 2) return null;
  const first = e.restarts[0];
  const last = e.restarts.at(-1);
  const run =
    e.restarts.length >= 2 && first !== undefined && last !== undefined && e.restarts.length >= (e.crashLoop?.restarts ?? 0)
      ? `${e.restarts.length} restarts in ${minutes(last - first)}`
      : `${e.crashLoop?.restarts ?? e.restarts.length} restarts${e.crashLoop?.windowMs == null ? "" : ` within ${minutes(e.crashLoop.windowMs)}`}`;
  return `crash loop: ${run}; ${beforePhrase(e, "the first")}`;
};

/** The server restarted once. */
export const restarted: DiagnosisRule = (e) => (e.restarts.length === 1 && e.crashLoop === null ? `server restarted; ${beforePhrase(e, "it")}` : null);

/** Another server answers at the address: a failover, or a promoted standby. The public hears no server ids or hosts. */
export const failover: DiagnosisRule = (e, audience) => {
  const f = e.failover;
  if (f === undefined || f === null) return null;
  if (!audience.public) return `failover: ${f.note}`;
  const state = f.writable === null ? "" : f.writable ? ", now writable" : ", now read-only";
  const since = f.since === null ? "" : ` since ${f.since}`;
  return `failover: ${f.promoted ? "a standby was promoted" : "a different server answers"}${since}${state}`;
};

/** The monitored server is a replica too far behind its source (or not replicating). */
export const replicaLag: DiagnosisRule = (e) => (e.lag === undefined || e.lag === null ? null : e.lag);

/** Checks succeed, but nearly every connection is taken. */
export const poolNearlyExhausted: DiagnosisRule = (e, audience) => {
  const seen = e.saturation;
  if (seen === null || (e.error !== null && e.error.kind !== "saturated")) return null;
  return `pool nearly exhausted: ${count(seen.connections)} of ${count(seen.maxConnections)} connections${holderPhrase(seen, audience)}${uptimePhrase(seen, e)}`;
};

const unreachablePhrases: Readonly<Record<string, string>> = { connect: "connection failed", dns: "name not resolved", timeout: "no answer in time", tls: "secure connection failed" };

/** Vigil could not reach the server at all; said only with the connection use last seen (the error line says the rest). */
export const unreachable: DiagnosisRule = (e) => {
  const phrase = unreachablePhrases[e.error?.kind ?? ""];
  const seen = e.lastSeen;
  if (phrase === undefined || seen === null) return null;
  return `unreachable (${phrase}); last seen ${count(seen.connections)} of ${count(seen.maxConnections)} connections`;
};

/** The rules in order of priority: the first that applies gives the sentence. */
export const diagnosisRules: readonly DiagnosisRule[] = [poolExhausted, failover, crashLoop, restarted, replicaLag, poolNearlyExhausted, unreachable];

/** Every sentence the rules give for the evidence, most important first. */
export function diagnoses(evidence: DiagnosisEvidence, audience: DiagnosisAudience, rules: readonly DiagnosisRule[] = diagnosisRules): string[] {
  return rules.map((rule) => rule(evidence, audience)).filter((sentence): sentence is string => sentence !== null);
}

/** The one sentence for the evidence, or null when no rule applies. */
export function diagnose(evidence: DiagnosisEvidence, audience: DiagnosisAudience): string | null {
  return diagnoses(evidence, audience)[0] ?? null;
}

/** An event as the diagnosis reads it: a detection event, or a signal of an incident's timeline. */
export interface DiagnosisEvent {
  at: Date;
  kind: string;
  data: Record<string, unknown>;
}

/** Restarts estimated this close together (several regions, uptime in whole seconds) are one restart. */
const sameRestartMs = 2_000;

/** The event kinds the diagnosis reads (`monitor.up` ends an episode); a store query for a diagnosis needs no other. */
export const diagnosisEventKinds = [
  "monitor.up",
  "monitor.down",
  "monitor.connection_saturation",
  "monitor.restart",
  "monitor.server_change",
  "monitor.replication_lag",
  "monitor.crash_loop",
] as const;

/** The evidence in a series of detection events (or signals) about one monitor, oldest first. */
export function diagnosisEvidence(events: readonly DiagnosisEvent[]): DiagnosisEvidence {
  const e: DiagnosisEvidence = { error: null, lastSeen: null, saturation: null, restarts: [], crashLoop: null, beforeFirstRestart: null };
  const restarts: { at: number; before: DiagnosisEvidence["beforeFirstRestart"] }[] = [];
  for (const { kind, data, at } of events) {
    if (kind === "monitor.down") {
      const error = recordOf(data["error"]);
      if (e.error === null && error !== null) e.error = { kind: stringOf(error["kind"]), message: stringOf(error["message"]) };
      e.lastSeen ??= snapshot(recordOf(data["evidence"]), "last_seen_connections");
    } else if (kind === "monitor.connection_saturation") {
      e.saturation = snapshot(data, "connections") ?? e.saturation;
    } else if (kind === "monitor.restart") {
      const time = dateMs(data["restarted_at"]) ?? at.getTime();
      const connections = numberOf(data["last_seen_connections"]);
      const maxConnections = numberOf(data["max_connections"]);
      restarts.push({ at: time, before: connections !== null && maxConnections !== null ? { connections, maxConnections } : null });
    } else if (kind === "monitor.server_change") {
      const note = stringOf(data["note"]);
      const since = /since (\d\d:\d\d:\d\d UTC)/.exec(note ?? "")?.[1] ?? null;
      const changed = Array.isArray(data["changed"]) ? data["changed"] : [];
      if (note !== null) e.failover = { note, since, writable: typeof data["writable"] === "boolean" ? data["writable"] : null, promoted: changed.length === 1 && changed[0] === "timeline" };
    } else if (kind === "monitor.replication_lag") {
      e.lag = stringOf(data["note"]) ?? e.lag ?? null;
    } else if (kind === "monitor.crash_loop") {
      for (const t of Array.isArray(data["restart_times"]) ? data["restart_times"] : []) {
        const time = dateMs(t);
        if (time !== null) restarts.push({ at: time, before: null });
      }
      const n = numberOf(data["restarts"]);
      if (n !== null) e.crashLoop = { restarts: n, windowMs: numberOf(data["window_ms"]) };
    }
  }
  restarts.sort((a, b) => a.at - b.at);
  for (const r of restarts) {
    const last = e.restarts.at(-1);
    if (last === undefined || r.at - last > sameRestartMs) e.restarts.push(r.at);
  }
  // The connection use before the first restart: told by the restart events of that restart.
  const first = e.restarts[0];
  e.beforeFirstRestart = first === undefined ? null : (restarts.find((r) => r.before !== null && Math.abs(r.at - first) <= sameRestartMs)?.before ?? null);
  // Or the last check that answered before the outage, when that was before the first restart.
  if (first !== undefined && e.beforeFirstRestart === null && e.lastSeen?.at != null && e.lastSeen.at < first) {
    e.beforeFirstRestart = { connections: e.lastSeen.connections, maxConnections: e.lastSeen.maxConnections };
  }
  return e;
}

/**
 * The diagnosis of a monitor from its events (any order): those of its current episode, after its latest
 * `monitor.up`. Null when they show nothing a rule reads.
 */
export function monitorDiagnosis(events: readonly DiagnosisEvent[], audience: DiagnosisAudience): string | null {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const lastUp = sorted.findLastIndex((ev) => ev.kind === "monitor.up");
  return diagnose(diagnosisEvidence(sorted.slice(lastUp + 1)), audience);
}

/** ", 91 held by analytics@10.0.4.7 (91 idle)": the largest holder by user and host; "who holds them unknown" when the probe could not look. */
function holderPhrase(seen: PoolSnapshot, audience: DiagnosisAudience): string {
  if (seen.holders === undefined) return "";
  const holders = seen.holders;
  // Without the privilege to list others' connections a server shows only the monitor's own.
  if (holders === null || holders.seen + 1 < seen.connections / 2) return ", who holds them unknown";
  const byHolder = new Map<string, { count: number; idle: number; stateKnown: boolean }>();
  for (const g of holders.top) {
    const label = holderLabel(g);
    const entry = byHolder.get(label) ?? { count: 0, idle: 0, stateKnown: true };
    entry.count += g.count;
    if (g.state === "idle") entry.idle += g.count;
    if (g.state === null) entry.stateKnown = false;
    byHolder.set(label, entry);
  }
  const [label, top] = [...byHolder.entries()].sort((a, b) => b[1].count - a[1].count)[0] ?? [];
  // A full pool with no other connection listed: they are there, Vigil could not see them.
  if (label === undefined || top === undefined) return ", who holds them unknown";
  const idle = top.stateKnown ? ` (${count(top.idle)} idle)` : "";
  return `, ${count(top.count)} held by ${audience.public ? "one client" : label}${idle}`;
}

function holderLabel(g: Holders["top"][number]): string {
  const who = g.user !== null && g.host !== null ? `${g.user}@${g.host}` : (g.user ?? g.host ?? "unknown client");
  return g.app === null ? who : `${who} (${g.app})`;
}

/** "; server up 41 days", from the uptime last seen, unless the evidence shows a restart since. */
function uptimePhrase(seen: PoolSnapshot | null, e: DiagnosisEvidence): string {
  const uptimeS = seen?.uptimeS;
  if (uptimeS === undefined || uptimeS === null || e.restarts.length > 0) return "";
  return `; server up ${duration(uptimeS)}`;
}

function beforePhrase(e: DiagnosisEvidence, what: string): string {
  const before = e.beforeFirstRestart;
  return before === null ? `connections before ${what} unknown` : `connections were ${count(before.connections)} of ${count(before.maxConnections)} before ${what}`;
}

function snapshot(data: Record<string, unknown> | null, connectionsKey: string): PoolSnapshot | null {
  if (data === null) return null;
  const connections = numberOf(data[connectionsKey]);
  const maxConnections = numberOf(data["max_connections"]);
  if (connections === null || maxConnections === null) return null;
  const holders = "holders" in data ? decodeHolders(data["holders"]) : undefined;
  return { connections, maxConnections, uptimeS: numberOf(data["uptime_s"]), at: dateMs(data["last_seen_at"]), ...(holders === undefined ? {} : { holders }) };
}

/** 1,000 */
function count(n: number): string {
  return n.toLocaleString("en-US");
}

function minutes(ms: number): string {
  const whole = Math.round(ms / 60_000);
  return whole < 1 ? "under 1 min" : `${count(whole)} min`;
}

/** "41 days", "5 h", "12 min", "40 s": the largest unit, rounded down. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 2 * 86_400) return `${count(Math.floor(s / 86_400))} days`;
  if (s >= 86_400) return "1 day";
  if (s >= 3_600) return `${Math.floor(s / 3_600)} h`;
  if (s >= 60) return `${Math.floor(s / 60)} min`;
  return `${s} s`;
}

function recordOf(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function stringOf(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function numberOf(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function dateMs(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
