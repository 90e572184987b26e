/**
 * What public subscribers receive: the confirmation e-mail and webhook, and the e-mails (and
 * webhook bodies) about incidents and maintenance. Pure: the caller signs the links and sends.
 *
 * Subscribers are the public, so only public facts are used: the incident's or maintenance's name
 * and status, the latest public update, the components' names and statuses, times and the public
 * URL; never ids, labels or monitor names. Every value is escaped in HTML and kept to one line in
 * headers.
 */
import { markdownToText, renderMarkdown } from "../incidents/markdown.ts";
import { capitalized, componentLine, severityLabels, toneColours, toneOf, truncate, utc } from "../notify/channels/channel.ts";
import type { MessageKind, NotificationMessage } from "../notify/types.ts";
import { escapeHtml } from "../statuspage/render/xml.ts";
import { subscriberKinds } from "./audience.ts";

/** An e-mail ready for the sender: both parts and the extra headers. */
export interface SubscriberEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

const escape = escapeHtml;

/** `text` on one line: line breaks, tabs and other control or separator characters become single spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, " ").replace(/ {2,}/g, " ").trim();
}

/** A URL for a header's `<…>`: one line, with anything that would end the brackets percent-encoded. */
function headerUrl(url: string): string {
  return oneLine(url).replace(/[<>\s"]/g, (c) => encodeURIComponent(c));
}

/** A link when `url` is http(s), else the URL as text (a javascript: URL never becomes a link). */
function link(url: string, label: string): string {
  const safe = URL.canParse(url) && ["http:", "https:"].includes(new URL(url).protocol);
  return safe ? `<a href="${escape(url)}">${escape(label)}</a>` : `${escape(label)}: ${escape(url)}`;
}

const htmlStart = (title: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title></head>` +
  `<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2328;max-width:640px">`;
const htmlEnd = "</body></html>";
const muted = 'style="color:#59636e;font-size:13px"';

/** Headers of every e-mail here: sent by a machine, so vacation responders stay quiet (RFC 3834). */
const automatic = { "Auto-Submitted": "auto-generated" } as const;

/**
 * The e-mail asking a new subscriber to confirm: what they asked for (all components, or the names
 * given), the confirmation link, when it expires, and that ignoring it changes nothing.
 */
export function renderConfirmationEmail(opts: { siteName: string; siteUrl: string; from: string; to: string; confirmUrl: string; componentNames: string[] | null; expiresAt: Date }): SubscriberEmail {
  const site = oneLine(opts.siteName);
  const subject = truncate(`[${site}] Confirm your subscription`, 200);
  const what = opts.componentNames === null ? "all components" : opts.componentNames.length === 0 ? "no components" : opts.componentNames.map(oneLine).join(", ");
  const expires = utc(opts.expiresAt);
  const ignore = "If you did not ask for this, ignore this e-mail: nothing happens, you will not be subscribed and will not hear from us again.";
  const text = [
    `Someone, hopefully you, asked to receive status updates from ${site} (${opts.siteUrl}) at ${opts.to}, for ${what}.`,
    "",
    `Confirm your subscription: ${opts.confirmUrl}`,
    "",
    `This link expires on ${expires}.`,
    ignore,
  ].join("\n");
  const html =
    htmlStart(subject) +
    `<p>Someone, hopefully you, asked to receive status updates from ${link(opts.siteUrl, site)} at <strong>${escape(opts.to)}</strong>, for ${escape(what)}.</p>` +
    `<p>${link(opts.confirmUrl, "Confirm your subscription")}</p>` +
    `<p>This link expires on ${escape(expires)}. ${escape(ignore)}</p>` +
    htmlEnd;
  return { from: oneLine(opts.from), to: oneLine(opts.to), subject, text, html, headers: { ...automatic } };
}

const maintenanceStatus: Partial<Record<MessageKind, string>> = {
  "maintenance.scheduled": "Scheduled",
  "maintenance.in_progress": "In progress",
  "maintenance.completed": "Completed",
};

/** The public facts of a message. */
interface PublicContent {
  site: string;
  name: string;
  status: string;
  /** The update as text and as safe HTML, if there is one. */
  update: { text: string; html: string } | null;
  facts: [string, string][];
  components: string[];
  linkLabel: string;
}

/**
 * A message's public facts. A maintenance message carries its name only in its title
 * (`[Maintenance] <name>: <status>`), so the name is read from there.
 */
function publicContent(message: NotificationMessage): PublicContent {
  if (!subscriberKinds.has(message.kind)) throw new RangeError(`${message.kind} messages are not sent to subscribers`);
  const { incident } = message;
  const components = message.components.map((c) => oneLine(componentLine(c)));
  const site = oneLine(message.site.name);
  if (incident) {
    const facts: [string, string][] = [];
    if (incident.impact !== "none") facts.push(["Impact", severityLabels[incident.impact]]);
    facts.push(["Started", utc(incident.startedAt)]);
    if (incident.resolvedAt) facts.push(["Resolved", utc(incident.resolvedAt)]);
    const update = message.markdown ? { text: markdownToText(message.markdown), html: renderMarkdown(message.markdown) } : null;
    return { site, name: oneLine(incident.name), status: capitalized(oneLine(incident.status)), update, facts, components, linkLabel: "View incident" };
  }
  const status = maintenanceStatus[message.kind] ?? "";
  const name = oneLine(message.title.replace(/^\s*\[[^\]]*\]\s*/, "").replace(/:\s*(scheduled|in progress|completed)\s*$/i, ""));
  const update = message.markdown
    ? { text: markdownToText(message.markdown), html: renderMarkdown(message.markdown) }
    : message.text.trim() === ""
      ? null
      : { text: message.text.trim(), html: `<p>${escape(message.text.trim()).replace(/\n/g, "<br>")}</p>` };
  return { site, name, status, update, facts: [], components, linkLabel: "View on the status page" };
}

/**
 * The e-mail telling a subscriber about an incident or maintenance: subject `[<site>] <name>:
 * <status>`, the latest update, impact and times, the affected components, the public link, and a
 * footer saying why they receive it with the unsubscribe (and manage) links. Headers carry
 * `List-Unsubscribe` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058: the
 * unsubscribe URL must accept a POST without confirmation, be https, and the message be DKIM-signed).
 * Throws a RangeError for a kind subscribers are not sent (see `subscriberKinds`).
 */
export function renderSubscriberEmail(message: NotificationMessage, opts: { from: string; to: string; unsubscribeUrl: string; manageUrl?: string }): SubscriberEmail {
  const c = publicContent(message);
  const subject = truncate(`[${c.site}] ${c.name}: ${c.status}`, 200);
  const heading = `${c.name}: ${c.status}`;
  const footer = `You receive this because you subscribed to status updates from ${c.site}.`;
  const text = [
    heading,
    "",
    ...(c.update ? [c.update.text, ""] : []),
    ...c.facts.map(([k, v]) => `${k}: ${v}`),
    ...(c.components.length > 0 ? ["Affected:", ...c.components.map((line) => `- ${line}`)] : []),
    ...(c.facts.length > 0 || c.components.length > 0 ? [""] : []),
    `${c.linkLabel}: ${message.url}`,
    "",
    "-- ",
    footer,
    ...(opts.manageUrl ? [`Manage your subscription: ${opts.manageUrl}`] : []),
    `Unsubscribe: ${opts.unsubscribeUrl}`,
  ].join("\n");
  const rows = [...c.facts, ...(c.components.length > 0 ? ([["Affected", c.components.join("\n")]] as [string, string][]) : [])];
  const html =
    htmlStart(subject) +
    `<div style="border-left:4px solid ${toneColours[toneOf(message)]};padding:0 0 0 12px">` +
    `<h1 style="font-size:18px;margin:0 0 8px">${escape(heading)}</h1>` +
    (c.update?.html ?? "") +
    (rows.length > 0
      ? `<table role="presentation" style="border-collapse:collapse;margin:8px 0">` +
        rows.map(([k, v]) => `<tr><th style="text-align:left;padding:2px 12px 2px 0;vertical-align:top">${escape(k)}</th><td style="padding:2px 0">${escape(v).replace(/\n/g, "<br>")}</td></tr>`).join("") +
        `</table>`
      : "") +
    `<p>${link(message.url, c.linkLabel)}</p></div>` +
    `<p ${muted}>${escape(footer)}<br>` +
    (opts.manageUrl ? `${link(opts.manageUrl, "Manage your subscription")} · ` : "") +
    `${link(opts.unsubscribeUrl, "Unsubscribe")}</p>` +
    htmlEnd;
  return {
    from: oneLine(opts.from),
    to: oneLine(opts.to),
    subject,
    text,
    html,
    headers: { ...automatic, "List-Unsubscribe": `<${headerUrl(opts.unsubscribeUrl)}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}

/** Stands for the recipient and the unsubscribe link while a fan-out's e-mail is rendered once. */
const sentinel = { to: "vigil-recipient-0f3a@example.invalid", unsubscribe: "https://vigil-unsubscribe-0f3a.example.invalid/u" };

/**
 * {@link renderSubscriberEmail} for a whole fan-out: the message is rendered once (Markdown, escaping, layout), and each
 * subscriber's e-mail is that rendering with their address and unsubscribe link put in — the same result as rendering
 * it for them (checked by the tests), without the cost per subscriber. Links must be http(s) URLs.
 */
export function subscriberEmailTemplate(message: NotificationMessage, opts: { from: string }): (to: string, unsubscribeUrl: string) => SubscriberEmail {
  const base = renderSubscriberEmail(message, { from: opts.from, to: sentinel.to, unsubscribeUrl: sentinel.unsubscribe });
  return (to, unsubscribeUrl) => {
    const put = (text: string, url: string) => text.split(sentinel.unsubscribe).join(url);
    return {
      ...base,
      to: oneLine(to),
      text: put(base.text, unsubscribeUrl),
      html: put(base.html, escape(unsubscribeUrl)),
      headers: Object.fromEntries(Object.entries(base.headers).map(([k, v]) => [k, put(v, headerUrl(unsubscribeUrl))])),
    };
  };
}

/**
 * The body POSTed to a new webhook subscriber: `{"event":"subscription.confirm", …}` with the link
 * to open before it expires and the secret its requests are signed with; nothing is sent again unless it is opened.
 */
export function renderWebhookConfirmation(opts: { siteName: string; siteUrl: string; confirmUrl: string; expiresAt: Date; signingSecret: string }): Record<string, unknown> {
  const site = oneLine(opts.siteName);
  return {
    event: "subscription.confirm",
    site: { name: site, url: opts.siteUrl },
    confirm_url: opts.confirmUrl,
    expires_at: opts.expiresAt.toISOString(),
    signing_secret: opts.signingSecret,
    text: `Open confirm_url before ${utc(opts.expiresAt)} to receive status updates from ${site} at this URL. If nobody does, nothing happens and nothing more is sent. Keep signing_secret: every request to this URL is signed with it (Vigil-Signature), and it is not sent again.`,
  };
}

/**
 * The body POSTed to a webhook subscriber about an incident or maintenance: the same public facts
 * as the e-mail, with dates in ISO 8601 and snake_case keys (unlike the `webhook` channel's body,
 * no ids or labels). Throws a RangeError for a kind subscribers are not sent.
 */
export function renderSubscriberWebhook(message: NotificationMessage, opts: { unsubscribeUrl: string }): Record<string, unknown> {
  const c = publicContent(message);
  const { incident } = message;
  return {
    event: message.kind,
    at: message.at.toISOString(),
    site: { name: c.site, url: message.site.url },
    name: c.name,
    status: c.status,
    text: c.update?.text ?? "",
    url: message.url,
    incident: incident && {
      name: c.name,
      status: incident.status,
      impact: incident.impact,
      started_at: incident.startedAt.toISOString(),
      resolved_at: incident.resolvedAt?.toISOString() ?? null,
    },
    components: message.components.map((m) => ({ name: m.name, group: m.group, status: m.status, previous_status: m.previousStatus })),
    unsubscribe_url: opts.unsubscribeUrl,
  };
}
