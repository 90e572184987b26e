/** The channels page: each notification channel (id and type, never its settings), test sends, and failed deliveries. */
import { esc } from "../../statuspage/render/html/escape.ts";
import { consolePage, csrfField, type SignedInChrome } from "./pages.ts";
import { noticeBlock, refusalBlock, scrollBox, shownTime, type Refusal } from "./manage-forms.ts";

/** A delivery of the outbox as the API lists it (the fields the page shows). */
export interface DeliveryItem {
  id: string;
  destination: string;
  status: string;
  attempts: number;
  last_error: string | null;
  kind: string | null;
  title: string | null;
  updated_at: string;
}

/** The outcome of a test send, as the API says it. */
export interface TestResult {
  channel: string;
  ok: boolean;
  detail: string | null;
}

/** The page; `canTest` shows the test buttons, `canRetry` the retry buttons of the deliveries given up. */
export function channelsPage(input: {
  chrome: SignedInChrome;
  channels: readonly { id: string; type: string }[];
  failed: readonly DeliveryItem[];
  canTest: boolean;
  canRetry: boolean;
  refusal?: Refusal;
  notice?: string;
  result?: TestResult;
}): string {
  const csrf = input.chrome.csrf;
  const channels =
    input.channels.length === 0
      ? `<p id="channels-none">No channels are configured (<code>notifications.channels</code> in the configuration).</p>`
      : `${scrollBox("Notification channels")}<table id="channels"><caption class="vh">Notification channels</caption><thead><tr><th scope="col">Channel</th><th scope="col">Type</th>${input.canTest ? '<th scope="col">Actions</th>' : ""}</tr></thead><tbody>` +
        input.channels
          .map(
            (c) =>
              `<tr><th scope="row">${esc(c.id)}</th><td>${esc(c.type)}</td>${
                input.canTest
                  ? `<td><form method="post" action="/manage/channels/${esc(encodeURIComponent(c.id))}/test">${csrfField(csrf)}<button type="submit" aria-label="${esc(`Send a test through ${c.id}`)}">Send a test</button></form></td>`
                  : ""
              }</tr>`,
          )
          .join("") +
        `</tbody></table></div>`;
  const result = input.result
    ? `<p id="test-result" role="status" class="${input.result.ok ? "note" : "error"}">Test through ${esc(input.result.channel)}: ${input.result.ok ? "sent" : "failed"}${input.result.detail ? ` (${esc(input.result.detail)})` : ""}.</p>`
    : "";
  const failed =
    input.failed.length === 0
      ? `<p id="failed-none">No failed deliveries.</p>`
      : `${scrollBox("Failed deliveries")}<table id="failed"><caption class="vh">Failed deliveries</caption><thead><tr><th scope="col">Message</th><th scope="col">Channel</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Given up</th>${input.canRetry ? '<th scope="col">Actions</th>' : ""}</tr></thead><tbody>` +
        input.failed
          .map((d) => {
            const name = d.title ?? d.kind ?? d.id;
            const retry = input.canRetry
              ? `<td><form method="post" action="/manage/channels/deliveries/${esc(encodeURIComponent(d.id))}/retry">${csrfField(csrf)}<button type="submit" aria-label="${esc(`Retry ${name} to ${d.destination}`)}">Retry</button></form></td>`
              : "";
            return `<tr id="d-${esc(d.id)}"><th scope="row">${esc(name)}</th><td>${esc(d.destination)}</td><td>${d.attempts}</td><td>${esc(d.last_error ?? "")}</td><td>${shownTime(d.updated_at)}</td>${retry}</tr>`;
          })
          .join("") +
        `</tbody></table></div>`;
  return consolePage(
    "Channels",
    `<h1>Channels</h1>${noticeBlock(input.notice)}${result}${refusalBlock(input.refusal)}<section aria-labelledby="channels-h"><h2 id="channels-h">Notification channels</h2>` +
      `<p class="note">Their settings hold secrets and are not shown; they are set in the configuration file.</p>${channels}</section>` +
      `<section aria-labelledby="failed-h"><h2 id="failed-h">Failed deliveries</h2><p class="note">Deliveries given up after their last attempt, newest first.${input.canRetry ? " Retry queues one again once its receiver is fixed." : ""}</p>${failed}</section>`,
    { chrome: input.chrome, narrow: false },
  );
}
