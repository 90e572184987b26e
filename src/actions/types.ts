/**
 * Runbook actions: what Vigil does, rather than tells, during an incident (call a webhook, run a command). One plugin
 * per type, in a registry like the notification channels'; the runner (src/app/actions/runner.ts) attempts a run
 * until it succeeds, fails for good or reaches its deadline, with the same idempotency key every time.
 */
import type * as z from "zod";
import type { IncidentJson } from "../incidents/incident-json.ts";
import type { ActionRunStatus as StoredRunStatus } from "../store/schema.ts";

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
