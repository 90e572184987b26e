/**
 * Property tests of the HTTP API's request bodies and queries: the real server, driven in-process with an admin
 * token, answers every generated body and query string on every POST, PUT and PATCH route with 2xx, or with a 4xx and
 * the error envelope naming the field at fault; never a 500. A refused request stores nothing.
 */
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningVigil } from "../../src/app/start.ts";
import { createToken } from "../../src/auth/create-token.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { freshTarget, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

// No probe and no notification channel, so that nothing writes to the store in the background while the test compares
// what it holds (the channel test route then answers 404 for its id, after the body and query are checked).
const configText = `
site: { name: Acme Status }
components:
  - id: orders-db
    name: Orders database
    monitors: [orders-db-heartbeat]
  - id: api
    name: Production API
    depends_on: [orders-db]
monitors:
  - id: orders-db-heartbeat
    type: heartbeat
    secret: heartbeat-secret-0123456789
    interval: 1h
`;

let target: StoreTarget;
let test: TestVigil;
let vigil: RunningVigil;
let app: FastifyInstance;
let admin = "";
const clock = new ManualClock("2026-11-25T12:00:00Z");

interface Route {
  method: "POST" | "PUT" | "PATCH";
  url: string;
  keys: string[];
  contentType: string;
}
const routes: Route[] = [];

beforeAll(async () => {
  // PostgreSQL when a server is given (quicker to start on a busy machine), else the embedded store.
  target = await freshTarget(process.env.VIGIL_TEST_POSTGRES_URL ? "postgres" : "pglite");
  test = await startTestVigil(configText, { ...(target.url ? { databaseUrl: target.url } : {}), clock });
  vigil = test.vigil;
  app = vigil.server;
  admin = (await createToken({ store: vigil.store, clock }, { name: "admin-test", scope: "admin", actor: "test" })).token;
  // Something for the routes on one incident or maintenance to act on.
  const incident = await app.inject({ method: "POST", url: "/api/v1/incidents", headers: { authorization: `Bearer ${admin}` }, payload: { name: "Checkout errors", body: "Looking into it.", components: { api: "partial_outage" }, publish: false } });
  expect(incident.statusCode).toBe(201);
  const maintenance = await app.inject({ method: "POST", url: "/api/v1/maintenances", headers: { authorization: `Bearer ${admin}` }, payload: { name: "Upgrade", body: "Upgrading.", components: ["api"], scheduled_for: "2026-12-01T22:00:00Z", scheduled_until: "2026-12-01T23:00:00Z" } });
  expect(maintenance.statusCode).toBe(201);
  const ids: Record<string, string> = { incidents: JSON.parse(incident.body).id, maintenances: JSON.parse(maintenance.body).id, components: "api", heartbeat: "orders-db-heartbeat", channels: "hook" };

  const openapi = JSON.parse((await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).body) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>> };
  for (const [template, operations] of Object.entries(openapi.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!["post", "put", "patch"].includes(method)) continue;
      const url = template.replace(/\{(\w+)\}/g, () => ids[template.split("/")[3] ?? ""] ?? "unknown");
      const [contentType, media] = Object.entries(operation.requestBody?.content ?? { "application/json": {} })[0] ?? ["application/json", {}];
      routes.push({ method: method.toUpperCase() as Route["method"], url, keys: Object.keys(media.schema?.properties ?? {}), contentType });
    }
  }
}, 120_000);

afterAll(async () => {
  await test?.dispose();
  await target?.dispose();
});

/** What the store holds that a request could add to: compared before and after a refused one. */
async function stored(): Promise<string> {
  const s = vigil.store;
  const [events, tokens, subscribers, silences, maintenances, incidents] = await Promise.all([
    s.events.list({ limit: 10_000 }),
    s.tokens.list(),
    s.subscribers.count(),
    s.silences.list(),
    s.maintenances.list(),
    s.incidents.list({ limit: 1_000 }),
  ]);
  return JSON.stringify({ events: events.map((e) => `${e.id} ${e.kind}`), tokens: tokens.length, subscribers, silences: silences.length, maintenances, incidents });
}

