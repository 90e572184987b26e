/**
 * Subscriber addresses are for admins only: an SMTP server that refuses a subscriber quotes the address back, and
 * that error must not reach what a `read` token sees (the deliveries' `last_error`, `notification.failed` events).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpInbox, type SmtpInbox } from "../helpers/smtp-inbox.ts";
import { freshTarget, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const refused = "Private.Person@Example.org";

describe("subscriber delivery errors", () => {
  let smtp: SmtpInbox;
  let target: StoreTarget;
  let test: TestVigil;
  beforeAll(async () => {
    // A temporary refusal (450) is retried, so it is recorded as notification.failed; 550 would end the delivery.
    smtp = await startSmtpInbox({ rejectRecipient: (address) => (address.toLowerCase() === refused.toLowerCase() ? 450 : undefined) });
    target = await freshTarget(process.env.VIGIL_TEST_POSTGRES_URL ? "postgres" : "pglite");
    test = await startTestVigil(
      `site: { name: Acme Status, url: "https://status.example.com" }
components: [{ id: api, name: API }]
subscribers:
  email: { host: 127.0.0.1, port: ${smtp.port}, from: status@example.com }
`,
      { databaseUrl: target.url },
    );
    const now = new Date();
    await test.vigil.store.subscribers.confirm({ id: "sub_refused", kind: "email", address: "Private.Person@example.org", componentIds: null, format: null, confirmedAt: now, createdAt: now });
    await test.vigil.store.subscribers.confirm({ id: "sub_fine", kind: "email", address: "ada@example.com", componentIds: null, format: null, confirmedAt: now, createdAt: now });
  }, 180_000);
  afterAll(async () => {
    await test?.dispose();
    await target?.dispose();
    await smtp?.close();
  });

  it("keeps the refused address out of last_error and notification.failed, saying what happened", async () => {
    const created = await test.send("POST", "/api/v1/incidents", { name: "API outage", body: "Looking into it.", components: { api: "major_outage" } });
    expect(created.status).toBe(201);
    await expect.poll(async () => (await smtp.to("ada@example.com")).length, { timeout: 20_000, interval: 100 }).toBe(1);
    const failed = async () => (await test.get("/api/v1/events?kind=notification.failed")).json.events as { data: { destination: string; error: string } }[];
    await expect.poll(async () => (await failed()).some((e) => e.data.destination === "subscriber:sub_refused"), { timeout: 20_000, interval: 100 }).toBe(true);
    const deliveries = (await test.get("/api/v1/deliveries?destination=subscriber:sub_refused")).json.deliveries as { last_error: string | null }[];
    const seen: string = JSON.stringify({ deliveries, failed: await failed() });
    expect(deliveries[0]?.last_error).toBe("SMTP 450: Can't send mail - all recipients were rejected: 450 <[recipient]>: Recipient address rejected: User unknown in virtual mailbox table");
    expect(seen.toLowerCase()).not.toContain("private.person");
  }, 60_000);
});
