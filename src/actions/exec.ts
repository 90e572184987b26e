/**
 * The `exec` action: runs a command with its arguments, never through a shell, in a process group of its own that is
 * killed whole at the attempt's timeout. It reads the run's facts as JSON on its standard input and as `VIGIL_*`
 * environment variables (with the run's idempotency key in `VIGIL_IDEMPOTENCY_KEY` on every attempt); its output
 * (standard output and error, interleaved) is kept, size-capped, with the configured secrets redacted. Vigil's own
 * environment is not passed on: the command gets `PATH`, the action's `env` and the facts.
 *
 * A run asked for an outage window (a reconciliation) gets it in `VIGIL_WINDOW_*` too; a successful command whose
 * last line of output is JSON with a numeric `resynced` gives the run that count (src/actions/resynced.ts).
 *
 * Exit status 0 is success; 75 (EX_TEMPFAIL) asks for another attempt, as does a timeout; any other status fails the
 * run at once. Only with `actions.allow_exec: true` in the configuration (checked when it is loaded).
 */
import { spawn } from "node:child_process";
import * as z from "zod";
import { strictMap, text } from "../config/fields.ts";
import { redact } from "../notify/channels/http-send.ts";
import { resyncedOfLastLine } from "./resynced.ts";
import { maxOutputBytes, type ActionFacts, type ActionPlugin, type ActionResult } from "./types.ts";

/** The `PATH` a command gets unless its `env` sets one. */
export const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** The exit status that asks for another attempt (EX_TEMPFAIL of sysexits.h). */
export const retryExitCode = 75;
/** How long a command has to exit after SIGTERM before its process group is killed. */
const killGraceMs = 2_000;

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The keys of an `exec` action. */
export const ExecActionConfig = strictMap({
  /** The program: an absolute path, or a name looked up in `PATH`. */
  command: text,
  /** Its arguments, each passed as is (no shell: no globbing, quoting or substitution). */
  args: z.array(z.string()).default([]),
  /** **Secret**: extra environment variables (credentials for a cloud CLI…); their values never appear in the output kept. */
  env: z
    .record(z.string(), z.string())
    .superRefine((map, ctx) => {
      for (const name of Object.keys(map)) {
        if (!envName.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "expected an environment variable name of letters, digits and _, not starting with a digit" });
        else if (name.startsWith("VIGIL_")) ctx.addIssue({ code: "custom", path: [name], message: "VIGIL_* variables are the run's facts, set by Vigil" });
      }
    })
    .optional(),
  /** The working directory (default: Vigil's). */
  cwd: text.optional(),
});
/** A validated `exec` action configuration. */
export type ExecActionConfig = z.output<typeof ExecActionConfig>;

/**
 * The run's facts as `VIGIL_*` environment variables (lists comma-separated). A run's window gives VIGIL_WINDOW_ID,
 * _COMPONENT, _START, _CONFIRMED_START, _EARLIEST_START (its earliest possible start, else its start: the earliest
 * known bound), _END (when it is over), _WORST and _INCIDENTS.
 */
export function factsEnv(facts: ActionFacts): Record<string, string> {
  const env: Record<string, string> = {
    VIGIL_RUN_ID: facts.run.id,
    VIGIL_ACTION_ID: facts.run.action,
    VIGIL_IDEMPOTENCY_KEY: facts.run.idempotency_key,
    VIGIL_ATTEMPT: String(facts.run.attempt),
    VIGIL_REQUESTED_BY: facts.run.requested_by,
    VIGIL_COMPONENTS: facts.components.map((c) => c.id).join(","),
  };
  const step = facts.step;
  if (step !== null) {
    Object.assign(env, { VIGIL_RAMP_ID: step.ramp, VIGIL_RAMP_RUN_ID: step.ramp_run, VIGIL_STEP_NUMBER: step.number === null ? "abort" : String(step.number), VIGIL_STEP_OF: String(step.of) });
    // `with: { replicas: 4 }` → VIGIL_STEP_REPLICAS=4.
    for (const [name, value] of Object.entries(step.with)) env[`VIGIL_STEP_${name.toUpperCase()}`] = String(value);
  }
  const incident = facts.incident;
  if (incident !== null) {
    Object.assign(env, {
      VIGIL_INCIDENT_ID: incident.id,
      VIGIL_INCIDENT_NAME: incident.name,
      VIGIL_INCIDENT_STATUS: incident.status,
      VIGIL_INCIDENT_IMPACT: incident.impact,
      VIGIL_INCIDENT_STARTED_AT: incident.started_at,
      VIGIL_INCIDENT_ROOT_COMPONENTS: incident.root_components.join(","),
      VIGIL_INCIDENT_IMPACTED_COMPONENTS: incident.impacted_components.join(","),
    });
    if (incident.resolved_at !== null) env["VIGIL_INCIDENT_RESOLVED_AT"] = incident.resolved_at;
    if (incident.url !== null) env["VIGIL_INCIDENT_URL"] = incident.url;
  }
  const window = facts.window;
  if (window !== null) {
    Object.assign(env, {
      VIGIL_WINDOW_ID: window.id,
      VIGIL_WINDOW_COMPONENT: window.component,
      VIGIL_WINDOW_START: window.start,
      VIGIL_WINDOW_CONFIRMED_START: window.confirmed_start,
      VIGIL_WINDOW_EARLIEST_START: window.earliest_possible_start ?? window.start,
      VIGIL_WINDOW_WORST: window.worst,
      VIGIL_WINDOW_INCIDENTS: window.incidents.join(","),
    });
    if (window.end !== null) env["VIGIL_WINDOW_END"] = window.end;
  }
  return env;
}

