import type { Fact } from "../probes/types.ts";
import type { CheckResult, DetectionEvent, DetectionPolicy, ServerEvidence, ServerIdentity } from "./types.ts";

/** Defaults for the limits a monitor may leave unset: a transaction open 5 minutes, 5 sessions waiting for a lock. */
export const serverLimitDefaults = { longTransactionMs: 5 * 60_000, lockWaits: 5 } as const;

type Limits = DetectionPolicy["evidence"];

/** Whether a result carries any fact this module reads. */
export function hasServerFacts(facts: Record<string, Fact>): boolean {
  return ["serverId", "replicationLagS", "replicationRunning", "oldestTransactionS", "lockWaits"].some((name) => facts[name] !== undefined && facts[name] !== null);
}

/**
 * With `max_replication_lag` set, an `up` result of a replica further behind than that, or whose replication is
 * stopped, becomes `degraded` with the lag as its warning. Other results are returned as they are.
 */
export function limitReplicationLag(result: CheckResult, limits: Limits): CheckResult {
  const warning = lagWarning(result.facts, limits);
  return warning !== undefined && result.status === "up" ? { ...result, status: "degraded", warning } : result;
}

/**
 * Compares a result's server facts with what the region saw before: a different server behind the address (or a
 * new PostgreSQL timeline), replication lag over the limit, a long transaction, sessions piling up on a lock. One
 * event per episode each; an episode ends when the value is back under its limit.
 */
export function observeServer(
  previous: ServerEvidence | undefined,
  result: CheckResult,
  limits: Limits,
): { server: ServerEvidence; events: DetectionEvent[] } {
  const at = result.at.getTime();
  const facts = result.facts;
  const events: DetectionEvent[] = [];
  const emit = (kind: DetectionEvent["kind"], data: Record<string, unknown>): void => {
    events.push({ kind, monitorId: result.monitorId, at: result.at, data: { region: result.region, ...data } });
  };
  const server: ServerEvidence = { identity: null, lagging: false, longTransaction: false, lockPileUp: false, ...previous };

  const identity = identityOf(facts);
  if (identity !== null) {
    const before = server.identity;
    const changed = before === null ? [] : changedKeys(before, identity);
    if (before !== null && changed.length > 0) {
      emit("monitor.server_change", { from: before, to: identity, changed, writable: bool(facts["writable"]), since: iso(at), note: serverNote(before, identity, changed, facts, at) });
    }
    server.identity = identity;
  }

  const lag = lagWarning(facts, limits);
  const lagKnown = facts["replicationLagS"] !== undefined || facts["replicationRunning"] !== undefined;
  if (lag !== undefined && !server.lagging) {
    emit("monitor.replication_lag", {
      lag_s: num(facts["replicationLagS"]),
      max_lag_s: (limits.maxReplicationLagMs ?? 0) / 1000,
      running: bool(facts["replicationRunning"]),
      note: lag,
    });
    server.lagging = true;
  } else if (lag === undefined && lagKnown) {
    server.lagging = false;
  }

  const age = num(facts["oldestTransactionS"]);
  const waits = num(facts["lockWaits"]);
  const maxAgeMs = limits.longTransactionMs ?? serverLimitDefaults.longTransactionMs;
  const maxWaits = limits.lockWaits ?? serverLimitDefaults.lockWaits;
  if (facts["oldestTransactionS"] !== undefined) {
    const long = age !== null && age * 1000 >= maxAgeMs;
    if (long && !server.longTransaction) {
      emit("monitor.long_transaction", { age_s: age, started_at: iso(at - age * 1000), max_age_s: maxAgeMs / 1000, lock_waits: waits, note: transactionNote(age, waits, at) });
    }
    server.longTransaction = long;
  }
  if (facts["lockWaits"] !== undefined) {
    const piled = waits !== null && waits >= maxWaits;
    if (piled && !server.lockPileUp) {
      emit("monitor.lock_waits", { lock_waits: waits, max_lock_waits: maxWaits, oldest_transaction_s: age, note: lockNote(waits, age) });
    }
    server.lockPileUp = piled;
  }
  return { server, events };
}

/** What a role change adds to its event: whether the server now takes writes and replicates, in a sentence. */
export function roleDetail(facts: Record<string, Fact>): Record<string, unknown> {
  const writable = bool(facts["writable"]);
  const replicating = bool(facts["replicating"]);
  if (writable === null && replicating === null) return {};
  const parts = [writable === null ? null : writable ? "writable" : "read-only", replicating === true ? "replicating" : replicating === false ? "not replicating" : null];
  return { writable, replicating, note: `now ${facts["role"] === "replica" ? "a replica" : "the primary"}: ${parts.filter((p) => p !== null).join(", ")}` };
}

function lagWarning(facts: Record<string, Fact>, limits: Limits): string | undefined {
  const max = limits.maxReplicationLagMs;
  if (max === undefined || max === null) return undefined;
  if (facts["replicationRunning"] === false) return "replication stopped: a replica thread is not running";
  const lag = num(facts["replicationLagS"]);
  if (lag === null || lag * 1000 <= max) return undefined;
  return `replica ${duration(lag)} behind its source, above ${duration(max / 1000)}`;
}

function identityOf(facts: Record<string, Fact>): ServerIdentity | null {
  const id = facts["serverId"];
  if (typeof id !== "string" || id === "") return null;
  const text = (v: Fact | undefined) => (typeof v === "string" && v !== "" ? v : null);
  return { server_id: id, server_uuid: text(facts["serverUuid"]), hostname: text(facts["hostname"]), timeline: num(facts["timeline"]) };
}

/** Keys known on both sides that differ; one side not knowing (a privilege, MariaDB's missing uuid) is no change. */
function changedKeys(a: ServerIdentity, b: ServerIdentity): (keyof ServerIdentity)[] {
  const keys: (keyof ServerIdentity)[] = ["server_id", "server_uuid", "hostname", "timeline"];
  return keys.filter((k) => a[k] !== null && b[k] !== null && a[k] !== b[k]);
}

function serverNote(before: ServerIdentity, now: ServerIdentity, changed: readonly string[], facts: Record<string, Fact>, at: number): string {
  const writable = bool(facts["writable"]);
  const state = writable === null ? "" : writable ? ", now writable" : ", now read-only";
  if (changed.length === 1 && changed[0] === "timeline") {
    return `a new timeline (${now.timeline}, was ${before.timeline}) since ${clock(at)}: a standby was promoted${state}`;
  }
  const host = changed.includes("hostname") ? `, host ${now.hostname}` : "";
  return `a different server (id ${now.server_id}${host}) answers since ${clock(at)}${state}`;
}

function transactionNote(age: number, waits: number | null, at: number): string {
  const waiting = waits !== null && waits > 0 ? `; ${waits} ${waits === 1 ? "session waits" : "sessions wait"} for a lock` : "";
  return `a transaction open for ${duration(age)} (since ${clock(at - age * 1000)})${waiting}`;
}

function lockNote(waits: number, age: number | null): string {
  const oldest = age === null ? "" : `; the oldest transaction is ${duration(age)} old`;
  return `${waits} ${waits === 1 ? "session waits" : "sessions wait"} for a lock${oldest}`;
}

/** 45 s, 12 min, 3 h 5 min: whole units, as a responder reads them. */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function num(v: Fact | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function bool(v: Fact | undefined): boolean | null {
  return typeof v === "boolean" ? v : null;
}
