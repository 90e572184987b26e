/**
 * Runbook actions: what Vigil does, rather than tells, during an incident (call a webhook, run a command). One plugin
 * per type, in a registry like the notification channels'; the runner (src/app/actions/runner.ts) attempts a run
 * until it succeeds, fails for good or reaches its deadline, with the same idempotency key every time.
 */
import type * as z from "zod";
import type { IncidentJson } from "../incidents/incident-json.ts";
import type { ActionStepValue, ActionRunStatus as StoredRunStatus } from "../store/schema.ts";
import type { GateInput } from "./ramp-gate.ts";

/** A run's statuses, as the API and the CLI name them. */
export const actionRunStatuses = ["waiting_approval", "pending", "running", "succeeded", "failed", "timed_out", "cancelled", "rejected"] as const;
export type ActionRunStatus = (typeof actionRunStatuses)[number];
// The store's column takes the same statuses: this fails to compile when the two lists part.
export const storedStatusesMatch: [StoredRunStatus] extends [ActionRunStatus] ? ([ActionRunStatus] extends [StoredRunStatus] ? true : never) : never = true;

/** A component as an action is told of it. */
export interface ActionComponent {
  id: string;
  name: string;
  status: string;
}

/** An outage window of one component, as an action is told of it (ISO 8601 instants). */
export interface ActionWindow {
  component: string;
  start: string;
  earliest_possible_start: string | null;
  confirmed_start: string;
  end: string | null;
  worst: string;
}

/** The one outage window a run is asked for (a reconciliation's): its id (`<component>@<start>`) and its incidents too. */
export type ActionRunWindow = ActionWindow & { id: string; incidents: string[] };

/**
 * What an action is told: the run, the window it is asked for (if any), and the incident it runs for with its
 * components, windows and evidence.
 */
export interface ActionFacts {
  run: { id: string; action: string; idempotency_key: string; attempt: number; requested_by: string };
  /**
   * The window the run is asked for (`params.window`: by a `window.closed` trigger, or by hand with `window`), with
   * its exact bounds as the incident engine knows them now; null for a run asked for no window, or whose window the
   * recorded history no longer shows.
   */
  window: ActionRunWindow | null;
  /** The incident as webhook channels describe it, with its public page. */
  incident: (IncidentJson & { url: string | null }) | null;
  components: ActionComponent[];
  windows: ActionWindow[];
  evidence: { component: string; kind: string; text: string }[];
  /** The ramp step that asked for the run: the ramp, its run, the step's number from 1 (null: the ramp's on_abort), how many, its values. */
  step: { ramp: string; ramp_run: string; number: number | null; of: number; with: Record<string, ActionStepValue> } | null;
}

/** What one attempt came to: done, or failed and whether another attempt may help. `output` is redacted and capped. */
export type ActionResult =
  | { ok: true; output: string; /** How many records the action said it resynced (see src/actions/resynced.ts). */ resynced?: number }
  | { ok: false; retryable: boolean; error: string; output?: string; retryAfterMs?: number; timedOut?: boolean };

/** What an attempt gets besides the facts: its deadline, the time, and fetch. */
export interface ActionContext {
  /** Aborted at the attempt's timeout (or when the runner stops). */
  signal: AbortSignal;
  /** The attempt's timeout in milliseconds (an `exec` command is killed when it runs longer). */
  timeoutMs: number;
  now: () => Date;
  fetch: typeof fetch;
  /** What a `ramp` reads and does (given by the runner to ramps only). */
  ramp?: RampPort;
}

/** The timeline events of a ramp, each with its run's id in `data.run`. */
export const rampEventKinds = ["action.ramp_step_started", "action.ramp_gate_passed", "action.ramp_aborted"] as const;
export type RampEventKind = (typeof rampEventKinds)[number];

/** A run a ramp asked for, as the ramp reads it. */
export interface RampChildRun {
  id: string;
  status: StoredRunStatus;
  finishedAt: Date | null;
  lastError: string | null;
}

/** What a ramp reads and does, given by the runner (src/app/actions/ramp-port.ts). */
export interface RampPort {
  now(): number;
  /** This ramp run's events so far, oldest first. */
  events(): Promise<{ kind: string; at: Date; data: Record<string, unknown> }[]>;
  /** Asks for a step's run (`number` null: the `on_abort` run); asked again for the same step, the same run comes back. */
  requestStep(number: number | null, of: number, step: { run: string; with: Record<string, ActionStepValue> }): Promise<RampChildRun>;
  run(id: string): Promise<RampChildRun | undefined>;
  /** The `on_abort` run this ramp asked for, if it did. */
  abortRun(): Promise<RampChildRun | undefined>;
  /** The watched components' monitors with their results since `from`, and the components' confirmed statuses. */
  health(components: readonly string[], from: number): Promise<Pick<GateInput, "monitors" | "statuses">>;
  record(kind: RampEventKind, data: Record<string, unknown>): Promise<void>;
  /** Shows where the ramp is (the run's output while it runs): the step under way, or what its gate waits for. */
  note(text: string): Promise<void>;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}


/**
 * An action type. Its `configSchema` checks the type's own keys (not the common `id`, `type`, `timeout` and
 * `deadline`); `secrets` lists the values never to show (in output, errors, logs); `run` never throws for a failed
 * attempt.
 */
export interface ActionPlugin<Cfg> {
  type: string;
  configSchema: z.ZodType<Cfg>;
  secrets(config: Cfg): string[];
  run(config: Cfg, facts: ActionFacts, ctx: ActionContext): Promise<ActionResult>;
}

/** The most of an attempt's output kept (on the run and its timeline event). */
export const maxOutputBytes = 16 * 1024;
