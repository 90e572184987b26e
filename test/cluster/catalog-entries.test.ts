// Two nodes of a cluster on one PostgreSQL database: a component and a monitor added through one node's API are
// applied by the other (it hears the NOTIFY and reads the database's entries), and so is their removal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = `
site: { name: Acme Status }
components:
  - id: search
    name: Search
`;

const postgres = storeBackends().find((b) => b.name === "postgres");

describe.skipIf(!postgres?.available)("catalog entries in a cluster", () => {
  let target: StoreTarget;
  let a: TestVigil;
  let b: TestVigil;
  let admin: string;
  const call = async (node: TestVigil, method: string, at: string, body?: unknown) => {
    const res = await fetch(`${node.vigil.url}${at}`, { method, headers: { authorization: `Bearer ${admin}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return res.status;
  };
  const ids = async (node: TestVigil, what: "components" | "monitors") => ((await node.get(`/api/v1/${what}`)).json[what] as any[]).map((e) => `${e.id}:${e.source}`);

  beforeAll(async () => {
    target = await freshTarget("postgres");
    a = await startTestVigil(config, { databaseUrl: target.url as string });
    b = await startTestVigil(config, { databaseUrl: target.url as string });
    admin = (await createToken({ store: a.vigil.store, clock: { now: () => new Date() } }, { name: "admin", role: "admin", actor: "test" })).token;
  }, 120_000);
  afterAll(async () => {
    await b?.dispose();
    await a?.dispose();
    await target?.dispose();
  });

  it("applies a change made on one node on the other", async () => {
    expect(await call(a, "POST", "/api/v1/monitors", { id: "api-health", type: "tcp", host: "127.0.0.1", port: 9, interval: "60s" })).toBe(201);
    expect(await call(a, "POST", "/api/v1/components", { id: "api", name: "Production API", monitors: ["api-health"] })).toBe(201);
    await expect.poll(() => b.vigil.config().components.map((c) => c.id), { timeout: 10_000 }).toEqual(["search", "api"]);
    expect(b.vigil.config().monitors.map((m) => m.id)).toEqual(["api-health"]);
    expect(await ids(b, "components")).toEqual(["search:file", "api:database"]);
    await expect.poll(async () => ((await (await fetch(`${b.vigil.url}/api/v2/components.json`)).json()) as any).components.map((c: any) => c.name), { timeout: 10_000 }).toContain("Production API");
    // A change on the second node reaches the first.
    expect(await call(b, "PATCH", "/api/v1/components/api", { name: "Public API" })).toBe(200);
    await expect.poll(() => a.vigil.config().components.find((c) => c.id === "api")?.name, { timeout: 10_000 }).toBe("Public API");
    expect(await call(a, "DELETE", "/api/v1/components/api")).toBe(204);
    expect(await call(a, "DELETE", "/api/v1/monitors/api-health")).toBe(204);
    await expect.poll(() => b.vigil.config().monitors.length, { timeout: 10_000 }).toBe(0);
    expect(await ids(b, "components")).toEqual(["search:file"]);
  });
});
