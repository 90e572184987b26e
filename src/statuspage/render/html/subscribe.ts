/**
 * Public subscriptions in HTML: the "Get updates" form of the home page, and the pages of the subscription flow
 * (check your inbox, confirm, subscribed, unsubscribe, unsubscribed, a link that expired, too many requests).
 *
 * A plain form posted to `/subscribe`: no script. The flow's pages are answered per request (`dynamic`: no script at
 * all, not even the optional local-time one), with the status page's header, footer and styles. Pure: every string
 * from the view, the reader or a link is escaped.
 */
import type { ComponentView, PageView, SubscribeView } from "../../view/types.ts";
import { layoutComponents } from "./components.ts";
import { esc } from "./escape.ts";
import { paths, renderDocument } from "./layout.ts";

/** The form's fields, as posted. */
export type SubscribeField = "email" | "webhook_url" | "components" | "format";

/** What the reader typed and what is wrong with it, to show the form again. */
export interface SubscribeFormState {
  values?: { email?: string; webhookUrl?: string; components?: readonly string[]; format?: string };
  error?: { field: SubscribeField; message: string };
}

/** The labels the form gives its fields (used in error messages too). */
export const fieldLabels: Record<SubscribeField, string> = {
  email: "E-mail address",
  webhook_url: "Webhook URL",
  components: "Components",
  format: "Webhook format",
};

const ids: Record<SubscribeField, string> = {
  email: "subscribe-email",
  webhook_url: "subscribe-webhook",
  components: "subscribe-components",
  format: "subscribe-format",
};
const errorId = "subscribe-error";

/** A duration in words, as people say it: "24 hours", "30 minutes", "2 days", "1 hour 30 minutes". */
export function durationInWords(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  const day = 86_400_000;
  if (ms >= 2 * day && ms % day === 0) return plural(ms / day, "day");
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  const parts = [hours > 0 ? plural(hours, "hour") : "", minutes > 0 ? plural(minutes, "minute") : "", hours === 0 && seconds > 0 ? plural(seconds, "second") : ""].filter((p) => p !== "");
  return parts.length === 0 ? "a moment" : parts.join(" ");
}

/** Invalid-field attributes: the error as its description, and `aria-invalid` on a control (not on a fieldset). */
function invalid(state: SubscribeFormState, field: SubscribeField): string {
  if (state.error?.field !== field) return "";
  return field === "components" ? ` aria-describedby="${errorId}"` : ` aria-invalid="true" aria-describedby="${errorId}"`;
}

function textField(state: SubscribeFormState, field: "email" | "webhook_url", value: string | undefined): string {
  const input =
    field === "email"
      ? `<input id="${ids.email}" name="email" type="email" autocomplete="email" spellcheck="false" maxlength="254" value="${esc(value ?? "")}"${invalid(state, field)}>`
      : `<input id="${ids.webhook_url}" name="webhook_url" type="url" inputmode="url" autocomplete="off" spellcheck="false" maxlength="2048" value="${esc(value ?? "")}"${invalid(state, field)}>`;
  return `<p class="field"><label for="${ids[field]}">${esc(fieldLabels[field])}</label>${input}</p>`;
}

function formatField(state: SubscribeFormState): string {
  const chosen = state.values?.format === "statuspage" ? "statuspage" : "vigil";
  const option = (value: string, label: string) => `<option value="${value}"${chosen === value ? " selected" : ""}>${esc(label)}</option>`;
  return (
    `<p class="field"><label for="${ids.format}">${esc(fieldLabels.format)}</label>` +
    `<select id="${ids.format}" name="format"${invalid(state, "format")}>${option("vigil", "Vigil's JSON")}${option("statuspage", "Statuspage's webhook JSON")}</select></p>`
  );
}

function checkbox(component: ComponentView, index: number, chosen: ReadonlySet<string>): string {
  const id = `subscribe-c${index}`;
  return (
    `<li class="choice"><input type="checkbox" id="${id}" name="components" value="${esc(component.id)}"${chosen.has(component.id) ? " checked" : ""}>` +
    `<label for="${id}">${esc(component.name)}</label></li>`
  );
}

