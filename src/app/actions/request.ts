import { randomBytes } from "node:crypto";
import type { VigilConfig } from "../../config/index.ts";
import type { Clock } from "../../core/clock.ts";
import { AppError } from "../../core/errors.ts";
import type { ActionRunRow, Store } from "../../store/types.ts";

/** What a run asks for. */
export interface RunRequest {
  actionId: string;
  incidentId: string | null;
  actor: string;
  /** A trigger's key (`trigger:…`, see src/actions/triggers.ts); by default `action:<run id>`, unique to the run. */
  idempotencyKey?: string;
  /** Why the run was asked for (a trigger: its event and the timeline event that fired it), on `action.run_requested`. */
  reason?: Record<string, unknown>;
}

/**
 * Records a run of a configured action, pending and due now, with its idempotency key and its deadline, and
 * `action.run_requested` on the incident's timeline, in one transaction. AppError not_found for an unknown action or
 * incident. With an idempotency key another run already has, that run is returned and nothing is recorded.
 */
export async function requestRun(deps: { store: Store; clock: Clock; config(): VigilConfig }, request: RunRequest): Promise<ActionRunRow> {
  const definition = deps.config().actions.definitions.find((d) => d.id === request.actionId);
  if (definition === undefined) throw new AppError("not_found", `no action has the id "${request.actionId}" (see actions.definitions in the configuration)`);
  if (request.incidentId !== null && (await deps.store.incidents.get(request.incidentId)) === undefined) throw new AppError("not_found", `no incident with id ${request.incidentId}`);
  const now = deps.clock.now();
  const id = `run_${randomBytes(8).toString("hex")}`;
  const row: ActionRunRow = {
    id,
    actionId: definition.id,
    actionType: definition.type,
    incidentId: request.incidentId,
    idempotencyKey: request.idempotencyKey ?? `action:${id}`,
    status: "pending",
    attempts: 0,
    nextAttemptAt: now,
    deadlineAt: new Date(now.getTime() + definition.deadline),
    requestedBy: request.actor,
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
    await tx.events.append({ at: now, kind: "action.run_requested", subject: subjectOf(created), actor: request.actor, data: { run: created.id, action: created.actionId, type: created.actionType, ...(request.reason ? { reason: request.reason } : {}) } });
    return created;
  });
}

/** A run's events go on its incident's timeline, else under the run's own id. */
export function subjectOf(run: ActionRunRow): string {
  return run.incidentId ?? run.id;
}
