// Components and monitors kept in the database, through the HTTP API of a running Vigil on each store: a monitor
// added is checked (a real local HTTP target), survives a restart and a file reload; edits, removals, the file's
// entries refused, validation errors naming the field with nothing stored, roles, and the audit log.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = `
site: { name: Acme Status }
components:
  - id: search
    name: Search
    monitors: [search-tcp]
monitors:
  - id: search-tcp
    type: tcp
    host: 127.0.0.1
    port: 9
    interval: 60s
`;

/** The same file without its component: the database's "api" depends on it. */
const withoutSearch = config.replace(/components:[\s\S]*?\n(?=monitors:)/, "");

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`catalog entries in the database on ${backend.name}`, () => {
    let target: StoreTarget;
    let dir: string;
    let test: TestVigil;
    let http: Server;
    let hits = 0;
    let url = "";
    const tokens = { admin: "", owner: "", responder: "", viewer: "" };

    const start = async () => {
      test = await startTestVigil(config, { dir, ...(target.url ? { databaseUrl: target.url } : {}) });
      for (const role of ["admin", "owner", "responder", "viewer"] as const) tokens[role] = (await createToken({ store: test.vigil.store, clock: { now: () => new Date() } }, { name: role, role, actor: "test" })).token;
    };
    const call = async (method: string, at: string, body?: unknown, token = tokens.admin) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(`${test.vigil.url}${at}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, json: text === "" ? undefined : JSON.parse(text) };
    };
    const listed = async (what: "components" | "monitors") => ((await call("GET", `/api/v1/${what}`)).json[what] as any[]).map((e) => ({ id: e.id, source: e.source }));
    const stored = async () => (await test.vigil.store.catalogEntries.list()).map((r) => ({ kind: r.kind, id: r.id, entry: r.entry }));

    beforeAll(async () => {
      http = createServer((req, res) => {
        if (req.url === "/health") hits++;
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      });
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/health`;
      target = await freshTarget(backend.name);
      dir = await mkdtemp(path.join(tmpdir(), "vigil-catalog-"));
      await start();
    }, 120_000);
    afterAll(async () => {
      await test?.dispose();
      await target?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
      await new Promise((resolve) => http?.close(resolve));
    });

    it("adds a monitor that is checked at once, and a component the status page shows", async () => {
      const monitor = await call("POST", "/api/v1/monitors", { id: "api-health", type: "http", url, interval: "1s", timeout: "2s" });
      expect(monitor.status).toBe(201);
      expect(monitor.json).toMatchObject({ id: "api-health", kind: "monitor", source: "database", entry: { id: "api-health", type: "http", url, interval: "1s" } });
      expect(monitor.json.created_by).toMatch(/^token:tok_/);
      await expect.poll(() => hits, { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(async () => (await call("GET", "/api/v1/monitors/api-health/results")).json.results.length, { timeout: 15_000 }).toBeGreaterThan(0);
      const component = await call("POST", "/api/v1/components", { id: "api", name: "Production API", depends_on: ["search"], monitors: ["api-health"] });
      expect(component.status).toBe(201);
      expect(await listed("components")).toEqual([{ id: "search", source: "file" }, { id: "api", source: "database" }]);
      expect(await listed("monitors")).toEqual([{ id: "api-health", source: "database" }, { id: "search-tcp", source: "file" }]);
      await expect.poll(async () => ((await (await fetch(`${test.vigil.url}/api/v2/components.json`)).json()) as any).components.map((c: any) => c.name), { timeout: 10_000 }).toContain("Production API");
    });

    it("refuses to change the file's entries, naming the file", async () => {
      for (const [method, at, body] of [
        ["PUT", "/api/v1/monitors/search-tcp", { type: "tcp", host: "127.0.0.1", port: 10 }],
        ["PATCH", "/api/v1/components/search", { name: "Find" }],
        ["DELETE", "/api/v1/components/search", undefined],
        ["POST", "/api/v1/components", { id: "search", name: "Search again" }],
      ] as const) {
        const res = await call(method, at, body);
        expect(res.status, `${method} ${at}`).toBe(409);
        expect(res.json.error.message).toContain("is defined in the configuration file");
      }
    });

    it("rejects invalid entries naming the field, and leaves what is stored untouched", async () => {
      const before = await stored();
      const badUrl = await call("POST", "/api/v1/monitors", { id: "bad", type: "http", url: "not a url" });
      expect(badUrl.status).toBe(400);
      expect(badUrl.json.error.details).toEqual([expect.objectContaining({ path: "body.url" })]);
      expect(badUrl.json.error.message).toContain("body.url: ");
      const unknownKey = await call("PATCH", "/api/v1/monitors/api-health", { intervall: "5s" });
      expect(unknownKey.status).toBe(400);
      expect(unknownKey.json.error.message).toMatch(/body\.intervall: .*interval/);
      const missing = await call("POST", "/api/v1/components", { id: "checkout", name: "Checkout", depends_on: ["orders"] });
      expect(missing.status).toBe(400);
      expect(missing.json.error.message).toContain('body.depends_on[0]: no component or upstream has the id "orders"');
      const cycle = await call("POST", "/api/v1/components", { id: "edge", name: "Edge", depends_on: ["api"] });
      expect(cycle.status).toBe(201);
      const loop = await call("PATCH", "/api/v1/components/api", { depends_on: ["search", "edge"] });
      expect(loop.status).toBe(400);
      expect(loop.json.error.message).toContain("dependency cycle: ");
      const used = await call("DELETE", "/api/v1/monitors/api-health");
      expect(used.status).toBe(409);
      expect(used.json.error.message).toContain('no monitor has the id "api-health"');
      expect(await call("DELETE", "/api/v1/components/edge")).toMatchObject({ status: 204 });
      expect(await stored()).toEqual(before);
      expect(test.vigil.config().components.find((c) => c.id === "api")?.depends_on).toEqual([{ id: "search", soft: false }]);
    });

    it("lets responders and viewers read but not write", async () => {
      for (const role of ["responder", "viewer"] as const) {
        expect((await call("POST", "/api/v1/components", { id: "x", name: "X" }, tokens[role])).status).toBe(403);
        expect((await call("DELETE", "/api/v1/monitors/api-health", undefined, tokens[role])).status).toBe(403);
      }
      expect((await call("POST", "/api/v1/components", { id: "owned", name: "Owned" }, tokens.owner)).status).toBe(201);
      expect((await call("DELETE", "/api/v1/components/owned", undefined, tokens.owner)).status).toBe(204);
      expect(await listed("components")).toEqual([{ id: "search", source: "file" }, { id: "api", source: "database" }]);
    });

    it("edits an entry with PATCH and PUT", async () => {
      const patched = await call("PATCH", "/api/v1/monitors/api-health", { name: "API health", timeout: null });
      expect(patched.status).toBe(200);
      expect(patched.json.entry).toEqual({ id: "api-health", type: "http", url, interval: "1s", name: "API health" });
      expect(test.vigil.config().monitors.find((m) => m.id === "api-health")).toMatchObject({ name: "API health", timeout: 10_000 });
      const secret = await call("PATCH", "/api/v1/monitors/api-health", { headers: { Authorization: "Bearer hunter2-secret" } });
      expect(secret.status).toBe(200);
      expect(secret.json.entry.headers).toEqual({ Authorization: "[redacted]" });
      expect(JSON.stringify(secret.json)).not.toContain("hunter2");
      // The entry as stored, read back for an edit: redacted too, and only by those who may change it.
      const read = await call("GET", "/api/v1/monitors/api-health/entry");
      expect(read.status).toBe(200);
      expect(read.json).toMatchObject({ id: "api-health", kind: "monitor", source: "database", entry: { name: "API health", headers: { Authorization: "[redacted]" } } });
      expect(JSON.stringify(read.json)).not.toContain("hunter2");
      expect((await call("GET", "/api/v1/monitors/api-health/entry", undefined, tokens.viewer)).status).toBe(403);
      expect(await call("GET", "/api/v1/monitors/search-tcp/entry")).toMatchObject({ status: 404, json: { error: { message: "the monitor search-tcp is defined in the configuration file, not the database" } } });
      expect((await call("GET", "/api/v1/components/nowhere/entry")).status).toBe(404);
      expect((await call("PATCH", "/api/v1/monitors/api-health", { headers: null })).status).toBe(200);
      const replaced = await call("PUT", "/api/v1/components/api", { name: "Public API", monitors: ["api-health"] });
      expect(replaced.status).toBe(200);
      expect(replaced.json.entry).toEqual({ id: "api", name: "Public API", monitors: ["api-health"] });
      expect((await call("PUT", "/api/v1/components/api", { id: "other", name: "X" })).status).toBe(400);
      expect((await call("PATCH", "/api/v1/components/nowhere", { name: "X" })).status).toBe(404);
    });

    it("keeps the database's entries on a file reload and across a restart", async () => {
      const outcome = await test.vigil.reload("test");
      expect(outcome.applied).toBe(true);
      expect(test.vigil.config().monitors.map((m) => m.id)).toContain("api-health");
      await test.dispose();
      const restartedAt = Date.now();
      await start();
      expect(await listed("monitors")).toEqual([{ id: "api-health", source: "database" }, { id: "search-tcp", source: "file" }]);
      expect((await call("GET", "/api/v1/components")).json.components.find((c: any) => c.id === "api")).toMatchObject({ name: "Public API", source: "database" });
      await expect
        .poll(async () => (await call("GET", "/api/v1/monitors/api-health/results")).json.results.filter((r: any) => Date.parse(r.at) >= restartedAt).length, { timeout: 15_000 })
        .toBeGreaterThan(0);
    });

    it("rejects a reload or a start whose file no longer fits the database's entries, naming the entry", async () => {
      expect((await call("PATCH", "/api/v1/components/api", { depends_on: ["search"] })).status).toBe(200);
      await writeFile(path.join(dir, "vigil.yaml"), withoutSearch);
      const outcome = await test.vigil.reload("test");
      expect(outcome).toMatchObject({ applied: false, errors: [{ file: "database", path: 'components["api"].depends_on[0]', message: 'no component or upstream has the id "search"' }] });
      expect(test.vigil.config().components.map((c) => c.id)).toEqual(["search", "api"]);
      await test.dispose();
      await expect(startTestVigil(withoutSearch, { dir, ...(target.url ? { databaseUrl: target.url } : {}) })).rejects.toThrow(
        /the components and monitors kept in the database do not fit .*vigil\.yaml:\ndatabase \(component "api"\) depends_on\[0\]: no component or upstream has the id "search"/,
      );
      await start();
      expect(test.vigil.config().components.map((c) => c.id)).toEqual(["search", "api"]);
    });

    it("removes entries, and the monitor is no longer checked", async () => {
      expect((await call("DELETE", "/api/v1/components/api")).status).toBe(204);
      expect((await call("DELETE", "/api/v1/monitors/api-health")).status).toBe(204);
      expect((await call("DELETE", "/api/v1/monitors/api-health")).status).toBe(404);
      expect(await listed("monitors")).toEqual([{ id: "search-tcp", source: "file" }]);
      expect(test.vigil.monitoring.status("api-health")).toBeUndefined();
      expect(await stored()).toEqual([]);
    });

    it("records each write in the audit log, refused ones included", async () => {
      const rows = await test.vigil.store.audit.list({ action: "catalog.write" }, 1000);
      const seen = rows.map((r) => `${r.operation} ${r.targetId ?? "-"} ${r.status}`);
      expect(seen).toEqual(expect.arrayContaining(["createMonitor api-health 201", "createComponent api 201", "createMonitor - 400", "patchMonitor api-health 200", "removeMonitor api-health 204", "replaceMonitor search-tcp 409", "removeComponent api 204"]));
    });
  });
}
