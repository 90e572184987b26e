// A component's updated_at in /api/v2 and /api/v1 is the time of its last status change (when it was first seen before
// any), the same in components.json, summary.json and an incident's components, and stays so across a restart.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: orders-db, name: Orders database, group: Infrastructure }
  - { id: cache, name: Cache, group: Infrastructure }
  - { id: api, name: Production API }
`;

type Json = any;

describe("component times", () => {
  let dir: string;
  let test: TestVigil | undefined;
  const v2 = async (path: string): Promise<Json> => (await (await fetch(`${test!.vigil.url}/api/v2/${path}`)).json()) as Json;
  const times = (rows: Json[]): Record<string, [string, string]> => Object.fromEntries(rows.filter((r) => !r.group).map((r: Json) => [r.id, [r.created_at, r.updated_at]]));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-component-times-"));
  });

  afterAll(async () => {
    await test?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("dates updated_at by the last status change, the first-seen time before any, and keeps both across a restart", async () => {
    test = await startTestVigil(config, { dir });
    const first = times((await v2("components.json")).components);
    for (const [created, updated] of Object.values(first)) expect(updated).toBe(created);

    // A status change moves that component's updated_at to the change's time, and no other's.
    expect((await test.send("PUT", "/api/v1/components/cache/status", { status: "degraded_performance" })).status).toBe(200);
    const [change] = await test.vigil.store.events.list({ kind: "component.status_changed", subject: "cache" });
    const changedAt = change!.at.toISOString();
    const expected = { ...first, cache: [first["cache"]![0], changedAt] };
    await expect.poll(async () => times((await v2("components.json")).components), { timeout: 10_000, interval: 100 }).toEqual(expected);
    expect(times((await v2("summary.json")).components)).toEqual(expected);
    const v1 = (await test.get("/api/v1/components")).json.components;
    expect(Object.fromEntries(v1.map((c: Json) => [c.id, [c.created_at, c.updated_at]]))).toEqual(expected);

    // An incident's components are the same rows.
    const incident = await test.send("POST", "/api/v1/incidents", { name: "Cache slow", body: "Looking into it.", components: { cache: "degraded_performance" } });
    expect(incident.status).toBe(201);
    await expect.poll(async () => (await v2("incidents.json")).incidents.find((i: Json) => i.id === incident.json.id)?.components.map((c: Json) => c.updated_at), { timeout: 10_000, interval: 100 }).toEqual([changedAt]);

    // A restart (catalog synced again) changes none of it.
    await test.dispose();
    test = await startTestVigil(config, { dir });
    await expect.poll(async () => times((await v2("components.json")).components), { timeout: 10_000, interval: 100 }).toEqual(expected);
    expect(Object.fromEntries((await test.get("/api/v1/components")).json.components.map((c: Json) => [c.id, [c.created_at, c.updated_at]]))).toEqual(expected);
  }, 120_000);
});
