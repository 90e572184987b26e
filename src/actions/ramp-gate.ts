/**
 * A recovery ramp's health gate, as a pure function of what the store and detection say: whether the components a
 * ramp watches are healthy enough for its next step (`holds`), not yet (`waiting`, with why), or failed again since
 * the ramp began (`fails`: the ramp aborts). Only evidence decides: a gate never holds on a fact no monitor reports.
 */
import type * as z from "zod";
import { duration, positiveDuration, share, strictMap } from "../config/fields.ts";


/** The keys of a gate; each step may override any of the ramp's. */
export const GateConfig = strictMap({
  /** Every monitor of the watched components answers up, with no other result, for this long after the step. */
  up_for: duration.optional(),
  /** Each database monitor's server has been up (its uptime) at least this long: no restart since. */
  no_restart_for: positiveDuration.optional(),
  /** Each database monitor's connections in use stay under this share of its limit. */
  connections_below: share('expected a share such as "60%"').optional(),
  /** The gate must hold within this time after its step's run succeeded, else the ramp aborts. */
  timeout: positiveDuration.optional(),
});
export type GateConfig = z.output<typeof GateConfig>;

/** A gate with every key set (the step's, else the ramp's, else the defaults). */
export interface Gate {
  upForMs: number;
  noRestartForMs: number | null;
  connectionsBelow: number | null;
  timeoutMs: number;
}

export const gateDefaults = { upForMs: 60_000, timeoutMs: 15 * 60_000 } as const;

/** The step's gate over the ramp's, over the defaults. */
export function gateOf(ramp: GateConfig | undefined, step: GateConfig | undefined): Gate {
  const pick = <K extends keyof GateConfig>(key: K): GateConfig[K] => step?.[key] ?? ramp?.[key];
  return {
    upForMs: pick("up_for") ?? gateDefaults.upForMs,
    noRestartForMs: pick("no_restart_for") ?? null,
    connectionsBelow: pick("connections_below") ?? null,
    timeoutMs: pick("timeout") ?? gateDefaults.timeoutMs,
  };
}

/** One check result as a gate reads it (epoch milliseconds). */
export interface GateResult {
  at: number;
  region: string;
  status: "up" | "degraded" | "down";
  uptimeS: number | null;
  connections: number | null;
  maxConnections: number | null;
}

/** A monitor of a watched component, with its results since a little before the ramp began, oldest first. */
export interface GateMonitor {
  id: string;
  component: string;
  intervalMs: number;
  timeoutMs: number;
  results: GateResult[];
}

/** What a gate is judged on. */
export interface GateInput {
  now: number;
  /** When the ramp's first step was asked for: a restart or a failure after it is the ramp's to abort on. */
  rampStartedAt: number;
  /** When the step's run succeeded: the gate's health counts from then, its timeout too. */
  gateStartedAt: number;
  /** The watched components. */
  components: readonly string[];
  monitors: readonly GateMonitor[];
  /** Each watched component's status as detection has confirmed it (operational, degraded_performance, …). */
  statuses: Readonly<Record<string, string>>;
}

export type GateVerdict = { kind: "holds"; summary: string } | { kind: "waiting"; reason: string } | { kind: "fails"; reason: string };

