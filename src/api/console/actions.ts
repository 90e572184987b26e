/**
 * /manage/actions: the runbook actions and their runs; responders and above run an action, approve or reject a run
 * waiting for approval, and cancel one not yet attempted. Reads and writes go through the HTTP API as the signed-in
 * user (kit.api), which enforces who may approve (people only, never the run's requester).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { roleAllows } from "../../auth/roles.ts";
import { actionsPage, type RunItem } from "./action-pages.ts";
import type { Allowed, ConsoleKit } from "./kit.ts";
import { idSegment, refusalOf, type Refusal } from "./manage-forms.ts";

const here = "/manage/actions";

/** Registers the actions page and its forms. */
export function registerActionPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const show = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, status: number, extra: { refusal?: Refusal; notice?: string; incident?: string } = {}) => {
    const [actions, runs] = await Promise.all([
      kit.api<{ actions: { id: string; type: string }[] }>(request, { method: "GET", url: "/api/v1/actions" }),
      kit.api<{ runs: RunItem[] }>(request, { method: "GET", url: "/api/v1/actions/runs?limit=100" }),
    ]);
    const failed = actions.status >= 400 ? actions : runs.status >= 400 ? runs : undefined;
    const role = allowed.user.role;
    return kit.page(
      reply,
      failed ? failed.status : status,
      actionsPage({
        chrome: allowed.chrome,
        actions: actions.json?.actions ?? [],
        runs: runs.json?.runs ?? [],
        rights: { run: roleAllows(role, "actions.run"), approve: roleAllows(role, "actions.approve") },
        incident: extra.incident ?? "",
        ...(failed ? { refusal: refusalOf(failed) } : extra.refusal ? { refusal: extra.refusal } : {}),
        ...(extra.notice ? { notice: extra.notice } : {}),
      }),
    );
  };

  scope.get(here, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "read", here);
    return allowed ? show(request, reply, allowed, 200, { incident: kit.field(request.query, "incident").slice(0, 200) }) : reply;
  });

  scope.post(`${here}/runs`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "actions.run", here);
    if (!allowed) return reply;
    const incident = kit.field(request.body, "incident").trim();
    const answer = await kit.api<RunItem>(request, { method: "POST", url: "/api/v1/actions/runs", body: { action: kit.field(request.body, "action"), ...(incident === "" ? {} : { incident }) } });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { refusal: refusalOf(answer), incident });
    const run = answer.json;
    return show(request, reply, allowed, 200, { notice: run.status === "waiting_approval" ? `${run.action} waits for ${run.approvals_required} approval${run.approvals_required === 1 ? "" : "s"} (run ${run.id}).` : `${run.action} is running (run ${run.id}).` });
  });

  const decisions = { approve: "actions.approve", reject: "actions.approve", cancel: "actions.run" } as const;
  for (const [decision, action] of Object.entries(decisions) as [keyof typeof decisions, (typeof decisions)[keyof typeof decisions]][]) {
    scope.post(`${here}/runs/:id/${decision}`, async (request, reply) => {
      const allowed = await kit.allowed(request, reply, action, here);
      if (!allowed) return reply;
      const { id } = request.params as { id: string };
      const answer = await kit.api<RunItem>(request, { method: "POST", url: `/api/v1/actions/runs/${idSegment(id)}/${decision}`, ...(decision === "cancel" ? {} : { body: {} }) });
      if (answer.status >= 400) return show(request, reply, allowed, answer.status, { refusal: refusalOf(answer) });
      return show(request, reply, allowed, 200, { notice: `Run ${answer.json.id} of ${answer.json.action} is ${answer.json.status.replaceAll("_", " ")}.` });
    });
  }
}
