// The email channel through a real SMTP server (smtp-server, in this process), the message parsed back
// with mailparser: both parts, the subject, the envelope; SMTP replies classified as retry or not.
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSendContext } from "../../../test/helpers/http-sink.ts";
import { EmailConfig, emailChannel, renderEmail } from "./email.ts";
import { incidentOpened, incidentResolved } from "./fixtures.test-helper.ts";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

describe("email", () => {
  const inbox: Received[] = [];
  let reject: number | null = null;
  let server: SMTPServer;
  let port = 0;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (reject !== null) {
          const error = Object.assign(new Error(reject >= 500 ? "no such user" : "try again later"), { responseCode: reject });
          callback(error);
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        let raw = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => (raw += chunk));
        stream.on("end", () => {
          inbox.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const config = () => EmailConfig.parse({ host: "127.0.0.1", port, from: "status@example.com", to: ["oncall@example.com", "lead@example.com"], subject_prefix: "[Acme]" });

  it("sends a text and an HTML part through SMTP to every recipient", async () => {
    const message = incidentOpened();
    const result = await emailChannel.send(renderEmail(message, config()), config(), testSendContext({ idempotencyKey: "7:mail" }));
    expect(result).toMatchObject({ ok: true });
    expect(inbox).toHaveLength(1);
    const mail = inbox[0]!;
    expect(mail.from).toBe("status@example.com");
    expect(mail.to).toEqual(["oncall@example.com", "lead@example.com"]);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).toBe(`[Acme] ${message.title}`);
    expect(parsed.text).toContain(message.url);
    expect(parsed.html).toContain("<!DOCTYPE html>");
    expect(parsed.html).toContain(message.title.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));
    expect(parsed.headers.get("x-vigil-idempotency-key")).toBe("7:mail");
  });

  it("renders resolutions too, escaping what it inserts into HTML", () => {
    const message = { ...incidentResolved(), title: "Resolved: <b>API</b> & co" };
    const payload = renderEmail(message, config());
    expect(payload.subject).toBe("[Acme] Resolved: <b>API</b> & co");
    expect(payload.html).toContain("Resolved: &lt;b&gt;API&lt;/b&gt; &amp; co");
    expect(payload.html).not.toContain("<b>API</b>");
  });

  it.each([
    [450, true],
    [550, false],
  ])("classifies an SMTP %i reply as retryable: %s", async (code, retryable) => {
    reject = code;
    try {
      const result = await emailChannel.send(renderEmail(incidentOpened(), config()), config(), testSendContext());
      expect(result).toMatchObject({ ok: false, retryable });
      expect(!result.ok && result.error).toMatch(new RegExp(`^SMTP ${code}`));
    } finally {
      reject = null;
    }
  });

  it("says a refused connection is worth retrying", async () => {
    const closed = EmailConfig.parse({ host: "127.0.0.1", port: 1, from: "status@example.com", to: ["oncall@example.com"] });
    const result = await emailChannel.send(renderEmail(incidentOpened(), closed), closed, testSendContext());
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it("refuses a bad address in its configuration", () => {
    const result = EmailConfig.safeParse({ host: "smtp.example.com", from: "status", to: ["oncall@example.com"] });
    expect(result.success).toBe(false);
  });
});
