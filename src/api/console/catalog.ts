/**
 * /manage/catalog: every component and monitor, and for roles with catalog.write the forms that add one to the
 * database and edit or remove those kept there. Reads and writes go through the HTTP API as the signed-in user
 * (kit.api), which validates an entry with the whole configuration and applies it at once.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { roleAllows } from "../../auth/roles.ts";
import { monitorTypeNames, type MonitorType } from "../../probes/registry.ts";
import { allFields, componentKeys, entryOf, monitorKeys, patchOf, shownValues, type CatalogKeys, type FieldProblem, type Submitted } from "./catalog-form.ts";
import { catalogPage, catalogPath, entryFormPage, type ComponentItem, type EntryFormInput, type MonitorItem } from "./catalog-pages.ts";
import type { Allowed, ConsoleKit } from "./kit.ts";
import { fieldValues, idSegment, refusalOf, type Refusal } from "./manage-forms.ts";
import { messagePage } from "./pages.ts";

type Kind = "component" | "monitor";

const isType = (value: string): value is MonitorType => (monitorTypeNames as readonly string[]).includes(value);
const problemsRefusal = (problems: readonly FieldProblem[]): Refusal => ({ message: "Some fields cannot be read.", details: problems.map((p) => ({ path: `body.${p.path}`, message: p.message })) });

/** Registers the catalog's list and its forms. */
export function registerCatalogPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const lists = async (request: FastifyRequest) =>
    Promise.all([
      kit.api<{ components: ComponentItem[] }>(request, { method: "GET", url: "/api/v1/components" }),
      kit.api<{ monitors: MonitorItem[] }>(request, { method: "GET", url: "/api/v1/monitors" }),
    ]);

  const showList = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, status: number, extra: { refusal?: Refusal; notice?: string } = {}) => {
    const [components, monitors] = await lists(request);
    const failed = components.status >= 400 ? components : monitors.status >= 400 ? monitors : undefined;
    return kit.page(
      reply,
      failed ? failed.status : status,
      catalogPage({
        chrome: allowed.chrome,
        components: components.json?.components ?? [],
        monitors: monitors.json?.monitors ?? [],
        canWrite: roleAllows(allowed.user.role, "catalog.write"),
        ...(failed ? { refusal: refusalOf(failed) } : extra.refusal ? { refusal: extra.refusal } : {}),
        ...(extra.notice ? { notice: extra.notice } : {}),
      }),
    );
  };

  /** A form page; a component's lists the monitors to choose from. */
  const showForm = async (request: FastifyRequest, reply: FastifyReply, status: number, input: Omit<EntryFormInput, "monitorChoices">) => {
    if (input.kind === "monitor") return kit.page(reply, status, entryFormPage(input));
    const monitors = await kit.api<{ monitors: MonitorItem[] }>(request, { method: "GET", url: "/api/v1/monitors" });
    const monitorChoices = (monitors.json?.monitors ?? []).map((m) => ({ id: m.id, name: m.name ?? m.id }));
    return kit.page(reply, status, entryFormPage({ ...input, monitorChoices }));
  };

  const submitted = (request: FastifyRequest, keys: CatalogKeys): Submitted => Object.fromEntries(allFields(keys).map((f) => [f.key, kit.field(request.body, `v.${f.key}`)]));

  scope.get(catalogPath, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "read", catalogPath);
    return allowed ? showList(request, reply, allowed, 200) : reply;
  });

  for (const kind of ["component", "monitor"] as const satisfies readonly Kind[]) {
    const base = `${catalogPath}/${kind}s`;
    const api = `/api/v1/${kind}s`;

    scope.get(`${base}/new`, async (request, reply) => {
      const allowed = await kit.allowed(request, reply, "catalog.write", catalogPath);
      if (!allowed) return reply;
      const asked = (request.query as { type?: string }).type ?? "http";
      if (kind === "monitor" && !isType(asked)) return kit.page(reply, 400, messagePage("Unknown type", `There is no monitor type "${asked}": choose one of ${monitorTypeNames.join(", ")}.`));
      const keys = kind === "monitor" ? monitorKeys(asked as MonitorType) : componentKeys();
      return showForm(request, reply, 200, { chrome: allowed.chrome, kind, keys, values: {}, ...(kind === "monitor" ? { type: asked } : {}) });
    });

    scope.post(base, async (request, reply) => {
      const allowed = await kit.allowed(request, reply, "catalog.write", catalogPath);
      if (!allowed) return reply;
      const type = kit.field(request.body, "type");
      if (kind === "monitor" && !isType(type)) return kit.page(reply, 400, messagePage("Unknown type", `There is no monitor type "${type}".`));
      const keys = kind === "monitor" ? monitorKeys(type as MonitorType) : componentKeys();
      const values = submitted(request, keys);
      const chosen = fieldValues(request.body, "monitors");
      const form = { chrome: allowed.chrome, kind, keys, values, chosen, ...(kind === "monitor" ? { type } : {}) };
      const made = entryOf(keys, values, kind === "monitor" ? { type } : chosen.length > 0 ? { monitors: chosen } : {});
      if ("problems" in made) return showForm(request, reply, 400, { ...form, refusal: problemsRefusal(made.problems) });
      const answer = await kit.api<{ id: string }>(request, { method: "POST", url: api, body: made.entry });
      if (answer.status >= 400) return showForm(request, reply, answer.status, { ...form, refusal: refusalOf(answer) });
      return showList(request, reply, allowed, 200, { notice: `Added the ${kind} ${answer.json.id}.` });
    });

    /** The stored entry of `id`, or the answer that says why there is none to edit. */
    const stored = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, id: string) => {
      const answer = await kit.api<{ entry: Record<string, unknown> }>(request, { method: "GET", url: `${api}/${idSegment(id)}/entry` });
      if (answer.status >= 400) return { reply: await showList(request, reply, allowed, answer.status, { refusal: refusalOf(answer) }) };
      const entry = answer.json.entry;
      const type = typeof entry.type === "string" && isType(entry.type) ? entry.type : undefined;
      const keys = kind === "monitor" && type !== undefined ? monitorKeys(type) : componentKeys();
      const chosen = Array.isArray(entry.monitors) ? entry.monitors.filter((m): m is string => typeof m === "string") : [];
      return { entry, keys, type, chosen };
    };

    scope.get(`${base}/:id`, async (request, reply) => {
      const allowed = await kit.allowed(request, reply, "catalog.write", catalogPath);
      if (!allowed) return reply;
      const { id } = request.params as { id: string };
      const found = await stored(request, reply, allowed, id);
      if ("reply" in found) return found.reply;
      return showForm(request, reply, 200, { chrome: allowed.chrome, kind, keys: found.keys, values: shownValues(found.keys, found.entry), editing: id, chosen: found.chosen, ...(found.type ? { type: found.type } : {}) });
    });

    scope.post(`${base}/:id`, async (request, reply) => {
      const allowed = await kit.allowed(request, reply, "catalog.write", catalogPath);
      if (!allowed) return reply;
      const { id } = request.params as { id: string };
      const found = await stored(request, reply, allowed, id);
      if ("reply" in found) return found.reply;
      const values = submitted(request, found.keys);
      const chosen = fieldValues(request.body, "monitors");
      const form = { chrome: allowed.chrome, kind, keys: found.keys, values, editing: id, chosen, ...(found.type ? { type: found.type } : {}) };
      const made = patchOf(found.keys, found.entry, values);
      if ("problems" in made) return showForm(request, reply, 400, { ...form, refusal: problemsRefusal(made.problems) });
      const patch = { ...made.patch };
      if (kind === "component" && [...chosen].sort().join(",") !== [...found.chosen].sort().join(",")) patch.monitors = chosen.length > 0 ? chosen : null;
      if (Object.keys(patch).length === 0) return showList(request, reply, allowed, 200, { notice: `Nothing changed in the ${kind} ${id}.` });
      const answer = await kit.api(request, { method: "PATCH", url: `${api}/${idSegment(id)}`, body: patch });
      if (answer.status >= 400) return showForm(request, reply, answer.status, { ...form, refusal: refusalOf(answer) });
      return showList(request, reply, allowed, 200, { notice: `Saved the ${kind} ${id}.` });
    });

    scope.post(`${base}/:id/remove`, async (request, reply) => {
      const allowed = await kit.allowed(request, reply, "catalog.write", catalogPath);
      if (!allowed) return reply;
      const { id } = request.params as { id: string };
      const answer = await kit.api(request, { method: "DELETE", url: `${api}/${idSegment(id)}` });
      if (answer.status >= 400) return showList(request, reply, allowed, answer.status, { refusal: refusalOf(answer) });
      return showList(request, reply, allowed, 200, { notice: `Removed the ${kind} ${id}.` });
    });
  }
}