/** Keeps the last bytes of a stream of output (a failing command says why at the end), with a margin for redaction. */
class OutputTail {
  #chunks: Buffer[] = [];
  #size = 0;
  #dropped = false;
  readonly #keep = maxOutputBytes + 4096;

  add(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size - (this.#chunks[0]?.length ?? 0) >= this.#keep) {
      this.#size -= this.#chunks.shift()!.length;
      this.#dropped = true;
    }
  }

  /** The output, secrets redacted (before the cut, so no part of one is left), at most `maxOutputBytes`. */
  text(secrets: readonly string[]): string {
    let all = Buffer.concat(this.#chunks);
    let dropped = this.#dropped;
    if (all.length > this.#keep) {
      all = all.subarray(all.length - this.#keep);
      dropped = true;
    }
    const redacted = Buffer.from(redact(all.toString("utf8"), secrets));
    if (redacted.length <= maxOutputBytes && !dropped) return redacted.toString("utf8");
    // Cut at a character boundary: skip UTF-8 continuation bytes.
    let start = Math.max(0, redacted.length - (maxOutputBytes - 3));
    while (start < redacted.length && (redacted[start]! & 0xc0) === 0x80) start++;
    return `…${redacted.subarray(start).toString("utf8")}`;
  }
}

/** The secrets of an `exec` action: its environment's values (from 4 characters; shorter ones would redact too much). */
function execSecrets(config: ExecActionConfig): string[] {
  return Object.values(config.env ?? {}).filter((value) => value.length >= 4);
}

/** Runs a command, no shell, its process group killed at the timeout. */
export const execAction: ActionPlugin<ExecActionConfig> = {
  type: "exec",
  configSchema: ExecActionConfig,
  secrets: execSecrets,
  run(config, facts, ctx) {
    const secrets = execSecrets(config).sort((a, b) => b.length - a.length);
    return new Promise<ActionResult>((resolve) => {
      const output = new OutputTail();
      let settled = false;
      let timedOut = false;
      let killTimer: NodeJS.Timeout | undefined;
      const finish = (result: ActionResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        ctx.signal.removeEventListener("abort", onAbort);
        resolve(result);
      };
      const child = spawn(config.command, config.args, {
        shell: false,
        detached: true, // its own process group, so that the timeout kills what it started too
        stdio: ["pipe", "pipe", "pipe"],
        env: { PATH: defaultPath, ...config.env, ...factsEnv(facts) },
        ...(config.cwd !== undefined ? { cwd: config.cwd } : {}),
      });
      const killGroup = (signal: NodeJS.Signals) => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      };
      const stop = () => {
        killGroup("SIGTERM");
        killTimer = setTimeout(() => killGroup("SIGKILL"), killGraceMs);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, ctx.timeoutMs);
      const onAbort = () => stop();
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      child.stdout.on("data", (chunk: Buffer) => output.add(chunk));
      child.stderr.on("data", (chunk: Buffer) => output.add(chunk));
      // A command that does not read its input is no error.
      child.stdin.on("error", () => undefined);
      child.stdin.end(JSON.stringify(facts));
      child.on("error", (error: NodeJS.ErrnoException) => {
        const missing = config.cwd !== undefined ? ` (or its working directory ${config.cwd} does not exist)` : " (looked up in the PATH the action gets when not a path)";
        const reason = error.code === "ENOENT" ? `${config.command}: no such program${missing}` : error.code === "EACCES" ? `${config.command}: not executable` : `${config.command} could not start: ${error.message}`;
        finish({ ok: false, retryable: false, error: redact(reason, secrets), output: output.text(secrets) });
      });
      child.on("close", (code, signal) => {
        // Whatever is left of its group goes with it.
        killGroup("SIGKILL");
        const text = output.text(secrets);
        if (timedOut) finish({ ok: false, retryable: true, timedOut: true, error: `${config.command} did not finish within ${ctx.timeoutMs} ms: killed`, output: text });
        else if (ctx.signal.aborted) finish({ ok: false, retryable: true, error: `${config.command} was stopped (Vigil is stopping)`, output: text });
        else if (code === 0) {
          const resynced = resyncedOfLastLine(text);
          finish({ ok: true, output: text, ...(resynced !== undefined ? { resynced } : {}) });
        }
        else if (code === retryExitCode) finish({ ok: false, retryable: true, error: `${config.command} exited with status ${code} (try again later)`, output: text });
        else if (code !== null) finish({ ok: false, retryable: false, error: `${config.command} exited with status ${code}`, output: text });
        else finish({ ok: false, retryable: false, error: `${config.command} was killed by ${signal ?? "a signal"}`, output: text });
      });
    });
  },
};
