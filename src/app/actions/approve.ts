import { roleAtMost } from "../../auth/roles.ts";
import type { VigilConfig } from "../../config/index.ts";
import type { Clock } from "../../core/clock.ts";
import { AppError } from "../../core/errors.ts";
import type { ActionApprovalDecision } from "../../store/schema.ts";
import type { ActionRunRow, Store, UserRole } from "../../store/types.ts";
import { subjectOf } from "./request.ts";

/** A decision about a run waiting for approval, and who makes it. */
export interface RunDecision {
  runId: string;
  decision: ActionApprovalDecision;
  comment: string | null;
  /** The timeline actor (`user:…` for a console session, `token:…` for a token). */
  actor: string;
  /** The person behind it, with the role they act as; null for a service token (which may not decide). */
  person: { id: string; role: UserRole | null } | null;
}

/**
 * Records an approval or a rejection of a run waiting for approval, with its timeline event, in one transaction that
 * holds the run's row (two decisions at once are counted one after the other). Approvals are counted per person: the
 * one who asked for the run may not approve it, and a person approves once. At the required count the run becomes
 * pending, due now, its deadline counted from now; one rejection makes it `rejected`. AppError forbidden (no person,
 * a role the approval does not list, the requester approving), not_found, or conflict (not waiting, decided already).
 */
export async function decideRun(deps: { store: Store; clock: Clock; config(): VigilConfig }, input: RunDecision): Promise<ActionRunRow> {
  const verb = input.decision;
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const run = await tx.actionRuns.holdWaiting(input.runId, now);
    if (run === undefined) {
      const row = await tx.actionRuns.get(input.runId);
      if (row === undefined) throw new AppError("not_found", `no action run with id ${input.runId}`);
      throw new AppError("conflict", `action run ${input.runId} is ${row.status.replace("_", " ")}: only a run waiting for approval can be ${verb}d`);
    }
    if (input.person === null) throw new AppError("forbidden", `a service token cannot ${verb} action runs: approvals are made by people (use a console session or a token that belongs to a user)`);
    const person = input.person;
    const approver = `user:${person.id}`;
    const approval = deps.config().actions.definitions.find((d) => d.id === run.actionId)?.approval;
    const roles = approval?.roles ?? ["responder"];
    if (person.role === null || !roles.some((role) => roleAtMost(role, person.role as UserRole))) {
      throw new AppError("forbidden", `action ${run.actionId} is approved by ${roles.join(" or ")} (or above); you act as ${person.role ?? "no role"}`);
    }
    if (input.decision === "approve" && run.requestedByUser === person.id) {
      throw new AppError("forbidden", `you asked for action run ${run.id}: another person must approve it (you may reject it)`);
    }
    const added = await tx.actionApprovals.add({ runId: run.id, approver, actor: input.actor, decision: input.decision, comment: input.comment, at: now });
    if (added === undefined) throw new AppError("conflict", `you already decided about action run ${run.id}`);
    // On the timeline the person decides (`user:<id>`); `via` is what they used (their session or one of their tokens).
    const base = { run: run.id, action: run.actionId, type: run.actionType, by: approver, via: input.actor, comment: input.comment };
    if (input.decision === "reject") {
      const rejected = await tx.actionRuns.update(run.id, { status: "rejected", nextAttemptAt: null, finishedAt: now, updatedAt: now });
      await tx.events.append({ at: now, kind: "action.rejected", subject: subjectOf(run), actor: approver, data: base });
      return rejected as ActionRunRow;
    }
    const approvals = (await tx.actionApprovals.list(run.id)).filter((a) => a.decision === "approve").length;
    await tx.events.append({ at: now, kind: "action.approved", subject: subjectOf(run), actor: approver, data: { ...base, approvals, required: run.approvalsRequired } });
    if (approvals < run.approvalsRequired) return run;
    // Approved: due now, with the whole of its deadline from now (not from the request, which may be long past).
    const deadlineAt = new Date(now.getTime() + (run.deadlineAt.getTime() - run.createdAt.getTime()));
    return (await tx.actionRuns.update(run.id, { status: "pending", nextAttemptAt: now, deadlineAt, updatedAt: now })) as ActionRunRow;
  });
}

/** Times out the runs whose approval did not come by `now` (`action.approval_timed_out`); returns them. */
export async function expireApprovals(store: Store, now: Date): Promise<ActionRunRow[]> {
  const expired: ActionRunRow[] = [];
  for (const waiting of await store.actionRuns.approvalsExpired(now, 100)) {
    const done = await store.transaction(async (tx) => {
      const run = await tx.actionRuns.holdWaiting(waiting.id, now);
      if (run === undefined) return undefined; // decided meanwhile
      const approvals = (await tx.actionApprovals.list(run.id)).filter((a) => a.decision === "approve").length;
      const error = `approval timed out with ${approvals} of ${run.approvalsRequired} approval${run.approvalsRequired === 1 ? "" : "s"}`;
      const row = await tx.actionRuns.update(run.id, { status: "timed_out", nextAttemptAt: null, lastError: error, finishedAt: now, updatedAt: now });
      await tx.events.append({ at: now, kind: "action.approval_timed_out", subject: subjectOf(run), actor: "system", data: { run: run.id, action: run.actionId, type: run.actionType, approvals, required: run.approvalsRequired, error } });
      return row;
    });
    if (done !== undefined) expired.push(done);
  }
  return expired;
}
