/**
 * /manage/silences: active, pending and expired silences, and for roles with silences.write the form that creates one
 * and the button that expires one. Reads and writes go through the HTTP API as the signed-in user (kit.api).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { roleAllows } from "../../auth/roles.ts";
import type { Allowed, ConsoleKit } from "./kit.ts";
import { idSegment, listOf, refusalOf, utcFromInput, type Refusal } from "./manage-forms.ts";
import { emptySilenceForm, matchersText, silencesPage, type SilenceForm, type SilenceItem } from "./silence-pages.ts";

const here = "/manage/silences";

/** The API's matchers for what the form holds; a label line without `=` is passed on for the API to name. */
function matchersOf(form: SilenceForm): Record<string, unknown> {
  const labels = form.labels
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const labelMap = Object.fromEntries(labels.map((line) => (line.includes("=") ? [line.slice(0, line.indexOf("=")).trim(), line.slice(line.indexOf("=") + 1).trim()] : [line, ""])));
  return {
    ...(listOf(form.component).length > 0 ? { component: listOf(form.component) } : {}),
    ...(listOf(form.group).length > 0 ? { group: listOf(form.group) } : {}),
    ...(form.severity !== "" ? { severity: form.severity } : {}),
    ...(listOf(form.kind).length > 0 ? { kind: listOf(form.kind) } : {}),
    ...(labels.length > 0 ? { labels: labelMap } : {}),
  };
}

/** Registers the silences page and its forms. */
export function registerSilencePages(scope: FastifyInstance, kit: ConsoleKit): void {
  const show = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, status: number, extra: { form?: SilenceForm; refusal?: Refusal; notice?: string } = {}) => {
    const list = await kit.api<{ silences: SilenceItem[] }>(request, { method: "GET", url: "/api/v1/silences?state=all" });
    const refusal = list.status >= 400 ? refusalOf(list) : extra.refusal;
    return kit.page(
      reply,
      list.status >= 400 ? list.status : status,
      silencesPage({
        chrome: allowed.chrome,
        items: list.json?.silences ?? [],
        canWrite: roleAllows(allowed.user.role, "silences.write"),
        form: extra.form ?? emptySilenceForm,
        ...(refusal ? { refusal } : {}),
        ...(extra.notice ? { notice: extra.notice } : {}),
      }),
    );
  };

  scope.get(here, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "read", here);
    return allowed ? show(request, reply, allowed, 200) : reply;
  });

  scope.post(here, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "silences.write", here);
    if (!allowed) return reply;
    const read = (name: keyof SilenceForm) => kit.field(request.body, name);
    const form: SilenceForm = { component: read("component"), group: read("group"), severity: read("severity"), kind: read("kind"), labels: read("labels"), duration: read("duration"), ends: read("ends"), comment: read("comment") };
    const ends = form.ends.trim();
    const duration = form.duration.trim();
    const answer = await kit.api<SilenceItem>(request, {
      method: "POST",
      url: "/api/v1/silences",
      // An end typed wins over the duration the form starts with.
      body: { matchers: matchersOf(form), comment: form.comment, ...(ends !== "" ? { ends_at: utcFromInput(ends) } : duration !== "" ? { duration } : {}) },
    });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { form, refusal: refusalOf(answer) });
    return show(request, reply, allowed, 200, { notice: `Silenced until ${answer.json.ends_at}: ${matchersText(answer.json.matchers)}.` });
  });

  scope.post(`${here}/:id/expire`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "silences.write", here);
    if (!allowed) return reply;
    const { id } = request.params as { id: string };
    const answer = await kit.api<SilenceItem>(request, { method: "DELETE", url: `/api/v1/silences/${idSegment(id)}` });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { refusal: refusalOf(answer) });
    return show(request, reply, allowed, 200, { notice: `Expired: ${matchersText(answer.json.matchers)}.` });
  });
}
