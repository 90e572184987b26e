// The subscribe endpoint's limits over HTTP, behind a trusted reverse proxy, on a manual clock: per recipient
// whoever asks, per IPv6 /64, per client as the proxy saw it (not as the client wrote it), and in all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClockedVigil, type ClockedVigil } from "../helpers/hardening.ts";
import { startSmtpInbox, type SmtpInbox } from "../helpers/smtp-inbox.ts";

const config = (smtpPort: number) => `
site: { name: Acme Status }
components: [{ id: api, name: Production API }]
server:
  trusted_proxies: [127.0.0.1]
subscribers:
  email: { host: 127.0.0.1, port: ${smtpPort}, from: "Acme Status <status@example.com>" }
  rate_limit: { requests: 2, per: 10m, recipient: { requests: 2, per: 1h }, global: { requests: 6, per: 1m } }
`;

describe("the subscribe endpoint's rate limits", () => {
  let smtp: SmtpInbox;
  let test: ClockedVigil;

  /** A subscription request through the proxy for `client`, as the JSON API or the form. */
  const ask = async (forwardedFor: string, email: string, via: "api" | "form" = "api") => {
    const res =
      via === "api"
        ? await fetch(`${test.vigil.url}/api/v1/subscriptions`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor }, body: JSON.stringify({ email }) })
        : await fetch(`${test.vigil.url}/subscribe`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": forwardedFor }, body: new URLSearchParams({ email }).toString() });
    return { status: res.status, retryAfter: res.headers.get("retry-after") };
  };
  const statuses = async (requests: [string, string][]) => {
    const out: number[] = [];
    for (const [client, email] of requests) out.push((await ask(client, email)).status);
    return out;
  };

  beforeAll(async () => {
    smtp = await startSmtpInbox();
    test = await startClockedVigil(config(smtp.port));
  }, 60_000);
  afterAll(async () => {
    await test?.dispose();
    await smtp?.close();
  });
  // Every window of the previous test is over.
  const nextTest = () => test.clock.advance(2 * 3_600_000);

  it("sends one recipient at most its limit, whichever clients ask, and again after the window", async () => {
    nextTest();
    expect(await statuses([["203.0.113.1", "victim@example.com"], ["203.0.113.2", "victim@example.com"]])).toEqual([202, 202]);
    const refused = await ask("203.0.113.3", "victim@example.com", "form");
    expect(refused).toEqual({ status: 429, retryAfter: "3600" });
    test.clock.advance(3_600_000);
    expect((await ask("203.0.113.4", "victim@example.com")).status).toBe(202);
    await expect.poll(async () => (await smtp.to("victim@example.com")).length, { timeout: 10_000, interval: 50 }).toBe(3);
  });

  it("counts an IPv6 client by its /64", async () => {
    nextTest();
    expect(
      await statuses([
        ["2001:db8:1:2::1", "v6-a@example.com"],
        ["2001:db8:1:2::2", "v6-b@example.com"],
        ["2001:db8:1:2:ffff::3", "v6-c@example.com"],
        ["2001:db8:1:3::1", "v6-d@example.com"],
      ]),
    ).toEqual([202, 202, 429, 202]);
  });

  it("believes the address the trusted proxy appended, not what the client wrote before it", async () => {
    nextTest();
    expect(
      await statuses([
        ["198.51.100.7, 203.0.113.50", "spoof-a@example.com"],
        ["198.51.100.8, 203.0.113.50", "spoof-b@example.com"],
        ["198.51.100.9, 203.0.113.50", "spoof-c@example.com"],
        ["203.0.113.51", "spoof-d@example.com"],
      ]),
    ).toEqual([202, 202, 429, 202]);
  });

  it("holds the global limit whoever asks for whom, and reopens after its window", async () => {
    nextTest();
    const crowd = Array.from({ length: 7 }, (_, i): [string, string] => [`192.0.2.${i + 1}`, `crowd-${i}@example.com`]);
    expect(await statuses(crowd.slice(0, 6))).toEqual([202, 202, 202, 202, 202, 202]);
    test.clock.advance(20_000);
    expect(await ask(...crowd[6]!)).toEqual({ status: 429, retryAfter: "40" });
    test.clock.advance(40_000);
    expect((await ask(...crowd[6]!)).status).toBe(202);
  });
});
