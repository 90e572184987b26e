import { randomBytes } from "node:crypto";
import type { VigilConfig } from "../../config/index.ts";
import type { Clock } from "../../core/clock.ts";
import { AppError } from "../../core/errors.ts";
import type { ActionRunParams } from "../../store/schema.ts";
import type { ActionRunRow, Store } from "../../store/types.ts";

/** What a run asks for. */
export interface RunRequest {
  actionId: string;
  incidentId: string | null;
  actor: string;
  /** The console user behind the request (a session or a token of theirs); absent for a service token or Vigil. */
  user?: string | null;
  /** A trigger's key (`trigger:…`, see src/actions/triggers.ts); by default `action:<run id>`, unique to the run. */
  idempotencyKey?: string;
  /** Why the run was asked for (a trigger: its event and the timeline event that fired it), on `action.run_requested`. */
  reason?: Record<string, unknown>;
  /** A reconciliation's window, a ramp's step (see ActionRunParams). */
  params?: ActionRunParams;
}

/**
 * Records a run of a configured action, pending and due now, with its idempotency key and its deadline, and
 * `action.run_requested` on the incident's timeline, in one transaction. An action with `approval` is recorded
 * `waiting_approval` instead, until its approval timeout, with `action.approval_requested` too (its deadline then
 * counts from its approval). AppError not_found for an unknown action or incident. With an idempotency key another
 * run already has (a trigger's), that run is returned and nothing is recorded.
 */
export async function requestRun(deps: { store: Store; clock: Clock; config(): VigilConfig }, request: RunRequest): Promise<ActionRunRow> {
  const definition = deps.config().actions.definitions.find((d) => d.id === request.actionId);
  if (definition === undefined) throw new AppError("not_found", `no action has the id "${request.actionId}" (see actions.definitions in the configuration)`);
  if (request.incidentId !== null && (await deps.store.incidents.get(request.incidentId)) === undefined) throw new AppError("not_found", `no incident with id ${request.incidentId}`);
  const now = deps.clock.now();
  const id = `run_${randomBytes(8).toString("hex")}`;
  const approval = definition.approval;
  const row: ActionRunRow = {
    id,
    actionId: definition.id,
    actionType: definition.type,
    incidentId: request.incidentId,
    idempotencyKey: request.idempotencyKey ?? `action:${id}`,
    status: approval === undefined ? "pending" : "waiting_approval",
    attempts: 0,
    nextAttemptAt: approval === undefined ? now : null,
    deadlineAt: new Date(now.getTime() + definition.deadline),
    requestedBy: request.actor,
    requestedByUser: request.user ?? null,
    approvalsRequired: approval?.required ?? 0,
    approvalDeadlineAt: approval === undefined ? null : new Date(now.getTime() + approval.timeout),
    params: request.params ?? null,
    output: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: null,
  };
  return deps.store.transaction(async (tx) => {
    const created = await tx.actionRuns.create(row);
    if (created.id !== row.id) return created;
    await tx.events.append({ at: now, kind: "action.run_requested", subject: subjectOf(created), actor: request.actor, data: { run: created.id, action: created.actionId, type: created.actionType, ...(request.reason ? { reason: request.reason } : {}), ...(created.params?.window ? { window: created.params.window } : {}) } });
    if (approval !== undefined) {
      await tx.events.append({
        at: now,
        kind: "action.approval_requested",
        subject: subjectOf(created),
        actor: "system",
        data: { run: created.id, action: created.actionId, type: created.actionType, required: approval.required, roles: approval.roles, timeout_at: created.approvalDeadlineAt?.toISOString() ?? null, approve: `/api/v1/actions/runs/${created.id}/approve` },
      });
    }
    return created;
  });
}

/** A run's events go on its incident's timeline, else under the run's own id. */
export function subjectOf(run: ActionRunRow): string {
  return run.incidentId ?? run.id;
}

/**
 * Cancels a run that is not over, with `action.run_cancelled` on its timeline (`while_running` when an attempt was
 * under way: the runner holding it aborts it within a second, and records no outcome), in one transaction.
 * AppError not_found for an unknown run, conflict for one that is over.
 */
export async function cancelRun(deps: { store: Store; clock: Clock }, runId: string, actor: string): Promise<ActionRunRow> {
  const now = deps.clock.now();
  const cancelled = await deps.store.transaction(async (tx) => {
    const before = await tx.actionRuns.get(runId);
    const row = await tx.actionRuns.cancel(runId, now);
    if (row !== undefined) {
      const data = { run: row.id, action: row.actionId, type: row.actionType, attempts: row.attempts, ...(before?.status === "running" ? { while_running: true } : {}) };
      await tx.events.append({ at: now, kind: "action.run_cancelled", subject: subjectOf(row), actor, data });
    }
    return row;
  });
  if (cancelled !== undefined) return cancelled;
  const row = await deps.store.actionRuns.get(runId);
  if (row === undefined) throw new AppError("not_found", `no action run with id ${runId}`);
  throw new AppError("conflict", `action run ${runId} is ${row.status.replace("_", " ")}: a run that is over cannot be cancelled`);
}
