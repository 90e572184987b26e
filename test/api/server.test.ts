import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVigil, type RunningVigil } from "../../src/app/start.ts";
import { mintToken } from "../../src/auth/token-format.ts";
import { createToken } from "../../src/auth/create-token.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { createLogger } from "../../src/observability/logger.ts";

const configText = (extra = "") => `
site: { name: Acme Status }
components:
  - id: orders-db
    name: Orders database
    group: Infrastructure
    monitors: [orders-db-tcp]
  - id: api
    name: Production API
    depends_on: [orders-db]
${extra}
monitors:
  - id: orders-db-tcp
    type: tcp
    host: 127.0.0.1
    port: 5432
    interval: 5s
    timeout: 2s
`;

let dir: string;
let vigil: RunningVigil;
let app: FastifyInstance;
const logLines: string[] = [];
const clock = new ManualClock("2026-11-25T12:00:00Z");
const tokens: Record<"read" | "write" | "publish" | "admin", string> = { read: "", write: "", publish: "", admin: "" };

async function request(method: string, url: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; payload?: string } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await app.inject({
    method: method as "GET",
    url,
    headers,
    ...(options.payload !== undefined ? { payload: options.payload } : options.body !== undefined ? { payload: options.body as object } : {}),
  });
  return { status: response.statusCode, headers: response.headers, text: response.body, json: () => JSON.parse(response.body) };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-api-"));
  const file = path.join(dir, "vigil.yaml");
  await writeFile(file, configText());
  const parsed = parseConfigText(configText(), file, {});
  if (!parsed.ok) throw new Error("test config invalid");
  const sink = new Writable({ write(chunk, _enc, cb) { logLines.push(String(chunk)); cb(); } });
  vigil = await startVigil({
    config: parsed.config,
    configFile: file,
    env: {},
    host: "127.0.0.1",
    port: 0,
    dataDir: path.join(dir, "data"),
    databaseUrl: process.env.VIGIL_TEST_POSTGRES_URL_API,
    logger: createLogger({ destination: sink, level: "debug" }),
    version: "0.0.0-test",
    clock,
  });
  app = vigil.server;
  for (const scope of ["read", "write", "publish", "admin"] as const) {
    tokens[scope] = (await createToken({ store: vigil.store, clock }, { name: `${scope}-test`, scope, actor: "test" })).token;
  }
}, 60_000);

afterAll(async () => {
  await vigil?.stop("test over");
  await rm(dir, { recursive: true, force: true });
});