/** The components as checkboxes, grouped like the page: a fieldset per group inside the components' fieldset. */
function componentChoices(view: PageView, state: SubscribeFormState): string {
  // Third-party components (upstream providers) are not ours to send updates about.
  const entries = layoutComponents({ ...view, components: view.components.filter((c) => !c.thirdParty) });
  if (entries.length === 0) return "";
  const chosen = new Set(state.values?.components ?? []);
  let index = 0;
  const items = entries.map((entry) => {
    if ("component" in entry) return checkbox(entry.component, index++, chosen);
    const boxes = entry.members.map((c) => checkbox(c, index++, chosen)).join("");
    return `<li class="choice-group"><fieldset><legend>${esc(entry.group.name)}</legend><ul class="choices">${boxes}</ul></fieldset></li>`;
  });
  return (
    `<fieldset class="subscribe-components" id="${ids.components}"${invalid(state, "components")}>` +
    `<legend>Components (optional)</legend>` +
    `<p class="hint">Tick the ones you want to hear about; none ticked means all of them.</p>` +
    `<ul class="choices">${items.join("")}</ul></fieldset>`
  );
}

/** The "Get updates" form (without its heading). Nothing when the page offers no subscription. */
export function subscribeForm(view: PageView, state: SubscribeFormState = {}): string {
  const offer = view.subscribe;
  if (!offer || (!offer.email && !offer.webhook)) return "";
  const values = state.values ?? {};
  const error = state.error
    ? `<p class="form-error" id="${errorId}"><strong>Please check:</strong> <a href="#${ids[state.error.field]}">${esc(fieldLabels[state.error.field])}</a>: ${esc(state.error.message)}</p>`
    : "";
  const webhookFields = textField(state, "webhook_url", values.webhookUrl) + `<p class="hint">Vigil POSTs JSON to this URL: first a link to confirm, then each update.</p>` + formatField(state);
  const webhookOpen = state.error?.field === "webhook_url" || state.error?.field === "format" || (values.webhookUrl ?? "").trim() !== "";
  const address = offer.email
    ? textField(state, "email", values.email) + (offer.webhook ? `<details class="subscribe-webhook"${webhookOpen ? " open" : ""}><summary>Webhook instead</summary>${webhookFields}</details>` : "")
    : webhookFields;
  return (
    `<p>${esc(intro(offer))} A link to confirm comes first: nothing is kept until it is used, and every message has a link to unsubscribe.</p>` +
    `<form class="subscribe" method="post" action="${paths.subscribe}" novalidate>` +
    error +
    address +
    componentChoices(view, state) +
    `<p><button type="submit">Subscribe</button></p>` +
    `</form>`
  );
}

function intro(offer: SubscribeView): string {
  const what = "when an incident is published, updated or resolved, and when maintenance is scheduled, starts or ends.";
  return offer.email ? `Get an e-mail ${what}` : `Get a webhook (a JSON POST) ${what}`;
}

/** The home page's "Get updates" section, or "" when the page offers no subscription. */
export function subscribeSection(view: PageView): string {
  const form = subscribeForm(view);
  return form === "" ? "" : `<section aria-labelledby="get-updates"><h2 id="get-updates">Get updates</h2>${form}</section>`;
}

const noIndex = `<meta name="robots" content="noindex">`;

/** A page of the flow: one section under an h2, answered per request. */
function flowPage(view: PageView, title: string, path: string, body: string): string {
  return renderDocument(view, {
    title,
    path,
    section: path === paths.subscribe ? "subscribe" : "other",
    dynamic: true,
    headLinks: [noIndex],
    main: `<section aria-labelledby="flow-heading" class="flow"><h2 id="flow-heading">${esc(title)}</h2>${body}</section>`,
  });
}

const backHome = `<p><a href="${paths.home}">Back to the current status</a></p>`;

/** `/subscribe`: the form on its own page, again with what was typed and what is wrong when it was refused. */
export function renderSubscribePage(view: PageView, state: SubscribeFormState = {}): string {
  const form = subscribeForm(view, state);
  return flowPage(view, "Get updates", paths.subscribe, form === "" ? `<p>This page does not offer subscriptions.</p>${backHome}` : form);
}

/**
 * After a subscription request: the same page whether or not the address was subscribed already (nothing here,
 * or in the time taken, tells them apart).
 */
export function renderSubscribeSentPage(view: PageView, sent: { kind: "email" | "webhook"; address: string; expiresInMs: number }): string {
  const expires = durationInWords(sent.expiresInMs);
  const body =
    sent.kind === "email"
      ? `<p class="notice">Check your inbox: if <strong>${esc(sent.address)}</strong> can receive our e-mail, a confirmation link is on its way; it expires in ${esc(expires)}.</p>` +
        `<p>Nothing is kept until the link is used. Nothing arrived after a few minutes? Look in the spam folder, or <a href="${paths.subscribe}">try again</a>.</p>`
      : `<p class="notice">If <strong>${esc(sent.address)}</strong> accepts our POST, a confirmation link is on its way to it (event <code>subscription.confirm</code>, field <code>confirm_url</code>); it expires in ${esc(expires)}.</p>` +
        `<p>Nothing is kept until the link is opened and confirmed.</p>`;
  return flowPage(view, sent.kind === "email" ? "Check your inbox" : "Check your webhook", paths.subscribe, body + backHome);
}

