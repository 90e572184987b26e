import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { describe, expect, it } from "vitest";
import { awkwardText, incidentIdentified, incidentOpened, incidentResolved, maintenanceStarted, monitorDown } from "../notify/channels/fixtures.test-helper.ts";
import type { NotificationMessage } from "../notify/types.ts";
import { oneLine, renderConfirmationEmail, renderSubscriberEmail, renderSubscriberWebhook, renderWebhookConfirmation, subscriberEmailTemplate, type SubscriberEmail } from "./render.ts";

const opts = { from: "Acme Status <status@acme.test>", to: "ada@example.com", unsubscribeUrl: "https://status.acme.test/unsubscribe?t=abc.def", manageUrl: "https://status.acme.test/subscription?t=ghi.jkl" };
const expiresAt = new Date("2026-03-15T09:25:00.000Z");
const confirmation = { siteName: "Acme Status", siteUrl: "https://status.acme.test", from: "status@acme.test", to: "ada@example.com", confirmUrl: "https://status.acme.test/confirm?t=abc.def", componentNames: ["Orders database", "Production API"], expiresAt };

/** An e-mail through nodemailer and back through a parser, as a mail client would read it. */
async function roundTrip(mail: SubscriberEmail) {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = (await transport.sendMail({ ...mail })) as { message: Buffer; envelope: { to: string[] } };
  const raw = info.message.toString("utf8");
  return { parsed: await simpleParser(info.message), envelope: info.envelope, headerLines: raw.slice(0, raw.search(/\r?\n\r?\n/)).split(/\r?\n/) };
}