// Uptimes are whole seconds, read during a check that started at `at`: two roundings stay under 2 s.
const uptimeToleranceMs = 2_000;
const outage = new Set(["partial_outage", "major_outage"]);

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const seconds = (ms: number) => (ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`);
const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

/**
 * Judges a gate. It fails when a watched database restarted after the ramp began, or a watched component is in an
 * outage after its monitors answered up during the ramp (it crashed again); when a key needs a fact no monitor of the
 * watched components reports (uptime, connections); and when it has not held within its timeout. It holds when
 * every watched monitor answered only up for `up_for` since the step (and recently), every server's uptime is at
 * least `no_restart_for`, and every pool is under `connections_below`.
 */
export function judgeGate(gate: Gate, input: GateInput): GateVerdict {
  const { now, rampStartedAt, gateStartedAt, monitors } = input;
  if (monitors.length === 0) return { kind: "fails", reason: `no monitor watches ${input.components.join(", ")}: nothing to judge the gate on` };
  for (const m of monitors) {
    const restart = m.results.find((r) => r.uptimeS !== null && r.at - r.uptimeS * 1000 > rampStartedAt + uptimeToleranceMs);
    if (restart) return { kind: "fails", reason: `${m.id} restarted at ${clock(restart.at - restart.uptimeS! * 1000)} UTC, during the ramp` };
  }
  for (const component of input.components) {
    const status = input.statuses[component];
    if (status === undefined || !outage.has(status)) continue;
    const own = monitors.filter((m) => m.component === component);
    // Up when the ramp began (its last result before was up) or since: down now is a new failure, not the old one.
    const wasUp = own.some((m) => m.results.some((r) => r.at >= rampStartedAt && r.status === "up") || m.results.filter((r) => r.at < rampStartedAt).at(-1)?.status === "up");
    if (wasUp) {
      const lastUp = Math.max(...own.flatMap((m) => m.results.filter((r) => r.status === "up").map((r) => r.at)));
      return { kind: "fails", reason: `${component} is in ${status.replace("_", " ")} again (last up at ${clock(lastUp)} UTC, after the ramp began or just before)` };
    }
  }
  const reasons: string[] = [];
  const held: string[] = [];
  // Up for long enough since the step, and recently.
  let upSince = gateStartedAt;
  for (const m of monitors) {
    const since = m.results.filter((r) => r.at >= gateStartedAt);
    const last = since[since.length - 1];
    const recentMs = 2 * m.intervalMs + m.timeoutMs;
    if (last === undefined || now - last.at > recentMs) {
      reasons.push(`no result from ${m.id} in the last ${seconds(recentMs)}`);
      continue;
    }
    const bad = since.filter((r) => r.status !== "up");
    const lastBad = bad[bad.length - 1];
    if (lastBad !== undefined) {
      // The streak starts at the first up result after the last other one.
      const next = since.find((r) => r.at > lastBad.at);
      if (next === undefined) {
        reasons.push(`${m.id} is ${lastBad.status} (${clock(lastBad.at)} UTC)`);
        continue;
      }
      upSince = Math.max(upSince, next.at);
    }
  }
  // Facts are judged on recent results: with none yet, the gate waits (a missing fact is then a wait, not a failure).
  const fresh = reasons.length === 0;
  if (fresh) {
    if (now - upSince < gate.upForMs) reasons.push(`up for ${seconds(now - upSince)} of ${seconds(gate.upForMs)}`);
    else held.push(`up for ${seconds(now - upSince)}`);
  }
  if (fresh && gate.noRestartForMs !== null) {
    const reporting = monitors.filter((m) => m.results.some((r) => r.uptimeS !== null));
    if (reporting.length === 0) return { kind: "fails", reason: `no_restart_for needs a monitor that reports its server's uptime (mysql, postgres, redis); none of ${input.components.join(", ")}'s does` };
    const uptimes = reporting.map((m) => ({ m, uptimeMs: [...m.results].reverse().find((r) => r.uptimeS !== null)!.uptimeS! * 1000 }));
    const short = uptimes.filter((u) => u.uptimeMs < gate.noRestartForMs!);
    if (short.length > 0) reasons.push(short.map((u) => `${u.m.id} up ${seconds(u.uptimeMs)} of ${seconds(gate.noRestartForMs!)} without a restart`).join("; "));
    else held.push(`no restart for ${seconds(Math.min(...uptimes.map((u) => u.uptimeMs)))}`);
  }
  if (fresh && gate.connectionsBelow !== null) {
    const reporting = monitors.flatMap((m) => {
      const r = [...m.results].reverse().find((x) => x.connections !== null && x.maxConnections !== null && x.maxConnections > 0);
      return r === undefined ? [] : [{ m, connections: r.connections!, max: r.maxConnections! }];
    });
    if (reporting.length === 0) return { kind: "fails", reason: `connections_below needs a monitor that reports connections and their limit (mysql, postgres, redis); none of ${input.components.join(", ")}'s does` };
    const high = reporting.filter((r) => r.connections / r.max >= gate.connectionsBelow!);
    if (high.length > 0) reasons.push(high.map((r) => `${r.m.id} at ${r.connections} of ${r.max} connections (${percent(r.connections / r.max)}, under ${percent(gate.connectionsBelow!)} wanted)`).join("; "));
    else held.push(reporting.map((r) => `${r.m.id} at ${r.connections} of ${r.max} connections (${percent(r.connections / r.max)})`).join(", "));
  }
  if (reasons.length === 0) return { kind: "holds", summary: held.join("; ") };
  const reason = reasons.join("; ");
  if (now - gateStartedAt >= gate.timeoutMs) return { kind: "fails", reason: `the gate did not hold within ${seconds(gate.timeoutMs)}: ${reason}` };
  return { kind: "waiting", reason };
}
