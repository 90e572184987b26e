// Responders are told when an action's run waits for their approval, through a running Vigil on both stores: a run
// asked for through the API reaches the team's webhook (routed by its kind) with the link to the run in the console
// and the CLI command, and PagerDuty as a trigger per run; an approval that times out is told too, and resolves the
// run's alert; a Statuspage-format webhook and the public's subscribers never get them, though the subscriber hears
// of the published incident.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { addUserWithPassword, signInOverHttp } from "../helpers/console-users.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

interface Hook {
  event: string;
  title: string;
  text: string;
  url: string;
  dedup_key: string;
  severity: string;
  incident: { id: string; name: string } | null;
  components: { id: string }[];
  labels: Record<string, string>;
}

const routingKey = "R0ab12cd34ef56ab78cd90ef12ab34cd";

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`approval requests to responders on ${backend.name}`, () => {
    let sink: HttpSink;
    let target: StoreTarget;
    let test: TestVigil;
    let incident: string;
    let rita = "";
    // Rita, a responder, asks for a run with a token of hers.
    const ask = async (body: Record<string, unknown>) => {
      const res = await fetch(`${test.vigil.url}/api/v1/actions/runs`, { method: "POST", headers: { authorization: `Bearer ${rita}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as any };
    };
    const received = (path: string) => sink.requests.filter((r) => r.path === path);
    const hooks = () => received("/team").map((r) => r.body as Hook);

    beforeAll(async () => {
      sink = await startHttpSink();
      target = await freshTarget(backend.name);
      const config = `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database }
notifications:
  # Groups would hold a new message for an hour: a run's messages are never held.
  grouping: { group_wait: 1h }
  channels:
    - { id: team, type: webhook, url: "${sink.url}/team" }
    - { id: pager, type: pagerduty, routing_key: ${routingKey}, url: "${sink.url}/pd" }
    - { id: statuspage, type: webhook, format: statuspage, url: "${sink.url}/statuspage" }
  routes:
    - { channels: [team, pager, statuspage], match: { kind: "action.*" } }
subscribers: { webhooks: true, allow_private_webhooks: true }
actions:
  definitions:
    - { id: scale-down, type: webhook, url: "${sink.url}/scale", approval: { required: 1, roles: [responder] } }
    - { id: drain, type: webhook, url: "${sink.url}/drain", approval: { required: 2, timeout: 2s } }
`;
      test = await startTestVigil(config, target.url ? { databaseUrl: target.url } : {});
      const now = new Date();
      await test.vigil.store.subscribers.confirm({ id: "sub_public", kind: "webhook", address: `${sink.url}/public`, componentIds: ["orders-db"], format: "vigil", confirmedAt: now, createdAt: now });
      const opened = await test.send("POST", "/api/v1/incidents", { name: "Orders database outage", body: "Investigating.", components: { "orders-db": "major_outage" } });
      expect(opened.status, JSON.stringify(opened.json)).toBe(201);
      incident = opened.json.id;
      const deps = { store: test.vigil.store, clock: systemClock };
      await addUserWithPassword(deps, "rick@example.com", "responder");
      await addUserWithPassword(deps, "rita@example.com", "responder");
      rita = (await createToken(deps, { name: "rita-cli", role: "responder", user: "rita@example.com", actor: "test" })).token;
    }, 120_000);

    afterAll(async () => {
      await test?.dispose();
      await target?.dispose();
      await sink?.close();
    });

    it("sends the team the approval request of an incident's run, with the console's link and the CLI command, at once (never held by a group)", async () => {
      const asked = await ask({ action: "scale-down", incident });
      expect(asked.status, JSON.stringify(asked.json)).toBe(201);
      const run = asked.json.id as string;
      const timeout = new Date(asked.json.approval_timeout_at as string);
      await expect.poll(() => hooks().filter((h) => h.dedup_key === run).length, { timeout: 15_000, interval: 100 }).toBe(1);
      const hook = hooks().find((h) => h.dedup_key === run)!;
      const link = `https://status.example.com/manage/actions#run-${run}`;
      expect(hook).toMatchObject({
        event: "action.approval_requested",
        severity: "minor",
        title: "[Action] scale-down waits for approval (0 of 1)",
        url: link,
        incident: { id: incident, name: "Orders database outage" },
        components: [{ id: "orders-db" }],
        labels: { action: "scale-down", run },
      });
      expect(hook.text).toBe(
        [
          `Action scale-down (webhook) for Orders database outage (${incident}) waits for approval: 1 person must approve it, not the one who asked for it.`,
          "Who may approve: responder (or a higher role).",
          `Unless approved by ${timeout.toISOString().slice(0, 16).replace("T", " ")} UTC, it times out and does not run.`,
          `Approve or reject it at ${link}, or: vigil action approve ${run}`,
        ].join("\n"),
      );
      // The console's page the link opens has the run's row, where a responder approves it.
      const session = await signInOverHttp(test.vigil.url, "rick@example.com");
      const page = await (await fetch(`${test.vigil.url}/manage/actions`, { headers: { cookie: session } })).text();
      expect(page).toContain(`<tr id="run-${run}">`);
      expect(page).toContain(`action="/manage/actions/runs/${run}/approve"`);

      // PagerDuty: a trigger keyed by the run, with the link.
      await expect.poll(() => received("/pd").length, { timeout: 15_000, interval: 100 }).toBe(1);
      expect(received("/pd")[0]!.body).toMatchObject({ event_action: "trigger", dedup_key: run, payload: { class: "action.approval_requested", severity: "warning" }, links: [{ href: link, text: "Approve or reject" }] });

      // The Statuspage-format webhook's delivery is done without a request: Statuspage has no such event.
      await expect
        .poll(async () => ((await test.get("/api/v1/deliveries?destination=statuspage")).json.deliveries as { kind: string; status: string }[]).map((d) => [d.kind, d.status]), { timeout: 15_000, interval: 100 })
        .toEqual([["action.approval_requested", "delivered"]]);
      expect(received("/statuspage")).toEqual([]);
    }, 60_000);

    it("tells subscribers of the published incident, never of the approval request", async () => {
      await expect.poll(() => received("/public").map((r) => (r.body as { event: string }).event), { timeout: 15_000, interval: 100 }).toContain("incident.created");
      const publicDeliveries = (await test.get("/api/v1/deliveries?destination=subscriber:sub_public")).json.deliveries as { kind: string | null }[];
      expect(publicDeliveries.length).toBeGreaterThan(0);
      expect(received("/public").map((r) => (r.body as { event: string }).event)).not.toContain("action.approval_requested");
      expect(publicDeliveries.map((d) => d.kind)).not.toContain("action.approval_requested");
    }, 30_000);

    it("sends the request of a run without an incident, naming none", async () => {
      const asked = await ask({ action: "scale-down" });
      expect(asked.status, JSON.stringify(asked.json)).toBe(201);
      const run = asked.json.id as string;
      await expect.poll(() => hooks().filter((h) => h.dedup_key === run).length, { timeout: 15_000, interval: 100 }).toBe(1);
      const hook = hooks().find((h) => h.dedup_key === run)!;
      expect(hook).toMatchObject({ event: "action.approval_requested", incident: null, components: [], url: `https://status.example.com/manage/actions#run-${run}` });
      expect(hook.text.split("\n")[0]).toBe("Action scale-down (webhook) waits for approval: 1 person must approve it, not the one who asked for it.");
      // Only the runs' messages reach the team (its route takes action.* only), and nothing ran: no approval yet.
      expect(hooks().map((h) => h.event)).toEqual(["action.approval_requested", "action.approval_requested"]);
      expect(received("/scale")).toEqual([]);
    }, 30_000);

    it("tells the team when nobody approved in time, and resolves the run's PagerDuty alert", async () => {
      const asked = await ask({ action: "drain", incident });
      expect(asked.status, JSON.stringify(asked.json)).toBe(201);
      const run = asked.json.id as string;
      await expect.poll(() => hooks().filter((h) => h.dedup_key === run).map((h) => h.event), { timeout: 20_000, interval: 100 }).toEqual(["action.approval_requested", "action.approval_timed_out"]);
      const timedOut = hooks().find((h) => h.event === "action.approval_timed_out")!;
      expect(timedOut).toMatchObject({ title: "[Action] drain not approved in time (0 of 2)", url: `https://status.example.com/manage/actions#run-${run}`, incident: { id: incident } });
      expect(timedOut.text).toBe(`Action drain (webhook) for Orders database outage (${incident}) was not approved in time (0 of 2 approvals): it does not run. If it is still needed, ask for it again: vigil action run drain --incident ${incident}`);
      await expect.poll(() => received("/pd").map((r) => r.body as { event_action: string; dedup_key: string }).filter((b) => b.dedup_key === run).map((b) => b.event_action), { timeout: 15_000, interval: 100 }).toEqual(["trigger", "resolve"]);
      expect(received("/drain")).toEqual([]);
      expect(received("/public").map((r) => (r.body as { event: string }).event)).not.toContain("action.approval_timed_out");
    }, 40_000);
  });
}
