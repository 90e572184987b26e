import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { assignments as assignmentsSchema, type AssignedMonitor, type Assignments, type ResultBatch, type RunningCheck } from "../agents/protocol.ts";
import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import type { Timers } from "../core/timers.ts";
import { regionChange } from "../detection/cross-region.ts";
import { hangDeadline } from "../detection/hang-deadline.ts";
import { advanceRegion } from "../detection/region.ts";
import type { CheckResult, RegionState } from "../detection/types.ts";
import type { Logger } from "../observability/logger.ts";
import { AssertionList, applyAssertions } from "../probes/assertions.ts";
import { isMonitorType, loadProbe } from "../probes/load.ts";
import type { ProbeOutcome } from "../probes/types.ts";
import { Scheduler } from "../scheduler/scheduler.ts";
import { AgentClient, AgentRefused } from "./client.ts";
import { ResultBuffer, type BufferLimits, type UnnumberedResult } from "./buffer.ts";

/** How an agent runs. */
export interface AgentOptions {
  /** Nodes to report to, tried in turn. */
  servers: string[];
  token: string;
  /** The region it checks from; absent: its token's. */
  region?: string;
  dataDir: string;
  concurrency: number;
  version: string;
  logger: Logger;
  clock: Clock;
  timers: Timers;
  limits?: Partial<BufferLimits>;
  fetch?: typeof fetch;
  /** Results per batch, at most. */
  batchSize?: number;
}

/** A running agent. */
export interface RunningAgent {
  readonly id: string;
  /** Resolves when the agent stopped: asked to, or refused by a node for good (then it rejects with AgentRefused). */
  readonly done: Promise<void>;
  stats(): { monitors: number; buffered: number; dropped: number; lastSeq: number; acked: number };
  stop(): Promise<void>;
}

export const defaultBufferLimits: BufferLimits = { maxBytes: 200 * 1024 * 1024, maxAgeMs: 24 * 3_600_000 };
/** Results are appended to the buffer this often, and batches sent at most this often unless draining a backlog. */
const flushMs = 250;
const sendEveryMs = 1_000;
/** With nothing to send, the agent still reports itself this often (its health: last seen, buffer depth). */
const reportEveryMs = 5_000;
/** How long an assignments request waits for a change. */
const waitMs = 25_000;

