// One Vigil watches another: the provider's Vigil serves Statuspage's v2 JSON, the watching Vigil reads it as an
// upstream of type `vigil`, and sees its component's outage and its incident, with the incident's public link.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

let provider: TestVigil;
let watcher: TestVigil;

beforeAll(async () => {
  provider = await startTestVigil(`
site: { name: Acme Platform Status, url: "https://status.platform.example.com" }
components:
  - { id: database, name: Managed Database, group: Data }
  - { id: queues, name: Queues, group: Data }
`);
  watcher = await startTestVigil(`
site: { name: Shop Status }
components:
  - { id: orders-db, name: Orders database, depends_on: [platform-db] }
upstreams:
  - id: platform-db
    name: Acme Platform database
    feed: { type: vigil, url: "${provider.vigil.url}" }
    match: { component: Managed Database }
`);
}, 60_000);

afterAll(async () => {
  await watcher?.dispose();
  await provider?.dispose();
});

describe("Vigil to Vigil", () => {
  it("reads another Vigil's status as an upstream: the matched component's outage and its incident", async () => {
    const view = () => watcher.vigil.upstreams.views().find((u) => u.upstreamId === "platform-db")!;
    await expect.poll(() => view().feed.state, { timeout: 10_000, interval: 50 }).toBe("ok");
    expect(view()).toMatchObject({ status: "operational", matched: ["Managed Database"] });

    const created = await provider.send("POST", "/api/v1/incidents", { name: "Database failover", body: "A primary failed over.", components: { database: "major_outage" } });
    expect(created.status).toBe(201);
    // The provider's page is re-rendered within a second of the change.
    await expect
      .poll(async () => {
        await watcher.vigil.upstreams.refresh(["platform-db"], { force: true });
        return view().status;
      }, { timeout: 15_000, interval: 200 })
      .toBe("major_outage");
    expect(view().incident).toMatchObject({ title: "Database failover", url: `https://status.platform.example.com/incidents/${created.json.id}` });
    const events = await watcher.vigil.store.events.list({ kind: "upstream.degraded" });
    expect(events.map((e) => [e.subject, e.data["status"]])).toEqual([["platform-db", "major_outage"]]);

    // Another component's trouble is not this upstream's.
    await provider.send("POST", `/api/v1/incidents/${created.json.id}/resolve`, { body: "Recovered." });
    await provider.send("POST", "/api/v1/incidents", { name: "Queue delays", body: "Slow.", components: { queues: "degraded_performance" } });
    await expect
      .poll(async () => {
        await watcher.vigil.upstreams.refresh(["platform-db"], { force: true });
        return view().status;
      }, { timeout: 15_000, interval: 200 })
      .toBe("operational");
    expect((await watcher.vigil.store.events.list({ kind: "upstream.recovered" })).map((e) => e.subject)).toEqual(["platform-db"]);
  }, 60_000);
});
