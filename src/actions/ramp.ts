/**
 * The `ramp` action: a recovery in steps. Each step asks for a run of another action (scale to 25 %, with the
 * step's `with` values), waits for it to succeed, then waits until the health gate holds for the watched components
 * (src/actions/ramp-gate.ts) before the next step. When a step's run fails, or the gate fails (the database restarts
 * again, a component is down again, or the gate does not hold in time), the ramp asks for its `on_abort` run and
 * fails. Steps, gates and the abort are on the timeline; the ramp's progress is read back from there, so a ramp
 * taken over by another leader goes on where it was (a step's run is asked for once per ramp run and step).
 */
import * as z from "zod";
import { id, strictMap } from "../config/fields.ts";
import { GateConfig, gateOf, judgeGate } from "./ramp-gate.ts";
import type { ActionFacts, ActionPlugin, ActionResult, ActionRunStatus, RampPort } from "./types.ts";

// A command reads each value as VIGIL_STEP_<NAME>, beside VIGIL_STEP_NUMBER and VIGIL_STEP_OF.
const stepValues = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .superRefine((values, ctx) => {
    for (const name of Object.keys(values)) {
      if (!/^[a-z][a-z0-9_]*$/i.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "expected a name of letters, digits and _, such as replicas" });
      else if (["number", "of"].includes(name.toLowerCase())) ctx.addIssue({ code: "custom", path: [name], message: "number and of are the step's own (VIGIL_STEP_NUMBER, VIGIL_STEP_OF): choose another name" });
    }
  })
  .default({});

/** An action a ramp asks for: its id, and the values it is given (`step.with` in a webhook's body, `VIGIL_STEP_<NAME>` for a command). */
const stepRun = { run: id, with: stepValues };

/** The keys of a `ramp` action. */
export const RampActionConfig = strictMap({
  /** The components whose health gates each step (default: the incident's root components). */
  components: z.array(id).min(1).optional(),
  /** The gate after every step, unless a step sets its own keys. */
  gate: GateConfig.optional(),
  steps: z.array(strictMap({ ...stepRun, gate: GateConfig.optional() })).min(1).max(20),
  /** Asked for when the ramp aborts (scale back down, say). */
  on_abort: strictMap(stepRun).optional(),
});
export type RampActionConfig = z.output<typeof RampActionConfig>;

/** How often a ramp looks at its step's run and its gate. */
export const rampPollMs = 1_000;
/** How far before the ramp's start its gate reads results. */
const healthLookbackMs = 60_000;

const over: readonly ActionRunStatus[] = ["succeeded", "failed", "timed_out", "cancelled", "rejected"];

/**
 * Runs a ramp to its end from where its events say it is: succeeded when every step's gate held, failed (not to be
 * retried) when it aborted. A stop of the runner (the signal aborted, not by a timeout) leaves it to be taken up again.
 */