describe("subscriber e-mails", () => {
  it.each([
    ["an opened incident", incidentOpened(), "[Acme Status] Orders database outage: Investigating"],
    ["an update", incidentIdentified(), "[Acme Status] Orders database outage: Identified"],
    ["a resolution", incidentResolved(), "[Acme Status] Orders database outage: Resolved"],
    ["maintenance", maintenanceStarted(), "[Acme Status] Database upgrade: In progress"],
    ["maintenance titled by the notifier", { ...maintenanceStarted(), title: "[Maintenance] Database upgrade: in progress" }, "[Acme Status] Database upgrade: In progress"],
  ])("give %s the subject [site] name: status", (_name, message, subject) => {
    expect(renderSubscriberEmail(message, opts).subject).toBe(subject);
  });

  it("say what happened in public words, in both parts", () => {
    const mail = renderSubscriberEmail(incidentOpened(), opts);
    expect(mail.text).toBe(
      [
        "Orders database outage: Investigating",
        "",
        "Connections to the orders database are failing; checkout is unavailable.",
        "",
        "Impact: Critical",
        "Started: 2026-03-14 09:25 UTC",
        "Affected:",
        "- Orders database: major outage (was operational)",
        "- Production API: partial outage (was operational)",
        "",
        "View incident: https://status.acme.test/incidents/inc-42",
        "",
        "-- ",
        "You receive this because you subscribed to status updates from Acme Status.",
        "Manage your subscription: https://status.acme.test/subscription?t=ghi.jkl",
        "Unsubscribe: https://status.acme.test/unsubscribe?t=abc.def",
      ].join("\n"),
    );
    expect(mail.html).toContain("<strong>orders database</strong>");
    expect(mail.html).toContain('<a href="https://status.acme.test/incidents/inc-42">View incident</a>');
    expect(mail.html).toContain('<a href="https://status.acme.test/unsubscribe?t=abc.def">Unsubscribe</a>');
    expect(mail.html).toContain('<a href="https://status.acme.test/subscription?t=ghi.jkl">Manage your subscription</a>');
    expect(mail.html).toContain("Orders database: major outage (was operational)<br>Production API");
  });

  it("show when a resolved incident ended", () => {
    const mail = renderSubscriberEmail(incidentResolved(), opts);
    expect(mail.text).toContain("Resolved: 2026-03-14 10:02 UTC");
    expect(mail.html).toContain("2026-03-14 10:02 UTC");
  });

  it("leave out the manage link when there is none", () => {
    const mail = renderSubscriberEmail(incidentOpened(), { ...opts, manageUrl: undefined });
    expect(mail.text).not.toContain("Manage");
    expect(mail.html).not.toContain("Manage");
    expect(mail.text).toContain("Unsubscribe: https://status.acme.test/unsubscribe?t=abc.def");
  });

  it.each([
    ["an incident", incidentOpened()],
    ["maintenance", maintenanceStarted()],
  ])("never show ids, labels or monitor names for %s", (_name, message) => {
    const mail = renderSubscriberEmail(message, opts);
    const outside = (text: string) => text.split(message.url).join("");
    for (const part of [mail.subject, outside(mail.text), outside(mail.html), JSON.stringify(mail.headers)]) {
      for (const secret of ["orders-db-mysql", "eu-west", "inc-42", "mnt-7", "4711", "4800", "vigil:", '"api"', "orders-db,", "[Critical]"]) expect(part).not.toContain(secret);
      expect(part).not.toMatch(/\borders-db\b/);
    }
  });

  it("carry RFC 8058 one-click unsubscribe headers", () => {
    const mail = renderSubscriberEmail(incidentOpened(), opts);
    expect(mail.headers).toEqual({
      "Auto-Submitted": "auto-generated",
      "List-Unsubscribe": "<https://status.acme.test/unsubscribe?t=abc.def>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
  });

  it("keep header values on one line and inside their brackets", () => {
    const mail = renderSubscriberEmail(incidentOpened(), { ...opts, unsubscribeUrl: "https://x.test/u?t=a>\r\nBcc: eve@evil.test" });
    expect(mail.headers["List-Unsubscribe"]).toBe("<https://x.test/u?t=a%3E%20Bcc:%20eve@evil.test>");
  });

  it("escape everything in the HTML", () => {
    const base = incidentOpened();
    const message: NotificationMessage = {
      ...base,
      site: { name: `Acme <script>alert(1)</script>`, url: base.site.url },
      markdown: `${awkwardText}\n\n<script>alert(2)</script><img src=x onerror=alert(3)>`,
      incident: { ...base.incident!, name: `<img src=x onerror=alert(4)> & "co"`, status: "<b>bold</b>" },
      components: [{ id: "c", name: "<i>API</i>", group: null, status: "major_outage", previousStatus: null }],
      url: 'https://status.acme.test/incidents/x"><script>alert(5)</script>',
    };
    const mail = renderSubscriberEmail(message, opts);
    expect(mail.html).not.toMatch(/<script|<img|<i>|<b>|onerror=alert\(4\)>/);
    expect(mail.html).toContain("&lt;img src=x onerror=alert(4)&gt; &amp; &quot;co&quot;");
    expect(mail.html).toContain("&lt;i&gt;API&lt;/i&gt;");
    expect(mail.html).toContain("Acme &lt;script&gt;");
    expect(mail.html).toContain('href="https://status.acme.test/incidents/x&quot;&gt;&lt;script&gt;alert(5)&lt;/script&gt;"');
    // The text part is plain text: nothing to escape, markup read as text.
    expect(mail.text).toContain('<img src=x onerror=alert(4)> & "co"');
  });

  it("never make a link of a javascript: URL", () => {
    const mail = renderSubscriberEmail({ ...incidentOpened(), url: "javascript:alert(1)" }, { ...opts, unsubscribeUrl: "javascript:alert(2)" });
    expect(mail.html).not.toContain('href="javascript:');
    expect(mail.html).toContain("Unsubscribe: javascript:alert(2)");
  });

  it("keep a subject naming a line break on one line", () => {
    const base = incidentOpened();
    const mail = renderSubscriberEmail({ ...base, site: { ...base.site, name: "Acme\r\nBcc: eve@evil.test" }, incident: { ...base.incident!, name: "Outage\nX-Evil: 1" } }, opts);
    expect(mail.subject).toBe("[Acme Bcc: eve@evil.test] Outage X-Evil: 1: Investigating");
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it("refuse a kind subscribers are not sent", () => {
    expect(() => renderSubscriberEmail(monitorDown(), opts)).toThrow(/monitor.down messages are not sent to subscribers/);
    expect(() => renderSubscriberWebhook({ ...incidentOpened(), kind: "incident.update_due" }, opts)).toThrow(RangeError);
  });

  it("reach a mail client with one recipient, both parts and the unsubscribe headers", async () => {
    const base = incidentOpened();
    const mail = renderSubscriberEmail({ ...base, incident: { ...base.incident!, name: "Outage\r\nBcc: eve@evil.test" } }, opts);
    const { parsed, envelope, headerLines } = await roundTrip(mail);
    expect(envelope.to).toEqual(["ada@example.com"]);
    expect(parsed.headers.has("bcc")).toBe(false);
    expect(headerLines.filter((line) => /^bcc:/i.test(line))).toEqual([]);
    expect(parsed.subject).toBe("[Acme Status] Outage Bcc: eve@evil.test: Investigating");
    expect(headerLines).toContain("List-Unsubscribe: <https://status.acme.test/unsubscribe?t=abc.def>");
    expect(headerLines).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    expect(headerLines).toContain("Auto-Submitted: auto-generated");
    expect(parsed.text).toContain("Unsubscribe: https://status.acme.test/unsubscribe?t=abc.def");
    expect(parsed.html).toContain("Unsubscribe</a>");
  });
});

describe("subscriberEmailTemplate", () => {
  it.each([
    ["opened", incidentOpened()],
    ["identified", incidentIdentified()],
    ["resolved", incidentResolved()],
    ["maintenance", maintenanceStarted()],
  ])("gives each subscriber exactly what rendering for them gives (%s)", (_name, message) => {
    const template = subscriberEmailTemplate(message, { from: "Acme <status@example.com>" });
    for (const [to, url] of [
      ["ana@example.com", "https://status.example.com/subscriptions/unsubscribe?token=abc.DEF_-1"],
      ["bo@example.org", "https://status.example.com/subscriptions/unsubscribe?token=x&y=<1>"],
    ] as const) {
      expect(template(to, url)).toEqual(renderSubscriberEmail(message, { from: "Acme <status@example.com>", to, unsubscribeUrl: url }));
    }
  });
});

describe("confirmation e-mail", () => {
  it("say what was asked, link to confirm, when it expires and that ignoring it is fine", () => {
    const mail = renderConfirmationEmail(confirmation);
    expect(mail.subject).toBe("[Acme Status] Confirm your subscription");
    expect(mail.from).toBe("status@acme.test");
    expect(mail.to).toBe("ada@example.com");
    expect(mail.text).toContain("status updates from Acme Status (https://status.acme.test) at ada@example.com, for Orders database, Production API.");
    expect(mail.text).toContain("Confirm your subscription: https://status.acme.test/confirm?t=abc.def");
    expect(mail.text).toContain("This link expires on 2026-03-15 09:25 UTC.");
    expect(mail.text).toMatch(/ignore this e-mail: nothing happens/);
    expect(mail.html).toContain('<a href="https://status.acme.test/confirm?t=abc.def">Confirm your subscription</a>');
    expect(mail.html).toContain("expires on 2026-03-15 09:25 UTC");
    expect(mail.html).toMatch(/ignore this e-mail: nothing happens/);
    expect(mail.headers).toEqual({ "Auto-Submitted": "auto-generated" });
  });

  it("say all components when none were chosen", () => {
    expect(renderConfirmationEmail({ ...confirmation, componentNames: null }).text).toContain(", for all components.");
  });

  it("escape names in the HTML and keep the subject on one line", () => {
    const mail = renderConfirmationEmail({ ...confirmation, siteName: "Acme\n<b>Status</b>", componentNames: ["<script>x</script>"] });
    expect(mail.subject).toBe("[Acme <b>Status</b>] Confirm your subscription");
    expect(mail.html).not.toMatch(/<script>|<b>/);
    expect(mail.html).toContain("&lt;script&gt;x&lt;/script&gt;");
  });
});

describe("subscriber webhooks", () => {
  it("ask a new webhook to confirm", () => {
    const body = renderWebhookConfirmation({ siteName: "Acme Status", siteUrl: "https://status.acme.test", confirmUrl: "https://status.acme.test/confirm?t=abc.def", expiresAt, signingSecret: "whsec_abc" });
    expect(body).toEqual({
      event: "subscription.confirm",
      site: { name: "Acme Status", url: "https://status.acme.test" },
      confirm_url: "https://status.acme.test/confirm?t=abc.def",
      expires_at: "2026-03-15T09:25:00.000Z",
      signing_secret: "whsec_abc",
      text: "Open confirm_url before 2026-03-15 09:25 UTC to receive status updates from Acme Status at this URL. If nobody does, nothing happens and nothing more is sent. Keep signing_secret: every request to this URL is signed with it (Vigil-Signature), and it is not sent again.",
    });
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });

  it("send public facts only about an incident", () => {
    const body = renderSubscriberWebhook(incidentResolved(), { unsubscribeUrl: opts.unsubscribeUrl });
    expect(body).toEqual({
      event: "incident.resolved",
      at: "2026-03-14T10:02:10.000Z",
      site: { name: "Acme Status", url: "https://status.acme.test" },
      name: "Orders database outage",
      status: "Resolved",
      text: "The orders database is answering again; checkout works.",
      url: "https://status.acme.test/incidents/inc-42",
      incident: { name: "Orders database outage", status: "resolved", impact: "critical", started_at: "2026-03-14T09:25:41.000Z", resolved_at: "2026-03-14T10:02:10.000Z" },
      components: [
        { name: "Orders database", group: "Data stores", status: "operational", previous_status: "major_outage" },
        { name: "Production API", group: null, status: "operational", previous_status: "partial_outage" },
      ],
      unsubscribe_url: opts.unsubscribeUrl,
    });
  });

  it("name the maintenance and leave out its ids", () => {
    const body = renderSubscriberWebhook(maintenanceStarted(), { unsubscribeUrl: opts.unsubscribeUrl });
    expect(body).toMatchObject({ event: "maintenance.in_progress", name: "Database upgrade", status: "In progress", incident: null, text: "Scheduled maintenance is in progress." });
    expect(JSON.stringify(body)).not.toMatch(/orders-db-mysql|eu-west|"4800"|dedup/);
  });
});

describe("oneLine", () => {
  it.each([
    ["a\r\nb", "a b"],
    ["a\u2028b\tc", "a b c"],
    ["  a  \n  b  ", "a b"],
    ["plain", "plain"],
  ])("put %j on one line as %j", (text, line) => {
    expect(oneLine(text)).toBe(line);
  });
});
