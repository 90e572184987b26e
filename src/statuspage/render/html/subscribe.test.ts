import { describe, expect, it } from "vitest";
import { samplePageView } from "../../../../test/helpers/page-view.ts";
import type { PageView } from "../../view/types.ts";
import {
  durationInWords,
  renderConfirmedPage,
  renderConfirmPage,
  renderLinkProblemPage,
  renderRateLimitedPage,
  renderSubscribePage,
  renderSubscribeSentPage,
  renderUnsubscribedPage,
  renderUnsubscribePage,
} from "./subscribe.ts";

const view: PageView = { ...samplePageView(), subscribe: { email: true, webhook: true } };
const hostile = `"'><x-pwn onmouseover=alert(1)>`;

const pages: [string, string][] = [
  ["form", renderSubscribePage(view)],
  ["form with an error", renderSubscribePage(view, { values: { email: "x" }, error: { field: "email", message: "the e-mail address has no @" } })],
  ["sent", renderSubscribeSentPage(view, { kind: "email", address: "ada@example.com", expiresInMs: 86_400_000 })],
  ["rate limited", renderRateLimitedPage(view, 90_000)],
  ["confirm", renderConfirmPage(view, { kind: "email", address: "ada@example.com", componentNames: null }, "/subscriptions/confirm?token=abc.def")],
  ["confirmed", renderConfirmedPage(view, { kind: "email", address: "ada@example.com", componentNames: ["API"] }, "/subscriptions/unsubscribe?token=abc.def")],
  ["expired", renderLinkProblemPage(view, { reason: "expired", action: "confirm", confirmWithinMs: 86_400_000 })],
  ["unsubscribe", renderUnsubscribePage(view, "/subscriptions/unsubscribe?token=abc.def")],
  ["unsubscribed", renderUnsubscribedPage(view)],
];