describe("operational endpoints", () => {
  it("answers /healthz", async () => {
    const res = await request("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: "ok", version: "0.0.0-test" });
  });

  it("answers /readyz with the store and migration checks", async () => {
    const res = await request("GET", "/readyz");
    expect(res.status).toBe(200);
    expect(res.json().checks).toEqual([
      { name: "store", ok: true },
      { name: "migrations", ok: true },
    ]);
  });

  it("serves Prometheus metrics with process and vigil metrics", async () => {
    await request("GET", "/healthz");
    const res = await request("GET", "/metrics", { token: tokens.read });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    expect(res.text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(res.text).toContain('vigil_build_info{version="0.0.0-test"} 1');
    expect(res.text).toContain('vigil_catalog_items{kind="component"} 2');
    expect(res.text).toMatch(/vigil_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/);
  });

  it("describes /api/v1 in an OpenAPI document built from the validating schemas", async () => {
    const res = await request("GET", "/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/components", "/api/v1/tokens", "/api/v1/tokens/{id}", "/api/v1/reload", "/api/v1/events"]));
    const create = doc.paths["/api/v1/tokens"].post;
    expect(create["x-vigil-scope"]).toBe("admin");
    expect(create["x-vigil-action"]).toBe("tokens.manage");
    expect(create["x-vigil-role"]).toBe("owner");
    expect(create.requestBody.content["application/json"].schema.properties.scope.enum).toEqual(["read", "write", "publish", "admin", "agent"]);
    expect(doc.paths["/api/v1/tokens/{id}"].delete.parameters[0]).toMatchObject({ name: "id", in: "path", required: true });
  });

  it("echoes a safe request id and replaces an unsafe one", async () => {
    expect((await request("GET", "/healthz", { headers: { "x-request-id": "abc-123" } })).headers["x-request-id"]).toBe("abc-123");
    const replaced = (await request("GET", "/healthz", { headers: { "x-request-id": "bad id\u0000" } })).headers["x-request-id"];
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("errors have one shape", () => {
  it("answers an unknown route with 404 and the error body", async () => {
    const res = await request("GET", "/api/v1/nope");
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: "not_found", message: "no route for GET /api/v1/nope", details: [] } });
    expect(res.json().error.request_id).toBe(res.headers["x-request-id"]);
  });

  it("rejects a body that is not JSON", async () => {
    const res = await request("POST", "/api/v1/tokens", { token: tokens.admin, payload: "{not json", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(res.json().error).toMatchObject({ code: "bad_request", message: "the request body is not valid JSON" });
  });

  it("rejects a body of another media type", async () => {
    const res = await request("POST", "/api/v1/tokens", { token: tokens.admin, payload: "name=x", headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(415);
    expect(res.json().error.code).toBe("unsupported_media_type");
  });

  it("rejects a body over the limit", async () => {
    const res = await request("POST", "/api/v1/tokens", { token: tokens.admin, body: { name: "x".repeat(2 * 1024 * 1024), scope: "read" } });
    expect(res.status).toBe(413);
    expect(res.json().error.code).toBe("payload_too_large");
  });

  it("names every invalid field of a body", async () => {
    const res = await request("POST", "/api/v1/tokens", { token: tokens.admin, body: { name: "", scope: "root", extra: 1 } });
    expect(res.status).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(res.json().error.code).toBe("validation_failed");
    expect(paths).toEqual(expect.arrayContaining(["body.name", "body.scope", "body"]));
  });

  it("says which part of the request is invalid, in words: its path or query parameters", async () => {
    const params = await request("GET", "/api/v1/incidents/not-an-id", { token: tokens.read });
    expect(params.status).toBe(400);
    expect(params.json().error.message).toBe("the request's path parameters are invalid: params.id: expected an incident id such as inc_0123456789abcdef");
    const query = await request("GET", "/api/v1/windows?margin=soon", { token: tokens.read });
    expect(query.status).toBe(400);
    expect(query.json().error.message).toMatch(/^the request's query parameters are invalid: query\.margin: /);
  });
});

describe("tokens and scopes", () => {
  it.each([
    ["no token", undefined, 401, "unauthorized"],
    ["a malformed token", "abc", 401, "unauthorized"],
    ["a well-formed unknown token", mintToken().token, 401, "unauthorized"],
  ])("answers %s with 401", async (_name, token, status, code) => {
    const res = await request("GET", "/api/v1/components", { token });
    expect(res.status).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="vigil"');
  });

  it("answers a token whose secret is wrong with 401", async () => {
    const real = tokens.admin;
    const forged = real.slice(0, -4) + (real.endsWith("AAAA") ? "BBBB" : "AAAA");
    const res = await request("GET", "/api/v1/components", { token: forged });
    expect(res.status).toBe(401);
  });

  it("answers too small a role with 403, naming the action needed and the role held", async () => {
    const res = await request("POST", "/api/v1/reload", { token: tokens.write });
    expect(res.status).toBe(403);
    expect(res.json().error.message).toBe("this needs the action config.reload (role admin or above); this token has role responder limited by its scope write, which never reaches the public");
    const viewer = await request("POST", "/api/v1/silences", { token: tokens.read, body: { matchers: { monitor: "orders-db-tcp" }, duration: "1h", comment: "x" } });
    expect(viewer.status).toBe(403);
    expect(viewer.json().error.message).toBe("this needs the action silences.write (role responder or above); this token has role viewer");
  });

  it("lets a read token read the catalog", async () => {
    const res = await request("GET", "/api/v1/components", { token: tokens.read });
    expect(res.status).toBe(200);
    expect(res.json().components.map((c: { id: string }) => c.id)).toEqual(["orders-db", "api"]);
    expect(res.json().components[1].depends_on).toEqual([{ id: "orders-db", soft: false }]);
  });

  it("creates a token once, lists it without secrets, and revokes it", async () => {
    const created = await request("POST", "/api/v1/tokens", { token: tokens.admin, body: { name: "deploy-bot", scope: "write" } });
    expect(created.status).toBe(201);
    const { id, token } = created.json();
    expect(token).toMatch(/^vgl_/);
    expect((await request("GET", "/api/v1/monitors", { token })).status).toBe(200);

    const listed = await request("GET", "/api/v1/tokens", { token: tokens.admin });
    expect(listed.text).not.toContain(token.slice(17));
    expect(listed.text).not.toMatch(/secret|hash/i);
    expect(listed.json().tokens.find((t: { id: string }) => t.id === id)).toMatchObject({ name: "deploy-bot", scope: "write", revoked_at: null });

    expect((await request("DELETE", `/api/v1/tokens/${id}`, { token: tokens.admin })).status).toBe(200);
    expect((await request("GET", "/api/v1/monitors", { token })).status).toBe(401);
    expect((await request("DELETE", `/api/v1/tokens/${id}`, { token: tokens.admin })).status).toBe(404);
  });

  it("ends a token at its expiry, saying so only to its holder, and records when it was last used", async () => {
    const created = await request("POST", "/api/v1/tokens", { token: tokens.admin, body: { name: "ci-nightly", scope: "read", expires_in: "2h" } });
    expect(created.status).toBe(201);
    const { id, token, expires_at } = created.json();
    expect(expires_at).toBe(new Date(clock.now().getTime() + 2 * 3_600_000).toISOString());
    const listed = async () => (await request("GET", "/api/v1/tokens", { token: tokens.admin })).json().tokens.find((t: { id: string }) => t.id === id);
    expect((await listed()).last_used_at).toBeNull();

    expect((await request("GET", "/api/v1/monitors", { token })).status).toBe(200);
    expect((await listed()).last_used_at).toBe(clock.now().toISOString());
    clock.advance(2 * 3_600_000 - 1);
    expect((await request("GET", "/api/v1/monitors", { token })).status).toBe(200);
    clock.advance(1);
    const expired = await request("GET", "/api/v1/monitors", { token });
    expect(expired.status).toBe(401);
    expect(expired.json().error.message).toBe(`the bearer token expired at ${expires_at}`);
    // A wrong secret for the same id learns nothing about the expiry.
    const forged = await request("GET", "/api/v1/monitors", { token: token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA") });
    expect(forged.json().error.message).toBe("the bearer token is not valid");

    // An expiry in the past, or both ways of giving one, is refused, naming the field.
    const past = await request("POST", "/api/v1/tokens", { token: tokens.admin, body: { name: "x", scope: "read", expires_at: "2020-01-01T00:00:00Z" } });
    expect(past.status).toBe(400);
    expect(past.json().error.details).toEqual([{ path: "expires_at", message: `must be later than now (${clock.now().toISOString()})` }]);
    const both = await request("POST", "/api/v1/tokens", { token: tokens.admin, body: { name: "x", scope: "read", expires_in: "1d", expires_at: "2030-01-01T00:00:00Z" } });
    expect(both.status).toBe(400);
    const bad = await request("POST", "/api/v1/tokens", { token: tokens.admin, body: { name: "x", scope: "read", expires_in: "soon" } });
    expect(bad.status).toBe(400);
    expect(bad.json().error.details[0].path).toBe("expires_in");
  });

  it("keeps a write token from reaching the public: drafts, notes and overrides yes; publishing, public updates and maintenance no", async () => {
    const as = (token: string) => ({
      post: (url: string, body?: unknown) => request("POST", url, { token, ...(body !== undefined ? { body } : {}) }),
      patch: (url: string, body: unknown) => request("PATCH", url, { token, body }),
    });
    const writer = as(tokens.write);
    const publisher = as(tokens.publish);
    const refused = (res: { status: number; json: () => any }) => {
      expect(res.status).toBe(403);
      expect(res.json().error.message).toMatch(/reaches the public: it needs the action incidents.publish|needs the action (incidents.publish|maintenances.write) \(role responder or above\); this token has role responder limited by its scope write/);
    };

    // A published incident, a public update or maintenance: refused, and nothing is stored.
    const before = (await request("GET", "/api/v1/incidents", { token: tokens.read })).json().incidents.length;
    refused(await writer.post("/api/v1/incidents", { name: "API outage", body: "Looking." }));
    refused(await writer.post("/api/v1/maintenances", { name: "Upgrade", components: ["api"], scheduled_for: "2026-12-01T00:00:00Z", scheduled_until: "2026-12-01T01:00:00Z" }));
    expect((await request("GET", "/api/v1/incidents", { token: tokens.read })).json().incidents.length).toBe(before);

    // A draft: the write token keeps it, notes it, updates and renames it while it stays a draft.
    const draft = await writer.post("/api/v1/incidents", { name: "API slow", body: "Looking.", publish: false });
    expect(draft.status).toBe(201);
    const id = draft.json().id;
    expect((await writer.post(`/api/v1/incidents/${id}/notes`, { body: "p99 up" })).status).toBe(201);
    expect((await writer.post(`/api/v1/incidents/${id}/updates`, { body: "Still looking.", publish: false })).status).toBe(201);
    expect((await writer.patch(`/api/v1/incidents/${id}`, { name: "API latency" })).status).toBe(200);
    refused(await writer.post(`/api/v1/incidents/${id}/updates`, { body: "Public now." }));
    refused(await writer.post(`/api/v1/incidents/${id}/publish`));
    expect((await request("GET", `/api/v1/incidents/${id}`, { token: tokens.read })).json().published_at).toBeNull();

    // Once a publish token made it public, the write token can no longer change what the public reads.
    expect((await publisher.post(`/api/v1/incidents/${id}/publish`)).status).toBe(200);
    refused(await writer.post(`/api/v1/incidents/${id}/updates`, { body: "Update.", publish: false }));
    refused(await writer.patch(`/api/v1/incidents/${id}`, { name: "Renamed" }));
    refused(await writer.post(`/api/v1/incidents/${id}/resolve`, { body: "Fixed." }));
    expect((await writer.post(`/api/v1/incidents/${id}/notes`, { body: "still fine" })).status).toBe(201);
    expect((await publisher.post(`/api/v1/incidents/${id}/resolve`, { body: "Fixed." })).status).toBe(200);
    const doc = (await request("GET", "/api/v1/openapi.json")).json();
    expect(doc.paths["/api/v1/maintenances"].post["x-vigil-scope"]).toBe("publish");
    expect(doc.paths["/api/v1/incidents/{id}/publish"].post["x-vigil-scope"]).toBe("publish");
  });

  it("never writes a token into the log", async () => {
    await request("GET", "/api/v1/components", { token: tokens.admin });
    await request("GET", "/api/v1/components", { token: tokens.admin.slice(0, -2) });
    const log = logLines.join("");
    for (const token of Object.values(tokens)) {
      expect(log).not.toContain(token.slice(17, 40));
    }
    // The rejected request was logged (so the check above looked at real lines), without the token.
    expect(log).toContain('"code":"unauthorized"');
  });
});

describe("the timeline and reloads", () => {
  it("reloads a valid configuration and records the diff", async () => {
    await writeFile(path.join(dir, "vigil.yaml"), configText(`  - id: checkout\n    name: Checkout\n    depends_on: [api]`));
    const res = await request("POST", "/api/v1/reload", { token: tokens.admin });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ applied: true, added: ["component:checkout"] });
    expect(vigil.config().components.map((c) => c.id)).toEqual(["orders-db", "api", "checkout"]);
    const events = await request("GET", "/api/v1/events?kind=config.reloaded", { token: tokens.read });
    expect(events.json().events.at(-1)).toMatchObject({ kind: "config.reloaded", actor: expect.stringMatching(/^token:tok_/) });
  });

  it("rejects a bad configuration whole and keeps the running one", async () => {
    const before = vigil.config();
    await writeFile(path.join(dir, "vigil.yaml"), configText(`  - id: checkout\n    name: Checkout\n    depends_on: [nowhere]\n    intervl: 5s`));
    const res = await request("POST", "/api/v1/reload", { token: tokens.admin });
    expect(res.status).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe("config_invalid");
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(["components[2].depends_on[0]", "components[2].intervl"]));
    expect(body.error.details.every((d: { line?: number }) => typeof d.line === "number")).toBe(true);
    expect(vigil.config()).toBe(before);
    const comps = await request("GET", "/api/v1/components", { token: tokens.read });
    expect(comps.json().components.map((c: { id: string }) => c.id)).toEqual(["orders-db", "api", "checkout"]);
  });

  it("pages the timeline with after_id and validates the query", async () => {
    const first = await request("GET", "/api/v1/events?limit=2", { token: tokens.read });
    expect(first.json().events).toHaveLength(2);
    const next = first.json().next_after_id;
    const second = await request("GET", `/api/v1/events?limit=2&after_id=${next}`, { token: tokens.read });
    expect(BigInt(second.json().events[0].id)).toBeGreaterThan(BigInt(next));
    const bad = await request("GET", "/api/v1/events?limit=0&after_id=x", { token: tokens.read });
    expect(bad.status).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(["query.after_id", "query.limit"]);
  });
});
