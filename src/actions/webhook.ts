/**
 * The `webhook` action: POSTs the run's facts (the incident, its components, outage windows and evidence) as JSON,
 * signed as Vigil's webhooks are (src/notify/signature.ts) with every configured secret, newest first, so that a
 * receiver knowing either the old or the new secret accepts it during a rotation. The run's idempotency key goes in
 * the `Idempotency-Key` header of every attempt. A 2xx answer's body is the run's output (secrets redacted); one whose JSON body has a numeric `resynced` (a
 * reconciliation's count of records) gives the run that count (src/actions/resynced.ts).
 */
import * as z from "zod";
import { httpUrl, strictMap, text } from "../config/fields.ts";
import { headerMap } from "../notify/channels/channel.ts";
import { postJson, readCapped, redact, secretsOf } from "../notify/channels/http-send.ts";
import { signatureHeaders } from "../notify/signature.ts";
import { resyncedOf } from "./resynced.ts";
import { maxOutputBytes, type ActionFacts, type ActionPlugin } from "./types.ts";

/** The keys of a `webhook` action. */
export const WebhookActionConfig = strictMap({
  /** Where to POST. **Secret** when it embeds a token. */
  url: httpUrl,
  /** **Secret**: HMAC-SHA256 keys of `Vigil-Signature`, newest first; each signs every request while a key is rotated. */
  secrets: z.array(text).min(1).max(5).optional(),
  /** Extra request headers, such as an `Authorization` the receiver wants (**secret** then). */
  headers: headerMap.optional(),
});
/** A validated `webhook` action configuration. */
export type WebhookActionConfig = z.output<typeof WebhookActionConfig>;

/** What a webhook action sends: the facts, and what it is. */
export type WebhookActionBody = { event: "action.run" } & ActionFacts;

/** POSTs the facts to a URL, signed when secrets are set. */
export const webhookAction: ActionPlugin<WebhookActionConfig> = {
  type: "webhook",
  configSchema: WebhookActionConfig,
  secrets: (config) => [...(config.secrets ?? []), ...Object.values(config.headers ?? {})],
  async run(config, facts, ctx) {
    const body = JSON.stringify({ event: "action.run", ...facts } satisfies WebhookActionBody);
    const headers: Record<string, string> = { ...config.headers };
    if (config.secrets !== undefined) Object.assign(headers, signatureHeaders(body, ctx.now(), config.secrets));
    // The answer's body is read for its count: postJson reads it for errors only.
    let answer: Response | undefined;
    const keeping = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await ctx.fetch(input, init);
      answer = response.clone();
      return response;
    };
    const result = await postJson(
      { url: config.url, body, headers, secrets: webhookAction.secrets(config) },
      { signal: ctx.signal, idempotencyKey: facts.run.idempotency_key, fetch: keeping, now: ctx.now },
    );
    if (result.ok) {
      const text = answer === undefined ? "" : await readCapped(answer);
      const resynced = resyncedOf(text);
      // What the receiver answered is kept (an orchestrator's Scale object, a job's count), secrets redacted; not an HTML page.
      const said = /^\s*</.test(text) ? "" : redact(text.replace(/\s+/g, " ").trim(), secretsOf(new URL(config.url), webhookAction.secrets(config))).slice(0, maxOutputBytes);
      return { ok: true, output: `${result.detail ?? ""}${said === "" ? "" : `: ${said}`}`, ...(resynced !== undefined ? { resynced } : {}) };
    }
    answer?.body?.cancel().catch(() => undefined);
    const timedOut = ctx.signal.aborted;
    return { ok: false, retryable: result.retryable, error: result.error, ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}), ...(timedOut ? { timedOut } : {}) };
  },
};