describe("the subscription pages", () => {
  it.each(pages)("%s: the site's layout, one h1 and one h2, no script at all, no handler or style attribute, not indexed", (_name, html) => {
    expect(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">")).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).toContain('<meta name="robots" content="noindex">');
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(html.match(/<h2[\s>]/g)).toHaveLength(1);
    expect(html).toContain('<main id="main" tabindex="-1">');
    // Answered per request: no "last updated" line about the status.
    expect(html).not.toContain("Last updated");
    expect(html).toContain("Powered by Vigil");
  });

  it("marks the form page as the current navigation entry", () => {
    expect(pages[0]![1]).toContain('<a href="/subscribe" aria-current="page">Get updates</a>');
    expect(pages[2]![1]).toContain('<a href="/subscribe" aria-current="page">Get updates</a>');
    expect(pages[4]![1]).toContain('<a href="/subscribe">Get updates</a>');
  });

  it("shows the form again with what was typed and the error linked to its field", () => {
    const html = renderSubscribePage(view, {
      values: { email: hostile, webhookUrl: "", components: ["api", "nope"], format: "vigil" },
      error: { field: "email", message: `the e-mail address contains ${hostile}` },
    });
    expect(html).not.toContain("<x-pwn");
    expect(html).toContain('<p class="form-error" id="subscribe-error"><strong>Please check:</strong> <a href="#subscribe-email">E-mail address</a>: the e-mail address contains &quot;&#39;&gt;&lt;x-pwn');
    expect(html).toContain('value="&quot;&#39;&gt;&lt;x-pwn onmouseover=alert(1)&gt;" aria-invalid="true" aria-describedby="subscribe-error">');
    expect(html).toContain('value="api" checked>');
    expect(html).not.toContain('value="checkout" checked');
    expect(html).toContain('<details class="subscribe-webhook"><summary>');
  });

  it("opens the webhook details when the webhook was used or is wrong, keeping the format chosen", () => {
    const html = renderSubscribePage(view, { values: { webhookUrl: "https://example.com/x", format: "statuspage" }, error: { field: "webhook_url", message: "bad" } });
    expect(html).toContain('<details class="subscribe-webhook" open>');
    expect(html).toContain('<option value="statuspage" selected>');
    expect(html).toContain('name="webhook_url" type="url" inputmode="url" autocomplete="off" spellcheck="false" maxlength="2048" value="https://example.com/x" aria-invalid="true"');
    const components = renderSubscribePage(view, { error: { field: "components", message: "no" } });
    expect(components).toContain('<fieldset class="subscribe-components" id="subscribe-components" aria-describedby="subscribe-error">');
  });

  it("says the same after every request, naming the address and when the link expires", () => {
    const sent = pages[2]![1];
    expect(sent).toContain("<h2 id=\"flow-heading\">Check your inbox</h2>");
    expect(sent).toContain("Check your inbox: if <strong>ada@example.com</strong> can receive our e-mail, a confirmation link is on its way; it expires in 24 hours.");
    const webhook = renderSubscribeSentPage(view, { kind: "webhook", address: `https://example.com/${hostile}`, expiresInMs: 3_600_000 });
    expect(webhook).toContain("Check your webhook");
    expect(webhook).toContain("it expires in 1 hour.");
    expect(webhook).not.toContain("<x-pwn");
  });

  it("confirms with a button that POSTs to the link, and escapes what the link carries", () => {
    const html = renderConfirmPage(view, { kind: "webhook", address: `https://e.com/?a=1&b=${hostile}`, componentNames: [`API ${hostile}`, "Search"] }, `/subscriptions/confirm?token=a.b&format=statuspage`);
    expect(html).toContain('<form method="post" action="/subscriptions/confirm?token=a.b&amp;format=statuspage"><p><button type="submit">Confirm subscription</button></p></form>');
    expect(html).not.toContain("<x-pwn");
    expect(html).toContain("for API &quot;&#39;&gt;&lt;x-pwn onmouseover=alert(1)&gt;, Search?");
    expect(pages[4]![1]).toContain("for all components?");
  });

  it("links the subscribed page to its unsubscribe link, and problem pages to the form", () => {
    expect(pages[5]![1]).toContain('<a href="/subscriptions/unsubscribe?token=abc.def">unsubscribe</a>');
    expect(pages[5]![1]).toContain("You are subscribed");
    expect(pages[6]![1]).toContain("This link has expired");
    expect(pages[6]![1]).toContain("Confirmation links work for 24 hours");
    expect(pages[6]![1]).toContain('<a href="/subscribe">Subscribe again</a>');
    const invalid = renderLinkProblemPage(view, { reason: "invalid", action: "unsubscribe" });
    expect(invalid).toContain("This link is not valid");
    expect(invalid).not.toContain("Subscribe again");
  });

  it("unsubscribes with a button, and offers to subscribe again only when the page takes subscriptions", () => {
    expect(pages[7]![1]).toContain('<form method="post" action="/subscriptions/unsubscribe?token=abc.def"><p><button type="submit">Unsubscribe</button></p></form>');
    expect(pages[8]![1]).toContain("Subscribe again");
    expect(renderUnsubscribedPage({ ...view, subscribe: null })).not.toContain("Subscribe again");
  });

  it("says when to try again after too many requests, in whole minutes past the first", () => {
    expect(renderRateLimitedPage(view, 599_001)).toContain("Please try again in 10 minutes.");
    expect(renderRateLimitedPage(view, 90_000)).toContain("Please try again in 2 minutes.");
    expect(renderRateLimitedPage(view, 12_300)).toContain("Please try again in 13 seconds.");
  });

  it("says so when the page takes no subscriptions", () => {
    expect(renderSubscribePage({ ...view, subscribe: null })).toContain("This page does not offer subscriptions.");
  });
});

describe("durationInWords", () => {
  it.each([
    [86_400_000, "24 hours"],
    [2 * 86_400_000, "2 days"],
    [36 * 3_600_000, "36 hours"],
    [3_600_000, "1 hour"],
    [5_400_000, "1 hour 30 minutes"],
    [600_000, "10 minutes"],
    [90_000, "1 minute 30 seconds"],
    [1000, "1 second"],
    [0, "a moment"],
  ])("says %d ms as %j", (ms, words) => {
    expect(durationInWords(ms)).toBe(words);
  });
});
