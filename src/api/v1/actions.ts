import { z } from "zod";
import { actionRunStatuses } from "../../actions/types.ts";
import { actorOf } from "../../auth/authenticate.ts";
import { windowRun } from "../../app/actions/window.ts";
import { AppError } from "../../core/errors.ts";
import type { ActionRunRow } from "../../store/types.ts";
import type { ApiDeps } from "../deps.ts";
import { defineRoute } from "../route.ts";

const runView = z.object({
  id: z.string(),
  action: z.string(),
  type: z.string(),
  incident: z.string().nullable(),
  idempotency_key: z.string(),
  status: z.enum(actionRunStatuses),
  attempts: z.number().int(),
  next_attempt_at: z.string().nullable(),
  deadline_at: z.string(),
  requested_by: z.string(),
  approvals_required: z.number().int(),
  approval_timeout_at: z.string().nullable(),
  /** A reconciliation's window, or the ramp step that asked for the run (null for neither). */
  params: z
    .object({
      window: z.object({ component: z.string(), start: z.string() }).optional(),
      step: z.object({ ramp_run: z.string(), ramp: z.string(), number: z.number().int().nullable(), of: z.number().int(), with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) }).optional(),
    })
    .nullable(),
  output: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

/** A run as the API shows it. */
function runOf(row: ActionRunRow): z.infer<typeof runView> {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    id: row.id,
    action: row.actionId,
    type: row.actionType,
    incident: row.incidentId,
    idempotency_key: row.idempotencyKey,
    status: row.status,
    attempts: row.attempts,
    // A run that is over has nothing due.
    next_attempt_at: row.status === "pending" ? iso(row.nextAttemptAt) : null,
    deadline_at: row.deadlineAt.toISOString(),
    requested_by: row.requestedBy,
    approvals_required: row.approvalsRequired,
    approval_timeout_at: iso(row.approvalDeadlineAt),
    params: row.params,
    output: row.output,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
  };
}

/** Runbook actions: the configured ones, runs asked for by hand, and every run with its status and output. */
export function actionRoutes(deps: ApiDeps) {
  const id = z.string().min(1).max(200);
  return [
    defineRoute({
      method: "GET",
      url: "/api/v1/actions",
      operationId: "listActions",
      summary: "The runbook actions configured (actions.definitions): id and type",
      tag: "actions",
      auth: "read",
      response: z.object({ actions: z.array(z.object({ id: z.string(), type: z.string() })) }),
      handler: async () => ({ actions: deps.actions?.definitions() ?? [] }),
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/actions/runs",
      operationId: "runAction",
      errors: ["not_found", "conflict"],
      summary:
        "Run an action now, for an incident or none, or for a closed outage window (its id, as GET /api/v1/windows shows it: the run is told the window, and is for the window's first incident unless incident is given; 404 for no such window, 409 for one still open): the run is recorded pending (or waiting_approval, for an action with approval) and attempted by the leader, with retries until its deadline, each attempt with the run's idempotency key",
      tag: "actions",
      auth: "actions.run",
      status: 201,
      body: z.strictObject({ action: id, incident: id.nullable().optional(), window: z.string().min(1).max(300).optional() }),
      response: runView,
      handler: async ({ body, principal }) => {
        if (deps.actions === undefined) throw new AppError("not_found", `no action has the id "${body.action}" (none is configured)`);
        // A window is checked before the run is recorded: it must be over (a replay of a past window is asked for on purpose, and runs each time).
        const asked = body.window === undefined ? undefined : await windowRun((query) => deps.incidents.windows(query), body.window, body.incident ?? null);
        const request = { actionId: body.action, incidentId: asked?.incidentId ?? body.incident ?? null, actor: actorOf(principal), user: principal?.user?.id ?? null };
        return runOf(await deps.actions.request(asked === undefined ? request : { ...request, params: asked.params }));
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/v1/actions/runs",
      operationId: "listActionRuns",
      summary: "Runs of actions, newest first, by incident, action and status",
      tag: "actions",
      auth: "read",
      query: z.strictObject({ incident: id.optional(), action: id.optional(), status: z.enum(actionRunStatuses).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }),
      response: z.object({ runs: z.array(runView) }),
      handler: async ({ query }) => {
        const rows = await deps.store.actionRuns.list({
          ...(query.incident !== undefined ? { incidentId: query.incident } : {}),
          ...(query.action !== undefined ? { actionId: query.action } : {}),
          ...(query.status !== undefined ? { status: query.status } : {}),
          limit: query.limit ?? 100,
        });
        return { runs: rows.map(runOf) };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/api/v1/actions/runs/:id/cancel",
      operationId: "cancelActionRun",
      errors: ["not_found", "conflict"],
      summary: "Cancel a run that is not over: a pending one or one waiting for approval is not attempted (again); a running one's attempt is aborted by the leader within a second (an exec command killed, a webhook request cut short) and no outcome is recorded; a run that is over cannot be cancelled (409)",
      tag: "actions",
      auth: "actions.run",
      params: z.object({ id }),
      response: runView,
      handler: async ({ params, principal }) => {
        if (deps.actions === undefined) throw new AppError("not_found", `no action run with id ${params.id}`);
        return runOf(await deps.actions.cancel(params.id, actorOf(principal)));
      },
    }),
    ...(["approve", "reject"] as const).map((decision) =>
      defineRoute({
        method: "POST",
        url: `/api/v1/actions/runs/:id/${decision}`,
        operationId: decision === "approve" ? "approveActionRun" : "rejectActionRun",
        errors: ["not_found", "conflict", "forbidden"],
        summary:
          decision === "approve"
            ? "Approve a run waiting for approval, as a person (a console session or a user's token; not a service token) whose role the action's approval lists, or above; the requester's own approval is refused; at the required count of distinct people it becomes pending"
            : "Reject a run waiting for approval, as a person whose role the action's approval lists, or above (the requester may): it becomes rejected and never runs",
        tag: "actions",
        auth: "actions.approve",
        params: z.object({ id }),
        body: z.strictObject({ comment: z.string().max(2000).nullable().optional() }).optional(),
        response: runView,
        handler: async ({ params, body, principal }) => {
          if (deps.actions === undefined) throw new AppError("not_found", `no action run with id ${params.id}`);
          const person = principal?.user === undefined ? null : { id: principal.user.id, role: principal.role };
          return runOf(await deps.actions.decide({ runId: params.id, decision, comment: body?.comment ?? null, actor: actorOf(principal), person }));
        },
      }),
    ),
    defineRoute({
      method: "GET",
      url: "/api/v1/actions/runs/:id",
      operationId: "getActionRun",
      errors: ["not_found"],
      summary: "One run of an action: its status, attempts, next attempt, deadline and the last attempt's output",
      tag: "actions",
      auth: "read",
      params: z.object({ id }),
      response: runView,
      handler: async ({ params }) => {
        const row = await deps.store.actionRuns.get(params.id);
        if (row === undefined) throw new AppError("not_found", `no action run with id ${params.id}`);
        return runOf(row);
      },
    }),
  ];
}
