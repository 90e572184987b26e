/**
 * /manage/maintenances: every maintenance, and for roles with maintenances.write the form that schedules one, the
 * buttons that move or cancel one, and /manage/maintenances/:id, the form that edits one. Reads and writes go through the HTTP API as the signed-in user (kit.api).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { roleAllows } from "../../auth/roles.ts";
import type { Allowed, ConsoleKit } from "./kit.ts";
import { emptyMaintenanceForm, maintenanceEditPage, maintenanceFormOf, maintenancesPage, type MaintenanceForm, type MaintenanceItem } from "./maintenance-pages.ts";
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

  const typed = (request: FastifyRequest): MaintenanceForm => ({
    name: kit.field(request.body, "name"),
    body: kit.field(request.body, "body"),
    components: fieldValues(request.body, "components"),
    from: kit.field(request.body, "from"),
    until: kit.field(request.body, "until"),
  });
  /** The edit form of maintenance `id`: as stored, or `form` as typed with the API's refusal. */
  const showEdit = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, id: string, status: number, extra: { form?: MaintenanceForm; refusal?: Refusal } = {}) => {
    const [one, catalog] = await Promise.all([
      kit.api<MaintenanceItem>(request, { method: "GET", url: `/api/v1/maintenances/${idSegment(id)}` }),
      kit.api<{ components: { id: string; name: string }[] }>(request, { method: "GET", url: "/api/v1/components" }),
    ]);
    const failed = one.status >= 400 ? one : catalog.status >= 400 ? catalog : undefined;
    if (failed) return show(request, reply, allowed, failed.status, { refusal: refusalOf(failed) });
    const page = maintenanceEditPage({ chrome: allowed.chrome, id, components: catalog.json.components, form: extra.form ?? maintenanceFormOf(one.json), ...(extra.refusal ? { refusal: extra.refusal } : {}) });
    return kit.page(reply, status, page);
  };

  scope.post(here, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "maintenances.write", here);
    if (!allowed) return reply;
    const form = typed(request);
    const body = form.body.trim();
    const answer = await kit.api<MaintenanceItem>(request, {
      method: "POST",
      url: "/api/v1/maintenances",
      body: { name: form.name, ...(body === "" ? {} : { body }), components: form.components, scheduled_for: utcFromInput(form.from), scheduled_until: utcFromInput(form.until) },
    });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { form, refusal: refusalOf(answer) });
    return show(request, reply, allowed, 200, { notice: `Scheduled: ${answer.json.name}.` });
  });

  scope.get(`${here}/:id`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "maintenances.write", here);
    if (!allowed) return reply;
    return showEdit(request, reply, allowed, (request.params as { id: string }).id, 200);
  });

  scope.post(`${here}/:id`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "maintenances.write", here);
    if (!allowed) return reply;
    const { id } = request.params as { id: string };
    const form = typed(request);
    const body = form.body.trim();
    const answer = await kit.api<MaintenanceItem>(request, {
      method: "PATCH",
      url: `/api/v1/maintenances/${idSegment(id)}`,
      // An emptied text goes back to the default, as when scheduled without one.
      body: { name: form.name, body: body === "" ? null : body, components: form.components, scheduled_for: utcFromInput(form.from), scheduled_until: utcFromInput(form.until) },
    });
    if (answer.status >= 400) return showEdit(request, reply, allowed, id, answer.status, { form, refusal: refusalOf(answer) });
    return show(request, reply, allowed, 200, { notice: `Saved: ${answer.json.name}.` });
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
