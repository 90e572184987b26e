/**
 * `email`: a message with a plain-text and an HTML part, sent through an SMTP server with nodemailer.
 * SMTP says itself whether to try again: a 4xx reply (mailbox busy, greylisting) or a lost connection
 * is temporary, a 5xx reply (unknown recipient, refused sender) is final.
 */
import nodemailer from "nodemailer";
import * as z from "zod";
import { host, port, strictMap, text } from "../../config/fields.ts";
import { renderMarkdown } from "../../incidents/markdown.ts";
import { escapeHtml } from "../../statuspage/render/xml.ts";
import type { NotificationMessage, SendResult } from "../types.ts";
import { facts, kindLabels, toneColours, toneOf, truncate, type Channel } from "./channel.ts";

const address = z.string().regex(/^[^\s@<>]+@[^\s@<>.]+(?:\.[^\s@<>.]+)+$/, "expected an e-mail address such as oncall@example.com");

/** The keys of an `email` channel. */
export const EmailConfig = strictMap({
  /** The SMTP server. */
  host,
  port: port.default(587),
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  secure: z.boolean().default(false),
  username: text.optional(),
  /** **Secret**. */
  password: text.optional(),
  from: address,
  to: z.array(address).min(1),
  /** Prepended to every subject, e.g. "[Acme status]". */
  subject_prefix: text.optional(),
});
/** A validated `email` channel configuration. */
export type EmailConfig = z.output<typeof EmailConfig>;

/** What is sent: the envelope and the two parts. */
export interface EmailPayload {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

const escape = escapeHtml;

export function renderEmail(message: NotificationMessage, config: EmailConfig): EmailPayload {
  const subject = truncate(`${config.subject_prefix ? `${config.subject_prefix} ` : ""}${message.title}`, 200);
  const rows = facts(message);
  const text = [message.text, "", ...rows.map(([k, v]) => `${k}: ${v.replace(/\n/g, ", ")}`), "", `${kindLabels[message.kind]} · ${message.site.name}`, message.url].join("\n");
  const colour = toneColours[toneOf(message)];
  const body = message.markdown ? renderMarkdown(message.markdown) : `<p>${escape(message.text).replace(/\n/g, "<br>")}</p>`;
  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(subject)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2328">` +
    `<div style="border-left:4px solid ${colour};padding:0 0 0 12px">` +
    `<h1 style="font-size:18px;margin:0 0 8px">${escape(message.title)}</h1>${body}` +
    `<table role="presentation" style="border-collapse:collapse;margin:8px 0">` +
    rows.map(([k, v]) => `<tr><th style="text-align:left;padding:2px 12px 2px 0;vertical-align:top">${escape(k)}</th><td style="padding:2px 0">${escape(v).replace(/\n/g, "<br>")}</td></tr>`).join("") +
    `</table><p><a href="${escape(message.url)}">${escape(message.url)}</a></p></div>` +
    `<p style="color:#59636e;font-size:13px">${escape(kindLabels[message.kind])} · ${escape(message.site.name)}</p></body></html>`;
  return { from: config.from, to: [...config.to], subject, text, html };
}

/** SMTP reply codes and socket errors into a SendResult. */
export function classifySmtpError(error: unknown): SendResult {
  const e = error as { responseCode?: number; code?: string; message?: string };
  const message = (e.message ?? String(error)).replace(/[\r\n]+/g, " ");
  if (typeof e.responseCode === "number") return { ok: false, retryable: e.responseCode < 500, error: `SMTP ${e.responseCode}: ${message}` };
  return { ok: false, retryable: true, error: `SMTP ${e.code ?? "error"}: ${message}` };
}

/** Sends a notification as an e-mail. */
export const emailChannel: Channel<EmailConfig, EmailPayload> = {
  type: "email",
  configSchema: EmailConfig,
  render: renderEmail,
  async send(payload, config, ctx) {
    const transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      ...(config.username ? { auth: { user: config.username, pass: config.password ?? "" } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 10_000,
    });
    try {
      if (ctx.signal.aborted) return { ok: false, retryable: true, error: "SMTP: timed out before sending" };
      const info = (await transport.sendMail({
        from: payload.from,
        to: payload.to,
        subject: payload.subject,
        text: payload.text,
        html: payload.html,
        headers: { "X-Vigil-Idempotency-Key": ctx.idempotencyKey },
      })) as { response?: string };
      return { ok: true, detail: `${config.host} accepted it${info.response ? `: ${info.response.split(" ")[0]}` : ""}` };
    } catch (error) {
      const result = classifySmtpError(error);
      // The password never reaches an error.
      return result.ok || !config.password ? result : { ...result, error: result.error.split(config.password).join("[redacted]") };
    } finally {
      transport.close();
    }
  },
};
