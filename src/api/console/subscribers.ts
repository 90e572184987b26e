/**
 * /manage/subscribers (subscribers.export: admins and owners): search, the CSV export, and for subscribers.write
 * removal and CSV import. Reads and writes go through the HTTP API as the signed-in user (kit.api), which writes every
 * list and export of addresses to the audit log.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { roleAllows } from "../../auth/roles.ts";
import type { Allowed, ConsoleKit } from "./kit.ts";
import { idSegment, refusalOf, type Refusal } from "./manage-forms.ts";
import { subscribersPage, type SubscriberItem } from "./subscriber-pages.ts";
import { messagePage } from "./pages.ts";

const here = "/manage/subscribers";
/** Subscribers shown at once. */
const shown = 200;

/** Registers the subscribers page, its forms and the export. */
export function registerSubscriberPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const show = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, status: number, extra: { q?: string; csv?: string; refusal?: Refusal; notice?: string } = {}) => {
    const q = (extra.q ?? "").trim();
    const [list, count] = await Promise.all([
      kit.api<{ subscribers: SubscriberItem[]; next_after: string | null }>(request, { method: "GET", url: `/api/v1/subscribers?limit=${shown}${q === "" ? "" : `&q=${encodeURIComponent(q)}`}` }),
      kit.api<{ count: number }>(request, { method: "GET", url: "/api/v1/subscribers/count" }),
    ]);
    const refusal = list.status >= 400 ? refusalOf(list) : extra.refusal;
    return kit.page(
      reply,
      list.status >= 400 ? list.status : status,
      subscribersPage({
        chrome: allowed.chrome,
        q: extra.q ?? "",
        items: list.json?.subscribers ?? [],
        more: list.json?.next_after !== null && list.json?.next_after !== undefined,
        count: count.status === 200 ? count.json.count : undefined,
        canWrite: roleAllows(allowed.user.role, "subscribers.write"),
        csv: extra.csv ?? "",
        ...(refusal ? { refusal } : {}),
        ...(extra.notice ? { notice: extra.notice } : {}),
      }),
    );
  };

  scope.get(here, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "subscribers.export", here);
    return allowed ? show(request, reply, allowed, 200, { q: kit.field(request.query, "q").slice(0, 300) }) : reply;
  });

  scope.get(`${here}/export.csv`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "subscribers.export", here);
    if (!allowed) return reply;
    const answer = await kit.apiStream(request, "/api/v1/subscribers/export.csv");
    if (answer.status !== 200) return kit.page(reply, answer.status, messagePage("Export refused", `The export failed: the API answered ${answer.status}.`, { href: here, text: "Back to subscribers" }));
    for (const name of ["content-type", "content-disposition", "cache-control"]) {
      const value = answer.headers[name];
      if (value !== undefined) void reply.header(name, value);
    }
    return reply.status(200).send(answer.body);
  });

  scope.post(`${here}/import`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "subscribers.write", here);
    if (!allowed) return reply;
    const csv = kit.field(request.body, "csv");
    const flags = new URLSearchParams();
    if (kit.field(request.body, "dry_run") === "true") flags.set("dry_run", "true");
    if (kit.field(request.body, "partial") === "true") flags.set("partial", "true");
    const query = flags.toString();
    const answer = await kit.api<{ added: number; updated: number; skipped: number; errors: { line: number; message: string }[]; dry_run: boolean }>(request, {
      method: "POST",
      url: `/api/v1/subscribers/import${query === "" ? "" : `?${query}`}`,
      csv,
    });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { csv, refusal: refusalOf(answer) });
    const r = answer.json;
    const skipped = r.errors.map((e) => `line ${e.line}: ${e.message}`).join("; ");
    const notice = `${r.dry_run ? "Dry run, nothing stored: would add" : "Added"} ${r.added}, ${r.dry_run ? "update" : "updated"} ${r.updated}, skipped ${r.skipped}${skipped === "" ? "" : ` (${skipped})`}.`;
    return show(request, reply, allowed, 200, { notice, ...(r.dry_run ? { csv } : {}) });
  });

  scope.post(`${here}/:id/remove`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "subscribers.write", here);
    if (!allowed) return reply;
    const { id } = request.params as { id: string };
    const q = kit.field(request.body, "q").slice(0, 300);
    const answer = await kit.api(request, { method: "DELETE", url: `/api/v1/subscribers/${idSegment(id)}` });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { q, refusal: refusalOf(answer) });
    return show(request, reply, allowed, 200, { q, notice: "The subscriber is removed; they get no further messages." });
  });
}
