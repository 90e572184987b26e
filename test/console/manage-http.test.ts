// The console's management pages over HTTP, on each store: maintenances, silences, subscribers, channels, tokens and users.
// Every form writes through the HTTP API as the signed-in user, so the API's refusals are shown next to the form with
// what was typed kept, a role without the action sees no control and is refused, and the audit log names the user.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { consoleClient, errorIn, noticeIn, unescapeHtml as unescape } from "../helpers/console-forms.ts";
import { addUserWithPassword, signInOverHttp } from "../helpers/console-users.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const valueOf = (html: string, id: string) => unescape(new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(html)?.[1]);

/** A local webhook receiver: the bodies it was sent. */
async function startReceiver(): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      response.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`the console's management pages on ${backend.name}`, () => {
    const clock = new ManualClock("2026-12-01T09:00:00Z");
    let target: StoreTarget;
    let test: TestVigil;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    const cookies: Record<string, string> = {};

    beforeAll(async () => {
      receiver = await startReceiver();
      target = await freshTarget(backend.name);
      const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
  - { id: web, name: Website }
notifications:
  channels:
    - { id: oncall, type: webhook, url: "${receiver.url}" }
`;
      test = await startTestVigil(config, { clock, ...(target.url ? { databaseUrl: target.url } : {}) });
      const deps = { store: test.vigil.store, clock };
      for (const [email, role] of [["ada@example.com", "owner"], ["adam@example.com", "admin"], ["rob@example.com", "responder"], ["vic@example.com", "viewer"]] as const) {
        await addUserWithPassword(deps, email, role);
        cookies[role] = await signInOverHttp(test.vigil.url, email);
      }
    }, 120_000);
    afterAll(async () => {
      await test?.dispose();
      await target?.dispose();
      await receiver?.close();
    });

    const client = consoleClient(() => test.vigil.url);
    const get = (role: string, path: string) => client.get(cookies[role] ?? "", path);
    /** Sends a form as `role`, with the CSRF token of the page it is on (or `csrf` when given). */
    const post = (role: string, path: string, fields: Record<string, string | string[]>, csrf?: string) => client.post(cookies[role] ?? "", path, fields, csrf);
    const auditOf = async (operation: string) => (await test.vigil.store.audit.list({}, 500)).filter((e) => e.operation === operation);

    it("schedules, starts and cancels a maintenance; shows the API's refusal with what was typed", async () => {
      const page = await get("responder", "/manage/maintenances");
      expect(page.status).toBe(200);
      expect(page.html).toContain('<a href="/manage/maintenances" aria-current="page">Maintenances</a>');
      expect(page.html).toContain('<label for="m-from">From <span class="note">(UTC)</span></label><input id="m-from" name="from" type="datetime-local"');

      const bad = await post("responder", "/manage/maintenances", { name: "DB upgrade", body: "Primary moves", components: ["api"], from: "2026-12-02T02:00", until: "soon" });
      expect(bad.status).toBe(400);
      expect(errorIn(bad.html)).toContain("scheduled_until: expected an ISO 8601 time with a zone");
      expect(valueOf(bad.html, "m-name")).toBe("DB upgrade");
      expect(valueOf(bad.html, "m-from")).toBe("2026-12-02T02:00");
      expect(valueOf(bad.html, "m-until")).toBe("soon");
      expect(bad.html).toContain('value="api" checked');

      const made = await post("responder", "/manage/maintenances", { name: "DB upgrade", body: "Primary moves", components: ["api", "web"], from: "2026-12-02T02:00", until: "2026-12-02T03:30" });
      expect(made.status).toBe(200);
      expect(noticeIn(made.html)).toBe("Scheduled: DB upgrade.");
      const [row] = await test.vigil.store.maintenances.list({});
      expect(row?.scheduledFor.toISOString()).toBe("2026-12-02T02:00:00.000Z");
      expect(row?.scheduledUntil.toISOString()).toBe("2026-12-02T03:30:00.000Z");
      expect(row?.componentIds).toEqual(["api", "web"]);
      expect(made.html).toMatch(/<table id="scheduled">.*DB upgrade.*<time datetime="2026-12-02T02:00:00.000Z">2026-12-02 02:00 UTC<\/time>/s);
      const [entry] = await auditOf("createMaintenance");
      expect(entry).toMatchObject({ actor: "rob@example.com", via: "session", status: 201 });

      const started = await post("responder", `/manage/maintenances/${row!.id}/status`, { status: "in_progress" });
      expect(noticeIn(started.html)).toBe("DB upgrade is in progress.");
      expect(started.html).toMatch(/<table id="running">.*DB upgrade/s);
      const cancelled = await post("responder", `/manage/maintenances/${row!.id}/cancel`, {});
      expect(noticeIn(cancelled.html)).toBe("DB upgrade is cancelled.");
      const again = await post("responder", `/manage/maintenances/${row!.id}/cancel`, {});
      expect(again.status).toBe(409);
      expect(errorIn(again.html)).toMatch(/cancel/);

      // A viewer sees the list without a control, and is refused the form.
      const viewer = await get("viewer", "/manage/maintenances");
      expect(viewer.html).toContain("DB upgrade");
      expect(viewer.html).not.toContain('action="/manage/maintenances"');
      expect(viewer.html).not.toContain("/cancel");
      const refused = await post("viewer", "/manage/maintenances", { name: "x", components: ["api"], from: "2026-12-02T02:00", until: "2026-12-02T03:00" });
      expect(refused.status).toBe(403);
      expect(refused.html).toContain("maintenances.write");
      // A forged form is refused, and nothing is stored.
      const forged = await post("responder", "/manage/maintenances", { name: "forged", components: ["api"], from: "2026-12-02T02:00", until: "2026-12-02T03:00" }, "not-the-token");
      expect(forged.status).toBe(403);
      expect(forged.html).toContain("Form refused");
      expect(await test.vigil.store.maintenances.list({})).toHaveLength(1);
    }, 60_000);

    it("edits a scheduled maintenance in a prefilled form; the new times move it; shows the API's refusal with what was typed", async () => {
      await post("responder", "/manage/maintenances", { name: "Cache flush", body: "Caches restart", components: ["api"], from: "2026-12-03T02:00", until: "2026-12-03T03:00" });
      const row = (await test.vigil.store.maintenances.list({})).find((m) => m.name === "Cache flush")!;
      const list = await get("responder", "/manage/maintenances");
      expect(list.html).toContain(`<a href="/manage/maintenances/${row.id}" aria-label="Edit: Cache flush">Edit</a>`);
      const page = await get("responder", `/manage/maintenances/${row.id}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain(`<form method="post" action="/manage/maintenances/${row.id}" id="edit">`);
      expect(valueOf(page.html, "m-name")).toBe("Cache flush");
      expect(unescape(/<textarea id="m-body"[^>]*>([^<]*)<\/textarea>/.exec(page.html)?.[1])).toBe("Caches restart");
      expect(valueOf(page.html, "m-from")).toBe("2026-12-03T02:00");
      expect(valueOf(page.html, "m-until")).toBe("2026-12-03T03:00");
      expect(page.html).toContain('value="api" checked');
      expect(page.html).not.toContain('value="web" checked');

      const bad = await post("responder", `/manage/maintenances/${row.id}`, { name: "Cache flush, longer", body: "Caches restart", components: ["web"], from: "2026-12-03T04:00", until: "2026-12-03T03:00" });
      expect(bad.status).toBe(400);
      expect(errorIn(bad.html)).toBe("scheduled_until: the end (2026-12-03T03:00:00.000Z) must be after the start (2026-12-03T04:00:00.000Z)");
      expect(valueOf(bad.html, "m-name")).toBe("Cache flush, longer");
      expect(valueOf(bad.html, "m-from")).toBe("2026-12-03T04:00");
      expect(bad.html).toContain('value="web" checked');
      expect((await test.vigil.store.maintenances.get(row.id))?.name).toBe("Cache flush");

      // Moved to a start already passed (the clock reads 09:00): it starts at once.
      const saved = await post("responder", `/manage/maintenances/${row.id}`, { name: "Cache flush, moved", body: "Caches restart", components: ["web"], from: "2026-12-01T08:30", until: "2026-12-01T10:00" });
      expect(saved.status).toBe(200);
      expect(noticeIn(saved.html)).toBe("Saved: Cache flush, moved.");
      expect(saved.html).toMatch(/<table id="running">.*Cache flush, moved/s);
      expect(await test.vigil.store.maintenances.get(row.id)).toMatchObject({ status: "in_progress", componentIds: ["web"], scheduledUntil: new Date("2026-12-01T10:00:00Z") });
      const [entry] = await auditOf("editMaintenance");
      expect(entry).toMatchObject({ actor: "rob@example.com", via: "session", action: "maintenances.write", targetId: row.id, status: 200 });
      // Its text emptied: back to the default text, as when scheduled without one (it was kept, and the page said saved).
      const emptied = await post("responder", `/manage/maintenances/${row.id}`, { name: "Cache flush, moved", body: "", components: ["web"], from: "2026-12-01T08:30", until: "2026-12-01T10:00" });
      expect(noticeIn(emptied.html)).toBe("Saved: Cache flush, moved.");
      expect((await test.vigil.store.maintenances.get(row.id))?.body).toBe("Scheduled maintenance is in progress.");

      // Over the API, one field alone: the others stay.
      const session = { authorization: `Session ${cookies.responder?.split("=")[1]}`, "content-type": "application/json" };
      const patched = await fetch(`${test.vigil.url}/api/v1/maintenances/${row.id}`, { method: "PATCH", headers: session, body: JSON.stringify({ scheduled_until: "2026-12-01T11:00:00Z" }) });
      expect(patched.status).toBe(200);
      expect(await patched.json()).toMatchObject({ name: "Cache flush, moved", components: ["web"], scheduled_until: "2026-12-01T11:00:00.000Z" });
      const unknown = await fetch(`${test.vigil.url}/api/v1/maintenances/${row.id}`, { method: "PATCH", headers: session, body: JSON.stringify({ components: ["nope"] }) });
      expect(unknown.status).toBe(404);

      // A viewer is refused the form; a forged form changes nothing; a cancelled maintenance is final.
      expect((await get("viewer", `/manage/maintenances/${row.id}`)).status).toBe(403);
      expect((await post("responder", `/manage/maintenances/${row.id}`, { name: "forged", components: ["web"], from: "2026-12-01T08:30", until: "2026-12-01T10:00" }, "forged")).status).toBe(403);
      await post("responder", `/manage/maintenances/${row.id}/cancel`, {});
      const final = await post("responder", `/manage/maintenances/${row.id}`, { name: "Too late", components: ["web"], from: "2026-12-01T08:30", until: "2026-12-01T10:00" });
      expect(final.status).toBe(409);
      expect(errorIn(final.html)).toBe(`maintenance ${row.id} is cancelled: a completed or cancelled maintenance cannot be edited`);
      expect(valueOf(final.html, "m-name")).toBe("Too late");
      expect((await test.vigil.store.maintenances.get(row.id))?.name).toBe("Cache flush, moved");
    }, 60_000);

    it("creates and expires a silence; shows the API's refusal with what was typed", async () => {
      const bad = await post("responder", "/manage/silences", { component: "nope", severity: ">=major", kind: "", labels: "", duration: "2h", ends: "", comment: "deploy" });
      expect(bad.status).toBe(400);
      expect(errorIn(bad.html)).toBe('the request body is invalid: body.matchers.component: no component has the id "nope"');
      expect(valueOf(bad.html, "s-component")).toBe("nope");
      expect(valueOf(bad.html, "s-comment")).toBe("deploy");
      expect(bad.html).toContain('<option value="&gt;=major" selected>');

      const made = await post("responder", "/manage/silences", { component: "api", severity: ">=major", kind: "", labels: "team=db", duration: "2h", ends: "", comment: "deploy of api 4.2" });
      expect(made.status).toBe(200);
      expect(noticeIn(made.html)).toBe("Silenced until 2026-12-01T11:00:00.000Z: component: api; severity: major, critical; labels: team=db.");
      const [silence] = await test.vigil.store.silences.list();
      expect(silence?.comment).toBe("deploy of api 4.2");
      expect(made.html).toMatch(/<table id="current">.*deploy of api 4\.2/s);
      expect((await auditOf("createSilence"))[0]).toMatchObject({ actor: "rob@example.com", via: "session", status: 201 });

      const viewer = await get("viewer", "/manage/silences");
      expect(viewer.html).toContain("deploy of api 4.2");
      expect(viewer.html).not.toContain("/expire");
      expect((await post("viewer", `/manage/silences/${silence!.id}/expire`, {})).status).toBe(403);
      expect((await post("responder", `/manage/silences/${silence!.id}/expire`, {}, "forged")).status).toBe(403);

      const expired = await post("responder", `/manage/silences/${silence!.id}/expire`, {});
      expect(expired.status).toBe(200);
      expect(noticeIn(expired.html)).toBe("Expired: component: api; severity: major, critical; labels: team=db.");
      expect(expired.html).toMatch(/<table id="expired">.*deploy of api 4\.2/s);
      expect(expired.html).toContain('<p id="current-none">None.</p>');
      expect((await auditOf("expireSilence"))[0]).toMatchObject({ actor: "rob@example.com", status: 200 });
    }, 60_000);

    it("imports, searches, exports and removes subscribers, for admins and owners only", async () => {
      expect((await get("responder", "/manage/subscribers")).status).toBe(403);
      expect(await (await get("responder", "/manage")).html).not.toContain('href="/manage/subscribers"');
      expect((await get("admin", "/manage")).html).toContain('href="/manage/subscribers"');

      const csv = "kind,address,components,confirmed_at\r\nemail,ann@example.com,,\r\nemail,bo@acme.example,api,\r\n";
      const bad = await post("admin", "/manage/subscribers/import", { csv: "kind,address\nfax,123\n" });
      expect(bad.status).toBe(400);
      expect(errorIn(bad.html)).toMatch(/^the CSV has 1 error; nothing was imported/);
      expect(bad.html).toContain("<li><code>line 2</code>: ");
      expect(unescape(/<textarea id="csv"[^>]*>([^<]*)<\/textarea>/.exec(bad.html)?.[1])).toBe("kind,address\nfax,123\n");

      const dry = await post("admin", "/manage/subscribers/import", { csv, dry_run: "true" });
      expect(noticeIn(dry.html)).toBe("Dry run, nothing stored: would add 2, update 0, skipped 0.");
      expect(await test.vigil.store.subscribers.count()).toBe(0);
      const imported = await post("admin", "/manage/subscribers/import", { csv });
      expect(imported.status).toBe(200);
      expect(noticeIn(imported.html)).toBe("Added 2, updated 0, skipped 0.");
      expect((await auditOf("importSubscribers"))[0]).toMatchObject({ actor: "adam@example.com", via: "session", status: 200 });

      const found = await get("admin", "/manage/subscribers?q=ACME");
      expect(found.html).toContain("<th scope=\"row\">bo@acme.example</th>");
      expect(found.html).not.toContain("ann@example.com");
      expect(valueOf(found.html, "q")).toBe("ACME");
      const api = await fetch(`${test.vigil.url}/api/v1/subscribers?q=acme`, { headers: { authorization: `Session ${cookies.admin?.split("=")[1]}` } });
      expect(((await api.json()) as { subscribers: { address: string }[] }).subscribers.map((s) => s.address)).toEqual(["bo@acme.example"]);

      const exported = await fetch(`${test.vigil.url}/manage/subscribers/export.csv`, { headers: { cookie: cookies.admin ?? "" } });
      expect(exported.status).toBe(200);
      expect(exported.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(exported.headers.get("content-disposition")).toBe('attachment; filename="vigil-subscribers-2026-12-01.csv"');
      const text = await exported.text();
      expect(text).toContain("ann@example.com");
      expect(text).toContain("bo@acme.example");
      expect((await auditOf("exportSubscribers")).some((e) => e.actor === "adam@example.com" && e.via === "session")).toBe(true);
      expect((await fetch(`${test.vigil.url}/manage/subscribers/export.csv`, { headers: { cookie: cookies.responder ?? "" } })).status).toBe(403);

      const bo = (await test.vigil.store.subscribers.list()).find((s) => s.address === "bo@acme.example")!;
      expect((await post("responder", `/manage/subscribers/${bo.id}/remove`, {})).status).toBe(403);
      expect((await post("admin", `/manage/subscribers/${bo.id}/remove`, {}, "forged")).status).toBe(403);
      const removed = await post("admin", `/manage/subscribers/${bo.id}/remove`, { q: "acme" });
      expect(removed.status).toBe(200);
      expect(noticeIn(removed.html)).toBe("The subscriber is removed; they get no further messages.");
      expect(removed.html).toContain('<p id="subscribers-none">No subscriber matches.</p>');
      expect((await post("admin", `/manage/subscribers/${bo.id}/remove`, {})).status).toBe(404);
      expect((await auditOf("removeSubscriber")).find((e) => e.status === 204)).toMatchObject({ actor: "adam@example.com" });
    }, 60_000);

    it("lists channels without their settings and sends a test through one", async () => {
      const page = await get("viewer", "/manage/channels");
      expect(page.status).toBe(200);
      expect(page.html).toContain("<th scope=\"row\">oncall</th><td>webhook</td>");
      expect(page.html).not.toContain(receiver.url);
      expect(page.html).not.toContain("/test");
      expect(page.html).toContain('<p id="failed-none">No failed deliveries.</p>');
      // The receiver also gets the notifications of the earlier tests' writes: count the test messages.
      const tests = () => receiver.bodies.filter((b) => (JSON.parse(b) as { event?: string }).event === "test").length;
      expect((await post("viewer", "/manage/channels/oncall/test", {})).status).toBe(403);
      expect((await post("responder", "/manage/channels/oncall/test", {}, "forged")).status).toBe(403);
      expect(tests()).toBe(0);

      const sent = await post("responder", "/manage/channels/oncall/test", {});
      expect(sent.status).toBe(200);
      expect(unescape(/<p id="test-result"[^>]*>([^<]*)<\/p>/.exec(sent.html)?.[1])).toMatch(/^Test through oncall: sent \(127\.0\.0\.1:\d+ answered 2\d\d/);
      expect(tests()).toBe(1);
      expect((await auditOf("testChannel"))[0]).toMatchObject({ actor: "rob@example.com", via: "session" });
      // A delivery given up is listed with its last error.
      await test.vigil.store.outbox.enqueue([{ eventId: "1", destination: "oncall", idempotencyKey: "k-dead", orderKey: "o-dead", nextAttemptAt: clock.now(), message: { kind: "incident.created", title: "[Major] API outage" }, createdAt: clock.now() }]);
      const [dead] = await test.vigil.store.outbox.list({ destination: "oncall" });
      await test.vigil.store.outbox.update(dead!.id, { status: "dead", attempts: 8, lastError: "127.0.0.1 answered 503", updatedAt: clock.now() });
      const failed = await get("viewer", "/manage/channels");
      expect(failed.html).toContain(`<tr id="d-${dead!.id}"><th scope="row">[Major] API outage</th><td>oncall</td><td>8</td><td>127.0.0.1 answered 503</td>`);
      const unknown = await post("responder", "/manage/channels/pager/test", {});
      expect(unknown.status).toBe(404);
      expect(errorIn(unknown.html)).toMatch(/pager/);
    }, 60_000);

    it("queues a delivery given up again, for admins and owners only", async () => {
      const message = { kind: "incident.created", eventId: "2", at: clock.now().toISOString(), site: { name: "Acme Status", url: "https://status.example.com" }, severity: "critical", title: "[Major] Website outage", text: "Down.", markdown: null, url: null, dedupKey: "incident:inc_w", incident: null, components: [], labels: {} };
      await test.vigil.store.outbox.enqueue([{ eventId: "2", destination: "oncall", idempotencyKey: "k-retry", orderKey: "o-retry", nextAttemptAt: clock.now(), message, createdAt: clock.now() }]);
      const dead = (await test.vigil.store.outbox.list({ destination: "oncall" })).find((d) => d.idempotencyKey === "k-retry")!;
      await test.vigil.store.outbox.update(dead.id, { status: "dead", attempts: 3, lastError: "127.0.0.1 answered 410", updatedAt: clock.now() });
      const action = `/manage/channels/deliveries/${dead.id}/retry`;
      for (const role of ["viewer", "responder"]) {
        const page = await get(role, "/manage/channels");
        expect(page.html).toContain(`<tr id="d-${dead.id}">`);
        expect(page.html).not.toContain("/retry");
        expect((await post(role, action, {})).status).toBe(403);
      }
      const shown = await get("admin", "/manage/channels");
      expect(shown.html).toContain(`<form method="post" action="${action}">`);
      expect(shown.html).toContain('aria-label="Retry [Major] Website outage to oncall">Retry</button>');
      expect((await post("admin", action, {}, "forged")).status).toBe(403);
      expect((await test.vigil.store.outbox.get(dead.id))?.status).toBe("dead");

      const retried = await post("admin", action, {});
      expect(retried.status).toBe(200);
      expect(noticeIn(retried.html)).toBe("Delivery of [Major] Website outage to oncall is queued again.");
      expect(retried.html).not.toContain(`<tr id="d-${dead.id}">`);
      await expect.poll(() => receiver.bodies.filter((b) => b.includes("[Major] Website outage")).length, { timeout: 10_000, interval: 50 }).toBe(1);
      await expect.poll(async () => (await test.vigil.store.outbox.get(dead.id))?.status, { timeout: 10_000, interval: 50 }).toBe("delivered");
      const again = await post("admin", action, {});
      expect(again.status).toBe(409);
      expect(errorIn(again.html)).toBe(`delivery ${dead.id} is delivered: only a dead (given up) delivery can be retried`);
      expect((await post("owner", "/manage/channels/deliveries/999999/retry", {})).status).toBe(404);
      expect((await auditOf("retryDelivery")).map((e) => [e.actor, e.via, e.targetId, e.status])).toEqual([
        ["ada@example.com", "session", "999999", 404],
        ["adam@example.com", "session", dead.id, 409],
        ["adam@example.com", "session", dead.id, 200],
      ]);
    }, 60_000);

    it("creates a token, shows its secret once and never again, and revokes it; owners only", async () => {
      expect((await get("admin", "/manage/tokens")).status).toBe(403);
      expect((await get("admin", "/manage")).html).not.toContain('href="/manage/tokens"');
      expect((await post("admin", "/manage/tokens", { name: "ci", role: "viewer" })).status).toBe(403);

      const bad = await post("owner", "/manage/tokens", { name: "deploys", role: "admin", user: "nobody@example.com", expires_in: "90d", expires_at: "" });
      expect(bad.status).toBe(400);
      expect(errorIn(bad.html)).toContain("no console user with the email nobody@example.com");
      expect(valueOf(bad.html, "t-name")).toBe("deploys");
      expect(valueOf(bad.html, "t-user")).toBe("nobody@example.com");
      expect(bad.html).toContain('<option value="admin" selected>');

      const made = await post("owner", "/manage/tokens", { name: "deploys", role: "responder", user: "", expires_in: "30d", expires_at: "" });
      expect(made.status).toBe(201);
      const secret = unescape(/<code id="secret">([^<]+)<\/code>/.exec(made.html)?.[1]) ?? "";
      expect(secret.length).toBeGreaterThan(20);
      const works = await fetch(`${test.vigil.url}/api/v1/components`, { headers: { authorization: `Bearer ${secret}` } });
      expect(works.status).toBe(200);
      const listed = await get("owner", "/manage/tokens");
      expect(listed.html).toMatch(/<th scope="row">deploys<\/th><td>responder<\/td><td>service<\/td>.*<time datetime="2026-12-31T09:00:00.000Z">/s);
      expect(listed.html).not.toContain(secret);
      const [entry] = await auditOf("createToken");
      expect(entry).toMatchObject({ actor: "ada@example.com", via: "session", status: 201 });
      expect(JSON.stringify(await test.vigil.store.audit.list({}, 500))).not.toContain(secret);

      const token = (await test.vigil.store.tokens.list()).find((t) => t.name === "deploys")!;
      expect((await post("owner", `/manage/tokens/${token.id}/revoke`, {}, "forged")).status).toBe(403);
      const revoked = await post("owner", `/manage/tokens/${token.id}/revoke`, {});
      expect(revoked.status).toBe(200);
      expect(noticeIn(revoked.html)).toBe(`Revoked the token ${token.id}.`);
      expect(revoked.html).toMatch(/<th scope="row">deploys<\/th>.*<td>revoked /s);
      expect((await fetch(`${test.vigil.url}/api/v1/components`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    }, 60_000);

    it("changes a user's role and access from the users page through the API, and names tokens' users by e-mail", async () => {
      const dan = await addUserWithPassword({ store: test.vigil.store, clock }, "dan@example.com", "responder");
      const ada = (await test.vigil.store.users.byEmail("ada@example.com"))!;
      cookies.dan = await signInOverHttp(test.vigil.url, "dan@example.com");
      const page = await get("owner", "/manage/users");
      expect(page.html).toContain(`<form method="post" action="/manage/users/${dan.id}/role" class="inline">`);
      expect(page.html).toMatch(new RegExp(`<select id="role-${dan.id}" name="role">.*<option value="responder" selected>`));
      expect(page.html).toContain(`aria-label="Disable dan@example.com">Disable</button>`);
      // No Disable for the owner themself (the API would refuse it).
      expect(page.html).not.toContain(`aria-label="Disable ada@example.com"`);
      expect((await post("admin", `/manage/users/${dan.id}/role`, { role: "viewer" })).status).toBe(403);
      expect((await post("owner", `/manage/users/${dan.id}/role`, { role: "viewer" }, "forged")).status).toBe(403);

      const lowered = await post("owner", `/manage/users/${dan.id}/role`, { role: "viewer" });
      expect(lowered.status).toBe(200);
      expect(noticeIn(lowered.html)).toBe("dan@example.com is now viewer.");
      expect((await test.vigil.store.users.get(dan.id))?.role).toBe("viewer");
      expect((await auditOf("manageUser")).find((e) => e.targetId === dan.id)).toMatchObject({ actor: "ada@example.com", via: "session", action: "users.manage", status: 200 });

      expect((await get("dan", "/manage")).status).toBe(200);
      const disabled = await post("owner", `/manage/users/${dan.id}/access`, { disabled: "true" });
      expect(noticeIn(disabled.html)).toBe("dan@example.com is disabled: their sessions ended and their API tokens stop working.");
      expect(disabled.html).toContain(`aria-label="Enable dan@example.com">Enable</button>`);
      const out = await get("dan", "/manage");
      expect(out.status).toBe(303);
      expect(out.res.headers.get("location")).toBe("/manage/login");
      const enabled = await post("owner", `/manage/users/${dan.id}/access`, { disabled: "false" });
      expect(noticeIn(enabled.html)).toBe("dan@example.com is enabled again.");
      expect((await test.vigil.store.users.get(dan.id))?.disabledAt).toBeNull();

      // The last enabled owner keeps the role: the API's refusal is shown on the page.
      const last = await post("owner", `/manage/users/${ada.id}/role`, { role: "admin" });
      expect(last.status).toBe(409);
      expect(unescape(/<p class="error" role="alert">([^<]*)<\/p>/.exec(last.html)?.[1])).toBe(
        "ada@example.com is the last enabled owner: make another user owner first, or nobody could manage users and tokens",
      );
      expect((await test.vigil.store.users.get(ada.id))?.role).toBe("owner");

      // Another user's token is named by their e-mail on the tokens page.
      await createToken({ store: test.vigil.store, clock }, { name: "rob-cli", role: "responder", user: "rob@example.com", actor: "test" });
      expect((await get("owner", "/manage/tokens")).html).toMatch(/<th scope="row">rob-cli<\/th><td>responder<\/td><td>rob@example.com<\/td>/);
    }, 60_000);

    it("gives the account and users pages the signed-in header with their entry marked", async () => {
      const account = await get("responder", "/manage/account");
      expect(account.html).toContain('<a href="/manage/account" aria-current="page">Account</a>');
      expect(account.html).toContain('<strong id="who">rob@example.com</strong>');
      const users = await get("owner", "/manage/users");
      expect(users.html).toContain('<a href="/manage/users" aria-current="page">Users</a>');
    }, 60_000);
  });
}
