/**
 * /manage/channels: the notification channels (id and type), a test send through one for roles with channels.test,
 * and the deliveries given up, each queued again by roles with channels.write. Reads and writes go through the HTTP
 * API as the signed-in user (kit.api).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { roleAllows } from "../../auth/roles.ts";
import { channelsPage, type DeliveryItem, type TestResult } from "./channel-pages.ts";
import type { Allowed, ConsoleKit } from "./kit.ts";
import { idSegment, refusalOf, type Refusal } from "./manage-forms.ts";

const here = "/manage/channels";

/** Registers the channels page, its test form and its retry form. */
export function registerChannelPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const show = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, status: number, extra: { refusal?: Refusal; result?: TestResult; notice?: string } = {}) => {
    const [channels, failed] = await Promise.all([
      kit.api<{ channels: { id: string; type: string }[] }>(request, { method: "GET", url: "/api/v1/channels" }),
      kit.api<{ deliveries: DeliveryItem[] }>(request, { method: "GET", url: "/api/v1/deliveries?status=dead&limit=50" }),
    ]);
    const broken = channels.status >= 400 ? channels : failed.status >= 400 ? failed : undefined;
    const refusal = broken ? refusalOf(broken) : extra.refusal;
    return kit.page(
      reply,
      broken ? broken.status : status,
      channelsPage({
        chrome: allowed.chrome,
        channels: channels.json?.channels ?? [],
        failed: failed.json?.deliveries ?? [],
        canTest: roleAllows(allowed.user.role, "channels.test"),
        canRetry: roleAllows(allowed.user.role, "channels.write"),
        ...(refusal ? { refusal } : {}),
        ...(extra.notice ? { notice: extra.notice } : {}),
        ...(extra.result ? { result: extra.result } : {}),
      }),
    );
  };

  scope.get(here, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "read", here);
    return allowed ? show(request, reply, allowed, 200) : reply;
  });

  scope.post(`${here}/:id/test`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "channels.test", here);
    if (!allowed) return reply;
    const { id } = request.params as { id: string };
    const answer = await kit.api<TestResult>(request, { method: "POST", url: `/api/v1/channels/${idSegment(id)}/test` });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { refusal: refusalOf(answer) });
    return show(request, reply, allowed, 200, { result: answer.json });
  });

  scope.post(`${here}/deliveries/:id/retry`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "channels.write", here);
    if (!allowed) return reply;
    const { id } = request.params as { id: string };
    const answer = await kit.api<DeliveryItem>(request, { method: "POST", url: `/api/v1/deliveries/${idSegment(id)}/retry` });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { refusal: refusalOf(answer) });
    const d = answer.json;
    return show(request, reply, allowed, 200, { notice: `Delivery of ${d.title ?? d.kind ?? d.id} to ${d.destination} is queued again.` });
  });
}