const json: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });
const hostileScalar = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("", " ", "a".repeat(20_001), "investigating", "resolved", "major_outage", "api", "orders-db", "nope", "2026-12-01T22:00:00Z", "7d", "-1", "1e309", "__proto__", "admin", "publish", "<script>alert(1)</script>", "javascript:alert(1)", "ops@acme.example", "https://hooks.acme.example/x"),
);

/** A body: any JSON, or an object using the route's own keys with hostile values (so validation goes deep). */
const bodyFor = (route: Route) =>
  fc.oneof(
    json,
    fc.dictionary(route.keys.length > 0 ? fc.oneof(fc.constantFrom(...route.keys), fc.string({ maxLength: 6 })) : fc.string({ maxLength: 6 }), fc.oneof(hostileScalar, fc.array(hostileScalar, { maxLength: 3 }), fc.dictionary(fc.constantFrom("api", "orders-db", "x", "__proto__"), hostileScalar, { maxKeys: 3 })), { maxKeys: 6 }),
  );

/** A query string, percent-encoded or raw. */
const queryString = fc.oneof(
  fc.constant(""),
  fc.dictionary(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom("dry_run", "partial", "limit", "publish", "hold")), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("true", "false", "1", "")), { maxKeys: 3 }).map((q) => `?${new URLSearchParams(q).toString()}`),
  fc.string({ maxLength: 20 }).map((raw) => `?${raw.replaceAll("#", "")}`),
);



describe("API bodies and queries", () => {
  it("finds every body-taking route in the OpenAPI document", () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(routes.some((r) => r.url.startsWith("/api/v1/incidents/inc_"))).toBe(true);
  });

  it("every answer is 2xx, or 4xx with the error envelope naming the field; never 500; a refused request stores nothing", async () => {
    const arbitrary = fc.integer({ min: 0, max: routes.length - 1 }).chain((index) => {
      const route = routes[index] as Route;
      return fc.tuple(fc.constant(route), bodyFor(route), queryString, fc.constantFrom("json", "text"));
    });

    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(arbitrary, async ([route, body, query, encoding]) => {
        const before = await stored();
        const csv = route.contentType.startsWith("text/");
        const payload = csv || encoding === "text" ? (typeof body === "string" ? body : JSON.stringify(body)) : JSON.stringify(body);
        const res = await app.inject({
          method: route.method,
          url: `${route.url}${query}`,
          headers: { authorization: `Bearer ${admin}`, "content-type": csv ? "text/csv" : "application/json" },
          payload: payload ?? "null",
        });
        const context = `${route.method} ${route.url}${query} ${String(payload).slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 500)}`;
        expect(res.statusCode, context).toBeLessThan(500);
        const code = res.statusCode < 300 ? "accepted" : (JSON.parse(res.body) as { error?: { code?: string } }).error?.code ?? "none";
        seen[code] = (seen[code] ?? 0) + 1;
        if (res.statusCode < 300) return;
        expect(res.statusCode, context).toBeGreaterThanOrEqual(400);
        const answer = JSON.parse(res.body) as { error: { code: string; message: string; details: { path?: string; message: string }[] } };
        expect(typeof answer.error.code, context).toBe("string");
        expect(answer.error.message.length, context).toBeGreaterThan(0);
        expect(Array.isArray(answer.error.details), context).toBe(true);
        if (answer.error.code === "validation_failed") {
          expect(answer.error.details.length, context).toBeGreaterThan(0);
          for (const detail of answer.error.details) {
            // The field: body.name, query.limit, params.id… (body alone when the body itself is wrong).
            expect(detail.path, context).toMatch(/^(body|query|params)(\.|$)/);
            expect(detail.message.length, context).toBeGreaterThan(0);
            expect(answer.error.message, context).toContain(detail.path);
          }
        }
        expect(await stored(), context).toBe(before);
      }),
      { seed: 31337, numRuns: 250 },
    );
    // The generators reach both sides: bodies accepted, and bodies refused field by field.
    expect(seen.accepted ?? 0).toBeGreaterThan(0);
    expect(seen.validation_failed ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