export async function driveRamp(config: RampActionConfig, facts: ActionFacts, port: RampPort, signal: AbortSignal): Promise<ActionResult> {
  const of = config.steps.length;
  const components = config.components ?? facts.incident?.root_components ?? [];
  if (components.length === 0) return { ok: false, retryable: false, error: "a ramp watches components: set its components, or run it for an incident with a root component" };
  const events = await port.events();
  const aborted = events.find((e) => e.kind === "action.ramp_aborted");
  if (aborted) return { ok: false, retryable: false, error: abortText(aborted.data) };
  const started = new Set(events.filter((e) => e.kind === "action.ramp_step_started").map((e) => e.data["step"]));
  const passed = Math.max(0, ...events.filter((e) => e.kind === "action.ramp_gate_passed").map((e) => Number(e.data["step"])));
  // Stopped between asking for its on_abort run and recording why: it aborted, and goes no further.
  const undone = config.on_abort === undefined ? undefined : await port.abortRun();
  if (undone !== undefined) {
    const data = { step: passed + 1, of, reason: "it was aborting when its leader stopped", on_abort_action: config.on_abort!.run, on_abort_run: undone.id };
    await port.record("action.ramp_aborted", data);
    return { ok: false, retryable: false, error: abortText(data) };
  }
  const rampStartedAt = events.find((e) => e.kind === "action.ramp_step_started")?.at.getTime() ?? port.now();

  const abort = async (step: number, reason: string): Promise<ActionResult> => {
    const undo = config.on_abort === undefined ? undefined : await port.requestStep(null, of, config.on_abort);
    const data = { step, of, reason, on_abort_action: config.on_abort?.run ?? null, on_abort_run: undo?.id ?? null };
    await port.record("action.ramp_aborted", data);
    return { ok: false, retryable: false, error: abortText(data) };
  };
  let shown = "";
  const note = async (text: string) => {
    if (text === shown) return;
    shown = text;
    await port.note(text);
  };
  const judge = async (step: number, gateStartedAt: number) => {
    const spec = config.steps[step - 1]!;
    // A minute before the ramp began: the facts of a server that has not been checked since the step are known at once.
    const health = await port.health(components, rampStartedAt - healthLookbackMs);
    return judgeGate(gateOf(config.gate, spec.gate), { now: port.now(), rampStartedAt, gateStartedAt, components, ...health });
  };

  let step = passed + 1;
  try {
    for (; step <= of; step++) {
      const spec = config.steps[step - 1]!;
      let run = await port.requestStep(step, of, spec);
      if (!started.has(step)) await port.record("action.ramp_step_started", { step, of, step_action: spec.run, step_run: run.id, with: spec.with });
      await note(`step ${step} of ${of}: ${spec.run} (${run.id}) under way`);
      // The step's run, while the components are watched: a crash meanwhile aborts without waiting for the run.
      while (!over.includes(run.status)) {
        const verdict = await judge(step, port.now());
        if (verdict.kind === "fails") return await abort(step, verdict.reason);
        await port.sleep(rampPollMs, signal);
        run = (await port.run(run.id)) ?? { ...run, status: "cancelled", lastError: "the run is gone" };
      }
      if (run.status !== "succeeded") return await abort(step, `step ${step}'s run of ${spec.run} (${run.id}) ${run.status.replace("_", " ")}${run.lastError === null ? "" : `: ${run.lastError}`}`);
      const gateStartedAt = run.finishedAt?.getTime() ?? port.now();
      for (;;) {
        const verdict = await judge(step, gateStartedAt);
        if (verdict.kind === "holds") {
          await port.record("action.ramp_gate_passed", { step, of, summary: verdict.summary, waited_ms: port.now() - gateStartedAt });
          break;
        }
        if (verdict.kind === "fails") return await abort(step, verdict.reason);
        await note(`step ${step} of ${of}: waiting for the gate: ${verdict.reason}`);
        await port.sleep(rampPollMs, signal);
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
    // The deadline: the ramp is over, undone. A stop: the next leader takes it up where it was.
    if (signal.reason instanceof DOMException && signal.reason.name === "TimeoutError") return await abort(step, "the ramp's deadline came");
    return { ok: false, retryable: true, error: "stopped before the ramp ended" };
  }
  return { ok: true, output: `${of} step${of === 1 ? "" : "s"}, every gate held` };
}

/** A ramp's abort in words, from its event's data. */
export function abortText(data: Record<string, unknown>): string {
  const undo = typeof data["on_abort_run"] === "string" ? `; ${String(data["on_abort_action"])} asked for (${data["on_abort_run"]})` : "";
  return `aborted at step ${String(data["step"])} of ${String(data["of"])}: ${String(data["reason"])}${undo}`;
}

/** The `ramp` plugin: the runner gives it its port (ctx.ramp) and lets its attempt last until the run's deadline. */
export const rampAction: ActionPlugin<RampActionConfig> = {
  type: "ramp",
  configSchema: RampActionConfig,
  secrets: () => [],
  run: async (config, facts, ctx) => (ctx.ramp === undefined ? { ok: false, retryable: false, error: "a ramp runs only in Vigil's action runner" } : driveRamp(config, facts, ctx.ramp, ctx.signal)),
};
