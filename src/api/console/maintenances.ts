/**
 * /manage/maintenances: every maintenance, and for roles with maintenances.write the form that schedules one and the
 * buttons that move or cancel one. Reads and writes go through the HTTP API as the signed-in user (kit.api).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { roleAllows } from "../../auth/roles.ts";
import type { Allowed, ConsoleKit } from "./kit.ts";
import { emptyMaintenanceForm, maintenancesPage, type MaintenanceForm, type MaintenanceItem } from "./maintenance-pages.ts";
import { fieldValues, idSegment, refusalOf, utcFromInput, type Refusal } from "./manage-forms.ts";

const here = "/manage/maintenances";

/** Registers the maintenances page and its forms. */
export function registerMaintenancePages(scope: FastifyInstance, kit: ConsoleKit): void {
  const show = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, status: number, extra: { form?: MaintenanceForm; refusal?: Refusal; notice?: string } = {}) => {
    const [list, catalog] = await Promise.all([
      kit.api<{ maintenances: MaintenanceItem[] }>(request, { method: "GET", url: "/api/v1/maintenances?limit=1000" }),
      kit.api<{ components: { id: string; name: string }[] }>(request, { method: "GET", url: "/api/v1/components" }),
    ]);
    const failed = list.status >= 400 ? list : catalog.status >= 400 ? catalog : undefined;
    return kit.page(
      reply,
      failed ? failed.status : status,
      maintenancesPage({
        chrome: allowed.chrome,
        items: list.json?.maintenances ?? [],
        components: catalog.json?.components ?? [],
        canWrite: roleAllows(allowed.user.role, "maintenances.write"),
        form: extra.form ?? emptyMaintenanceForm,
        ...(failed ? { refusal: refusalOf(failed) } : extra.refusal ? { refusal: extra.refusal } : {}),
        ...(extra.notice ? { notice: extra.notice } : {}),
      }),
    );
  };

  scope.get(here, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "read", here);
    return allowed ? show(request, reply, allowed, 200) : reply;
  });

  scope.post(here, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "maintenances.write", here);
    if (!allowed) return reply;
    const form: MaintenanceForm = {
      name: kit.field(request.body, "name"),
      body: kit.field(request.body, "body"),
      components: fieldValues(request.body, "components"),
      from: kit.field(request.body, "from"),
      until: kit.field(request.body, "until"),
    };
    const body = form.body.trim();
    const answer = await kit.api<MaintenanceItem>(request, {
      method: "POST",
      url: "/api/v1/maintenances",
      body: { name: form.name, ...(body === "" ? {} : { body }), components: form.components, scheduled_for: utcFromInput(form.from), scheduled_until: utcFromInput(form.until) },
    });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { form, refusal: refusalOf(answer) });
    return show(request, reply, allowed, 200, { notice: `Scheduled: ${answer.json.name}.` });
  });

  scope.post(`${here}/:id/status`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "maintenances.write", here);
    if (!allowed) return reply;
    const { id } = request.params as { id: string };
    const answer = await kit.api<MaintenanceItem>(request, { method: "POST", url: `/api/v1/maintenances/${idSegment(id)}/status`, body: { status: kit.field(request.body, "status") } });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { refusal: refusalOf(answer) });
    return show(request, reply, allowed, 200, { notice: `${answer.json.name} is ${answer.json.status.replace("_", " ")}.` });
  });

  scope.post(`${here}/:id/cancel`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "maintenances.write", here);
    if (!allowed) return reply;
    const { id } = request.params as { id: string };
    const answer = await kit.api<MaintenanceItem>(request, { method: "POST", url: `/api/v1/maintenances/${idSegment(id)}/cancel` });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { refusal: refusalOf(answer) });
    return show(request, reply, allowed, 200, { notice: `${answer.json.name} is cancelled.` });
  });
}