/**
 * The `vigil agent` process: fetches its region's monitors from a node (long-polling for changes), checks them with
 * the same probes and schedule as the server, keeps every result on disk until a node has it, and sends them in
 * numbered batches. The last assignments are kept in the data dir, so an agent that starts while no node answers
 * checks what it checked before.
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { logger, clock, timers } = options;
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const unlock = lockDataDir(options.dataDir);
  const id = agentIdOf(options.dataDir);
  const buffer = ResultBuffer.open(path.join(options.dataDir, "buffer"), { ...defaultBufferLimits, ...options.limits });
  const client = new AgentClient(options.servers, options.token, options.fetch);
  const startedAt = clock.now();
  const batchSize = options.batchSize ?? 500;
  const assignmentsFile = path.join(options.dataDir, "assignments.json");
  const monitors = new Map<string, { monitor: AssignedMonitor; assert: ReturnType<typeof AssertionList.parse> }>();
  const regionStates = new Map<string, RegionState>();
  const pending: UnnumberedResult[] = [];
  /** Checks still running that the node hears of with the next batch (suspected of hanging, or confirming beside one). */
  let running: RunningCheck[] = [];
  const recentChecks: number[] = [];
  const stopController = new AbortController();
  let etag: string | undefined;
  let region = options.region;
  let stopped = false;
  let refused: AgentRefused | undefined;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const scheduler = new Scheduler({
    clock,
    timers,
    concurrency: options.concurrency,
    run: async (scheduled, signal, _lagMs, alongside) => {
      const entry = monitors.get(scheduled.id);
      if (entry === undefined) return { recheck: false };
      const at = clock.now();
      const stopWatching = watchForHang(entry.monitor, at, alongside);
      const outcome = applyAssertions(await runProbe(entry.monitor, region ?? "", signal), entry.assert);
      stopWatching();
      recentChecks.push(performance.now());
      pending.push({
        monitor: entry.monitor.id,
        at: at.toISOString(),
        status: outcome.status,
        latency_ms: Math.round(outcome.latencyMs * 1000) / 1000,
        facts: outcome.facts,
        ...(outcome.error ? { error: outcome.error } : {}),
        ...(outcome.warning ? { warning: outcome.warning } : {}),
      });
      // The quick re-check after a first failure (and a first success after failing) is decided here, as on the server.
      const result: CheckResult = { monitorId: entry.monitor.id, region: region ?? "", at, status: outcome.status, latencyMs: outcome.latencyMs, facts: outcome.facts };
      const previous = regionStates.get(entry.monitor.id);
      const advanced = advanceRegion(previous, result, entry.monitor);
      regionStates.set(entry.monitor.id, advanced.region);
      // A result that turns or confirms a change goes out now, not at the next send: detection, and the other regions'
      // confirming checks, wait for it.
      if (advanced.recheck || previous?.status !== advanced.region.status || regionChange(previous, advanced.region) !== undefined) hurry();
      return { recheck: advanced.recheck };
    },
  });

  /** The sequence number of the last result made so far (numbering those not yet numbered): what a running check follows. */
  const lastNumbered = (): number => {
    if (pending.length > 0) buffer.append(pending.splice(0, pending.length), clock.now().getTime());
    return buffer.stats().lastSeq;
  };

  /**
   * Hang suspicion, by the server's rule (detection/hang-deadline.ts) over this region's own results: a check still
   * unanswered at its monitor's hang deadline is reported to the node at once (which suspects it as it does its own),
   * and a confirming check starts beside it (not beside a confirming check), which the node hears of too. Returns
   * what stops watching once the check has its answer.
   */
  const watchForHang = (monitor: AssignedMonitor, startedAt: Date, alongside: boolean): (() => void) => {
    const at = startedAt.toISOString();
    if (alongside) running.push({ monitor: monitor.id, at, after_seq: lastNumbered(), kind: "confirming" });
    const suspect = monitor.suspect === undefined || monitor.suspect === null ? null : { factor: monitor.suspect.factor, floorMs: monitor.suspect.floor_ms };
    const delay = hangDeadline(regionStates.get(monitor.id), suspect);
    if (delay === undefined || delay >= monitor.timeout_ms) return () => undefined;
    const timer = timers.setTimeout(() => {
      if (stopped || !monitors.has(monitor.id)) return;
      // Timers may fire a millisecond early by the wall clock: the deadline has come all the same.
      const unansweredMs = Math.max(clock.now().getTime() - startedAt.getTime(), delay);
      const suspected: RunningCheck = { monitor: monitor.id, at, after_seq: lastNumbered(), kind: "suspected", unanswered_ms: unansweredMs, confirming_check: false };
      running.push(suspected);
      suspected.confirming_check = !alongside && scheduler.checkAlongside(monitor.id);
      logger.info({ monitor: monitor.id, unanswered_ms: unansweredMs, confirming: suspected.confirming_check }, "check suspected of hanging");
      hurry();
    }, delay);
    return () => timers.clearTimeout(timer);
  };

  const runProbe = async (monitor: AssignedMonitor, checkRegion: string, signal: AbortSignal): Promise<ProbeOutcome> => {
    try {
      // A type's probe (and its driver) loads at its first check: an agent keeps only what its monitors use in memory.
      const probe = await loadProbe(monitor.type);
      return await probe.run(monitor.settings as never, { signal, clock, region: checkRegion, timeoutMs: monitor.timeout_ms, intervalMs: monitor.interval_ms, monitorId: monitor.id });
    } catch (error) {
      logger.error({ err: error, monitor: monitor.id }, "probe failed unexpectedly");
      return { status: "down", latencyMs: 0, facts: {}, error: { kind: "protocol", message: "internal probe error (see the agent's log)" } };
    }
  };

  const apply = (next: Assignments, source: string): void => {
    region ??= next.region.id;
    monitors.clear();
    for (const monitor of next.monitors) {
      const assert = AssertionList.safeParse(monitor.assert);
      if (!assert.success) {
        logger.warn({ monitor: monitor.id }, "skipping a monitor whose assertions this agent cannot read (is it older than the server?)");
        continue;
      }
      if (!isMonitorType(monitor.type)) continue;
      monitors.set(monitor.id, { monitor, assert: assert.data });
    }
    for (const key of regionStates.keys()) if (!monitors.has(key)) regionStates.delete(key);
    scheduler.set(
      [...monitors.values()].map(({ monitor }) => ({
        id: monitor.id,
        intervalMs: monitor.interval_ms,
        timeoutMs: monitor.timeout_ms,
        recheckMs: monitor.recheck_ms,
        ...(monitor.phase_ms === undefined ? {} : { phaseMs: monitor.phase_ms }),
      })),
    );
    etag = next.etag;
    logger.info({ region: next.region.id, declared: next.region.declared, monitors: monitors.size, from: source }, "assignments applied");
    if (!next.region.declared) logger.warn({ region: next.region.id }, "the server's configuration does not declare this region: nothing to check until it does");
  };

  // The last assignments, for a start while no node answers.
  try {
    const saved = assignmentsSchema.safeParse(JSON.parse(fs.readFileSync(assignmentsFile, "utf8")));
    if (saved.success && (options.region === undefined || saved.data.region.id === options.region)) apply(saved.data, "the data dir");
  } catch {
    // None yet.
  }

  const fail = (error: AgentRefused): void => {
    refused ??= error;
    logger.error({ server: client.server }, error.message);
    void stop();
  };

  // Waking the send loop for a result that cannot wait (see `hurry`).
  let urgent = false;
  let wakeSend: (() => void) | undefined;
  const hurry = (): void => {
    urgent = true;
    wakeSend?.();
  };
  /** Like sleep, but a hurried result ends it at once. */
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      if (urgent) return resolve();
      const handle = timers.setTimeout(wake, ms);
      function wake(): void {
        timers.clearTimeout(handle);
        stopController.signal.removeEventListener("abort", wake);
        wakeSend = undefined;
        resolve();
      }
      wakeSend = wake;
      stopController.signal.addEventListener("abort", wake, { once: true });
    });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        timers.clearTimeout(handle);
        stopController.signal.removeEventListener("abort", wake);
        resolve();
      };
      const handle = timers.setTimeout(wake, ms);
      stopController.signal.addEventListener("abort", wake, { once: true });
    });

  const pollAssignments = async (): Promise<void> => {
    let failures = 0;
    while (!stopped) {
      try {
        const next = await client.assignments({ agent: id, ...(options.region === undefined ? {} : { region: options.region }), ...(etag === undefined ? {} : { etag, waitMs }) }, stopController.signal);
        failures = 0;
        if (next !== undefined && next.etag !== etag) {
          apply(next, client.server);
          fs.writeFileSync(`${assignmentsFile}.tmp`, JSON.stringify(next), { mode: 0o600 });
          fs.renameSync(`${assignmentsFile}.tmp`, assignmentsFile);
        }
      } catch (error) {
        if (stopped) return;
        if (error instanceof AgentRefused) return fail(error);
        failures++;
        if (failures === 1 || failures % 30 === 0) logger.warn({ err: errorText(error), failures }, "cannot fetch assignments; checking with the last ones");
        await sleep(Math.min(10_000, 500 * 2 ** Math.min(failures, 5)));
      }
    }
  };

  // Cross-region confirmation: another region saw a monitor change, so this one checks it now (a missed request only
  // means the check comes at its next turn).
  const pollChecks = async (): Promise<void> => {
    let cursor: string | undefined;
    let failures = 0;
    while (!stopped) {
      try {
        const answer = await client.checks({ ...(options.region === undefined ? {} : { region: options.region }), ...(cursor === undefined ? {} : { after: cursor }), waitMs }, stopController.signal);
        failures = 0;
        cursor = answer.cursor;
        const ids = answer.monitors.filter((monitorId) => monitors.has(monitorId));
        if (ids.length > 0) scheduler.checkSoon(ids);
      } catch (error) {
        if (stopped) return;
        if (error instanceof AgentRefused) return fail(error);
        // The assignments loop says when no node answers; this one only waits and asks again.
        failures++;
        await sleep(Math.min(10_000, 500 * 2 ** Math.min(failures, 5)));
      }
    }
  };

  let lastReport = 0;
  let sendFailures = 0;
  // Results go to disk every 250 ms whatever the network does: a send that hangs (a partition) holds nothing back.
  const flush = async (): Promise<void> => {
    while (!stopped) {
      if (pending.length > 0) buffer.append(pending.splice(0, pending.length), clock.now().getTime());
      await sleep(flushMs);
    }
  };

  const send = async (): Promise<void> => {
    while (!stopped) {
      if (urgent) {
        urgent = false;
        if (pending.length > 0) buffer.append(pending.splice(0, pending.length), clock.now().getTime());
      }
      const batch = buffer.peek(batchSize);
      const dueReport = performance.now() - lastReport >= reportEveryMs;
      // Running checks go once (sent again after a failure, they would come too late to matter), with the batch that
      // holds the last of the buffer: the results they follow go first.
      const runningNow = running.length > 0 && sendFailures === 0 && batch.length < batchSize ? running.splice(0, running.length) : [];
      if (sendFailures > 0) running = [];
      if (batch.length > 0 || dueReport || runningNow.length > 0) {
        try {
          const answer = await client.send(batchOf(batch, runningNow), stopController.signal);
          lastReport = performance.now();
          if (sendFailures > 0) logger.info({ server: client.server, after: sendFailures }, "a node answers again: sending the buffer");
          sendFailures = 0;
          for (const rejected of answer.rejected.slice(0, 3)) logger.warn({ seq: rejected.seq }, `a result was refused: ${rejected.reason}`);
          if (batch.length > 0) buffer.ack(Math.max(answer.acknowledged, batch.at(-1)!.seq));
          // A backlog (after an outage) is sent batch after batch; otherwise at most one batch a second, unless hurried.
          if (batch.length === batchSize) continue;
        } catch (error) {
          if (stopped) return;
          if (error instanceof AgentRefused) return fail(error);
          sendFailures++;
          if (sendFailures === 1 || sendFailures % 60 === 0) logger.warn({ err: errorText(error), buffered: buffer.stats().results }, "cannot send results; keeping them on disk");
        }
      }
      // Unless a result cannot wait; not while no node answers (the backoff stands).
      if (sendFailures > 0) await sleep(sendEveryMs);
      else await nap(batch.length > 0 ? sendEveryMs : flushMs);
    }
  };

  const batchOf = (results: ResultBatch["results"], runningNow: RunningCheck[] = []): ResultBatch => {
    const stats = buffer.stats();
    return {
      agent: {
        id,
        version: options.version,
        hostname: hostname().slice(0, 255),
        started_at: startedAt.toISOString(),
        // What waits behind this batch: 0 once it is taken, when the agent keeps up.
        buffer: { results: Math.max(0, stats.results - results.length), dropped: stats.dropped },
        checks_per_second: checksPerSecond(),
      },
      results,
      // Left out when there are none: a node older than running checks refuses a batch with the key.
      ...(runningNow.length === 0 ? {} : { running: runningNow }),
    };
  };

  const checksPerSecond = (): number => {
    const since = performance.now() - 60_000;
    while (recentChecks.length > 0 && recentChecks[0]! < since) recentChecks.shift();
    return Math.round((recentChecks.length / 60) * 100) / 100;
  };

  const loops = Promise.all([pollAssignments(), pollChecks(), flush(), send()]);

  const stop = async (): Promise<void> => {
    if (stopped) return done;
    stopped = true;
    stopController.abort();
    await scheduler.stop();
    await loops.catch(() => undefined);
    // What the last checks found stays on disk for the next start.
    if (pending.length > 0) buffer.append(pending.splice(0, pending.length), clock.now().getTime());
    buffer.close();
    unlock();
    finish();
    return done;
  };

  return {
    id,
    done: done.then(() => {
      if (refused) throw refused;
    }),
    stats: () => {
      const s = buffer.stats();
      return { monitors: monitors.size, buffered: s.results, dropped: s.dropped, lastSeq: s.lastSeq, acked: s.acked };
    },
    stop,
  };
}

/**
 * Makes the data dir this process's alone: two agents on one buffer would number results alike. A lock left by a
 * process that is gone (killed) is taken over. Returns the function that releases it.
 */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, "agent.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(fs.readFileSync(file, "utf8").trim());
      if (Number.isSafeInteger(holder) && holder > 0 && alive(holder)) {
        throw new AppError("data_dir_locked", `another agent (process ${holder}) uses ${path.resolve(dataDir)}; give each agent its own --data`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new AppError("data_dir_locked", `cannot lock ${path.resolve(dataDir)}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The agent's id, made once and kept in its data dir. */
function agentIdOf(dataDir: string): string {
  const file = path.join(dataDir, "agent-id");
  try {
    const id = fs.readFileSync(file, "utf8").trim();
    if (/^agt_[a-z0-9]{16}$/.test(id)) return id;
  } catch {
    // Made below.
  }
  const id = `agt_${randomBytes(10).toString("hex").slice(0, 16)}`;
  fs.writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