/** Too many subscription requests from one address: when to try again. */
export function renderRateLimitedPage(view: PageView, retryAfterMs: number): string {
  // Whole minutes past the first: "in 9 minutes 59 seconds" is more precise than anyone needs.
  const wait = retryAfterMs > 60_000 ? Math.ceil(retryAfterMs / 60_000) * 60_000 : Math.max(1000, Math.ceil(retryAfterMs / 1000) * 1000);
  const body = `<p class="notice">Too many subscription requests came from your network. Please try again in ${esc(durationInWords(wait))}.</p>`;
  return flowPage(view, "Too many requests", paths.subscribe, body + backHome);
}

/** What a confirmation link asks for, as the confirm pages show it. */
export interface PendingSubscription {
  kind: "email" | "webhook";
  address: string;
  /** Names of the components chosen; null: all. */
  componentNames: string[] | null;
}

function followed(names: string[] | null): string {
  return names === null ? "all components" : names.length === 0 ? "no component" : names.map((n) => esc(n)).join(", ");
}

/**
 * The page a confirmation link opens: what is asked, and a button that POSTs to `action` (a link scanner following
 * the link confirms nothing).
 */
export function renderConfirmPage(view: PageView, pending: PendingSubscription, action: string): string {
  const body =
    `<p>Receive status updates from ${esc(view.page.name)} at <strong>${esc(pending.address)}</strong>, for ${followed(pending.componentNames)}?</p>` +
    `<form method="post" action="${esc(action)}"><p><button type="submit">Confirm subscription</button></p></form>` +
    `<p class="hint">If you did not ask for this, close this page: nothing happens.</p>`;
  return flowPage(view, "Confirm your subscription", paths.confirm, body);
}

/** After confirming. */
export function renderConfirmedPage(view: PageView, pending: PendingSubscription, unsubscribeUrl: string): string {
  const how = pending.kind === "email" ? "an e-mail" : "a POST to your webhook";
  const body =
    `<p class="notice">You are subscribed: ${how} will tell <strong>${esc(pending.address)}</strong> about incidents and maintenance of ${followed(pending.componentNames)}.</p>` +
    `<p>Every message has a link to unsubscribe; so does this page: <a href="${esc(unsubscribeUrl)}">unsubscribe</a>.</p>`;
  return flowPage(view, "You are subscribed", paths.confirm, body + backHome);
}

/** A confirmation or unsubscribe link that cannot be used: expired, or not one Vigil made. */
export function renderLinkProblemPage(view: PageView, problem: { reason: "expired" | "invalid"; action: "confirm" | "unsubscribe"; confirmWithinMs?: number }): string {
  const title = problem.reason === "expired" ? "This link has expired" : "This link is not valid";
  const why =
    problem.reason === "expired"
      ? `Confirmation links work for ${esc(durationInWords(problem.confirmWithinMs ?? 86_400_000))}; nothing was stored.`
      : "It may have been cut short or changed on its way (copy the whole link from the message).";
  const next = problem.action === "confirm" ? `<p><a href="${paths.subscribe}">Subscribe again</a> to get a new link.</p>` : `<p>Use the unsubscribe link of the latest message you received.</p>`;
  const path = problem.action === "confirm" ? paths.confirm : paths.unsubscribe;
  return flowPage(view, title, path, `<p class="notice">${why}</p>${next}${backHome}`);
}

/** The page an unsubscribe link opens: a button that POSTs to `action`. */
export function renderUnsubscribePage(view: PageView, action: string): string {
  const body =
    `<p>Stop receiving status updates from ${esc(view.page.name)}?</p>` +
    `<form method="post" action="${esc(action)}"><p><button type="submit">Unsubscribe</button></p></form>`;
  return flowPage(view, "Unsubscribe", paths.unsubscribe, body + backHome);
}

/** After unsubscribing (also when the subscriber was already gone). */
export function renderUnsubscribedPage(view: PageView): string {
  const again = view.subscribe ? ` Changed your mind? <a href="${paths.subscribe}">Subscribe again</a>.` : "";
  const body = `<p class="notice">You will receive no more status updates from ${esc(view.page.name)} at this address.${again}</p>`;
  return flowPage(view, "Unsubscribed", paths.unsubscribe, body + backHome);
}
