/**
 * /manage/tokens (owners, tokens.manage): every API token without its secret, creating one (its secret on the answer
 * page only), and revoking one. Reads and writes go through the HTTP API as the signed-in user (kit.api).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Allowed, ConsoleKit } from "./kit.ts";
import { idSegment, refusalOf, utcFromInput, type Refusal } from "./manage-forms.ts";
import { emptyTokenForm, tokensPage, type TokenForm, type TokenItem } from "./token-pages.ts";

const here = "/manage/tokens";

/** Registers the tokens page and its forms. */
export function registerTokenPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const show = async (request: FastifyRequest, reply: FastifyReply, allowed: Allowed, status: number, extra: { form?: TokenForm; refusal?: Refusal; notice?: string; created?: { name: string; secret: string } } = {}) => {
    const [list, users] = await Promise.all([
      kit.api<{ tokens: TokenItem[] }>(request, { method: "GET", url: "/api/v1/tokens" }),
      kit.api<{ users: { id: string; email: string }[] }>(request, { method: "GET", url: "/api/v1/users" }),
    ]);
    const refusal = list.status >= 400 ? refusalOf(list) : extra.refusal;
    return kit.page(
      reply,
      list.status >= 400 ? list.status : status,
      tokensPage({
        chrome: allowed.chrome,
        tokens: list.json?.tokens ?? [],
        // Whose each token is, by e-mail; without the list (refused), by user id.
        users: new Map((users.status >= 400 ? [] : users.json.users).map((u) => [u.id, u.email])),
        now: kit.clock.now().toISOString(),
        form: extra.form ?? emptyTokenForm,
        ...(refusal ? { refusal } : {}),
        ...(extra.notice ? { notice: extra.notice } : {}),
        ...(extra.created ? { created: extra.created } : {}),
      }),
    );
  };

  scope.get(here, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "tokens.manage", here);
    return allowed ? show(request, reply, allowed, 200) : reply;
  });

  scope.post(here, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "tokens.manage", here);
    if (!allowed) return reply;
    const form: TokenForm = {
      name: kit.field(request.body, "name"),
      role: kit.field(request.body, "role"),
      user: kit.field(request.body, "user"),
      expiresIn: kit.field(request.body, "expires_in"),
      expiresAt: kit.field(request.body, "expires_at"),
    };
    const [user, expiresIn, expiresAt] = [form.user.trim(), form.expiresIn.trim(), form.expiresAt.trim()];
    const answer = await kit.api<TokenItem & { token: string }>(request, {
      method: "POST",
      url: "/api/v1/tokens",
      body: {
        name: form.name,
        role: form.role,
        ...(user === "" ? {} : { user }),
        ...(expiresIn === "" ? {} : { expires_in: expiresIn }),
        ...(expiresAt === "" ? {} : { expires_at: utcFromInput(expiresAt) }),
      },
    });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { form, refusal: refusalOf(answer) });
    // The answer page is not stored by the browser (no-store), and the secret appears nowhere else.
    return show(request, reply, allowed, 201, { notice: `Created the token ${answer.json.name} (${answer.json.role ?? ""}).`, created: { name: answer.json.name, secret: answer.json.token } });
  });

  scope.post(`${here}/:id/revoke`, async (request, reply) => {
    const allowed = await kit.allowed(request, reply, "tokens.manage", here);
    if (!allowed) return reply;
    const { id } = request.params as { id: string };
    const answer = await kit.api<{ id: string }>(request, { method: "DELETE", url: `/api/v1/tokens/${idSegment(id)}` });
    if (answer.status >= 400) return show(request, reply, allowed, answer.status, { refusal: refusalOf(answer) });
    return show(request, reply, allowed, 200, { notice: `Revoked the token ${answer.json.id}.` });
  });
}
