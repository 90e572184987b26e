// Incidents from real detection: two failing monitors on a dependency chain make ONE incident whose
// root is the dependency; an unrelated failure makes another; recovery moves it to monitoring, then resolved.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const healthy: Record<string, boolean> = { db: true, api: true, mail: true };
let target: Server;
let test: TestVigil;

const config = (port: number) => `
site: { name: Acme Status }
components:
  - id: orders-db
    name: Orders database
    monitors: [db-check]
  - id: api
    name: Production API
    depends_on: [orders-db]
    monitors: [api-check]
  - id: checkout
    name: Checkout
    depends_on: [api]
  - id: mail
    name: Mail
    monitors: [mail-check]
monitors:
${["db", "api", "mail"].map((t) => `  - { id: ${t}-check, type: http, url: "http://127.0.0.1:${port}/${t}", interval: 1s, timeout: 500ms, recheck: 200ms }`).join("\n")}
incidents:
  resolve_after: 1s
`;

const api = async (url: string) => (await test.get(url)).json;
const incidents = async () => (await api("/api/v1/incidents")).incidents as any[];
const monitorStatus = async (id: string) => (await api(`/api/v1/monitors/${id}`)).state.status;

beforeAll(async () => {
  target = createServer((req, res) => {
    res.writeHead(healthy[req.url?.slice(1) ?? ""] ? 200 : 503);
    res.end();
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  const port = (target.address() as { port: number }).port;
  test = await startTestVigil(config(port));
}, 60_000);

afterAll(async () => {
  await test?.dispose();
  target?.close();
});

describe("incidents from detection", () => {
  it("opens one incident for the root cause, another for an unrelated failure, and resolves them by policy", async () => {
    for (const m of ["db-check", "api-check", "mail-check"]) await expect.poll(() => monitorStatus(m), { timeout: 15_000, interval: 100 }).toBe("up");
    healthy.api = false;
    healthy.db = false;
    await expect.poll(async () => (await incidents()).length, { timeout: 15_000, interval: 100 }).toBe(1);
    await expect.poll(() => monitorStatus("api-check"), { timeout: 15_000, interval: 100 }).toBe("down");
    await expect.poll(() => monitorStatus("db-check"), { timeout: 15_000, interval: 100 }).toBe("down");
    await expect.poll(async () => (await incidents())[0]?.root_components, { timeout: 10_000, interval: 100 }).toEqual(["orders-db"]);
    const [incident] = await incidents();
    expect(incident.impacted_components).toEqual(expect.arrayContaining(["api", "checkout"]));
    expect(incident.status).toBe("investigating");
    expect(incident.impact).toBe("critical");
    expect(incident.published_at).not.toBeNull();
    expect(Date.parse(incident.earliest_possible_start)).toBeLessThanOrEqual(Date.parse(incident.started_at));

    healthy.mail = false;
    await expect.poll(async () => (await incidents()).length, { timeout: 15_000, interval: 100 }).toBe(2);
    const mail = (await incidents()).find((i) => i.root_components.includes("mail"));
    expect(mail.impacted_components).toEqual([]);

    healthy.api = true;
    healthy.db = true;
    healthy.mail = true;
    await expect.poll(async () => (await api(`/api/v1/incidents/${incident.id}`)).status, { timeout: 30_000, interval: 200 }).toBe("resolved");
    const full = await api(`/api/v1/incidents/${incident.id}`);
    expect(full.updates.map((u: { status: string }) => u.status)).toEqual(["investigating", "monitoring", "resolved"]);
    // The first update names what was known then; the last one, everything the incident came to cover.
    expect(full.updates.at(-1).affected_components.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining(["orders-db", "api", "checkout"]));
    const kinds = full.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds[0]).toBe("incident.created");
    expect(kinds).toContain("incident.resolved");
    expect(Date.parse(full.resolved_at)).toBeGreaterThanOrEqual(Date.parse(full.monitoring_at));
    await expect.poll(async () => (await api("/api/v1/incidents?open=true")).incidents.length, { timeout: 30_000, interval: 200 }).toBe(0);
  }, 90_000);

  it("takes a responder's update, which holds automation, and enforces the lifecycle", async () => {
    const writer = (await createToken({ store: test.vigil.store, clock: systemClock }, { name: "oncall", scope: "publish", actor: "test" })).token;
    const post = async (id: string, body: unknown) => {
      const res = await fetch(`${test.vigil.url}/api/v1/incidents/${id}/updates`, { method: "POST", headers: { authorization: `Bearer ${writer}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as any };
    };
    healthy.mail = false;
    await expect.poll(async () => (await api("/api/v1/incidents?open=true")).incidents.length, { timeout: 15_000, interval: 100 }).toBe(1);
    const [open] = (await api("/api/v1/incidents?open=true")).incidents;
    const identified = await post(open.id, { status: "identified", body: "The mail relay's certificate **expired**." });
    expect(identified.status).toBe(201);
    expect(identified.json.status).toBe("identified");

    healthy.mail = true;
    await expect.poll(() => monitorStatus("mail-check"), { timeout: 15_000, interval: 100 }).toBe("up");
    await test.vigil.incidents.step();
    expect((await api(`/api/v1/incidents/${open.id}`)).status).toBe("identified");

    const refused = await post(open.id, { status: "postmortem", body: "skip ahead" });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain("identified → postmortem");
    expect((await post(open.id, { status: "resolved" })).status).toBe(400);
    expect((await post("inc_0000000000000000", { body: "x" })).status).toBe(404);

    const resolved = await post(open.id, { status: "resolved", body: "Certificate renewed." });
    expect(resolved.json).toMatchObject({ status: "resolved", resolved_at: expect.any(String) });
    const full = await api(`/api/v1/incidents/${open.id}`);
    expect(full.updates.map((u: { status: string; actor: string }) => [u.status, u.actor.startsWith("token:")])).toEqual([["investigating", false], ["identified", true], ["resolved", true]]);
    expect(full.timeline.find((e: { kind: string }) => e.kind === "incident.resolved")).toMatchObject({ actor: expect.stringMatching(/^token:tok_/) });
    expect(full.timeline.at(-1)).toMatchObject({ kind: "incident.postmortem_drafted", actor: "system" });
    expect((await api("/api/v1/incidents?open=true")).incidents).toEqual([]);
  }, 90_000);
});
