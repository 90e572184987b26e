// Silences through the HTTP API of a running Vigil (PGlite, in-process): create, list by state, expire,
// validation, scopes, and the timeline events. The server's clock is the real one, so states are checked
// with starts/ends far enough from now.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = `
site: { name: Acme Status }
components:
  - id: search
    name: Search
  - id: api
    name: Production API
    depends_on: [search]
`;

const hour = 3_600_000;
const inHours = (h: number) => new Date(Date.now() + h * hour).toISOString();

describe("silences through the API", () => {
  let test: TestVigil;
  /** DELETE with the write token (the helper's send covers POST, PUT and PATCH). */
  const del = async (url: string, token = test.writeToken) => {
    const res = await fetch(`${test.vigil.url}${url}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, json: (await res.json()) as any };
  };
  const post = (body: unknown) => test.send("POST", "/api/v1/silences", body);
  const list = async (state?: string) => ((await test.get(`/api/v1/silences${state ? `?state=${state}` : ""}`)).json.silences as any[]).map((s) => s.id as string);
  const writerActor = () => `token:tok_${test.writeToken.split("_")[1]}`;

  beforeAll(async () => {
    test = await startTestVigil(config);
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
  });

  let active: any;
  let pending: any;

  it("creates an active silence for a duration, its creator the token", async () => {
    const before = Date.now();
    const res = await post({ matchers: { component: "api", kind: "monitor.*" }, duration: "2h", comment: "deploy of api 4.2" });
    expect(res.status).toBe(201);
    active = res.json;
    expect(active).toMatchObject({
      matchers: { component: ["api"], kind: ["monitor.*"] },
      created_by: writerActor(),
      comment: "deploy of api 4.2",
      state: "active",
    });
    expect(active.id).toMatch(/^sil_[0-9a-f]{16}$/);
    const starts = Date.parse(active.starts_at);
    expect(starts).toBeGreaterThanOrEqual(before - 1000);
    expect(starts).toBeLessThanOrEqual(Date.now() + 1000);
    expect(Date.parse(active.ends_at) - starts).toBe(2 * hour);
    expect(active.created_at).toBe(active.starts_at);
  });

  it("creates a pending one with starts_at, ends_at, a minimum severity, labels and a named creator", async () => {
    const startsAt = inHours(1);
    const endsAt = inHours(3);
    const res = await post({ matchers: { severity: ">=major", labels: { team: "payments" } }, starts_at: startsAt, ends_at: endsAt, comment: "migration", created_by: "alice" });
    expect(res.status).toBe(201);
    pending = res.json;
    expect(pending).toMatchObject({
      matchers: { severity: ["major", "critical"], labels: { team: "payments" } },
      starts_at: startsAt,
      ends_at: endsAt,
      created_by: "alice",
      state: "pending",
    });
  });

  it("lists active and pending ones by default, by start, and filters by state", async () => {
    expect(await list()).toEqual([active.id, pending.id]);
    expect(await list("active")).toEqual([active.id]);
    expect(await list("pending")).toEqual([pending.id]);
    expect(await list("expired")).toEqual([]);
    expect(await list("all")).toEqual([active.id, pending.id]);
    const listed = (await test.get("/api/v1/silences")).json.silences[0];
    expect(listed).toEqual(active);
    const bad = await test.get("/api/v1/silences?state=gone");
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toBe("query.state");
  });

  it("expires an active silence now, then refuses to expire it again", async () => {
    const res = await del(`/api/v1/silences/${active.id}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: active.id, state: "expired", starts_at: active.starts_at, comment: active.comment });
    expect(Date.parse(res.json.ends_at)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(res.json.ends_at)).toBeGreaterThanOrEqual(Date.parse(active.starts_at));

    expect(await list()).toEqual([pending.id]);
    expect(await list("expired")).toEqual([active.id]);
    expect(await list("all")).toEqual([active.id, pending.id]);

    const again = await del(`/api/v1/silences/${active.id}`);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain(`silence ${active.id} already expired at`);
  });

  it("expires a pending silence before it starts: it never becomes active", async () => {
    const res = await del(`/api/v1/silences/${pending.id}`);
    expect(res.status).toBe(200);
    expect(res.json.state).toBe("expired");
    expect(Date.parse(res.json.ends_at)).toBeLessThan(Date.parse(pending.starts_at));
    expect(await list()).toEqual([]);
    expect(await list("expired")).toEqual([active.id, pending.id]);
  });

  it("404 for an unknown id", async () => {
    const res = await del("/api/v1/silences/sil_0000000000000000");
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe("no silence with id sil_0000000000000000");
  });

  it("records silence.created and silence.expired on the timeline, with the token as actor", async () => {
    const events = (await test.get(`/api/v1/events?subject=${active.id}`)).json.events as any[];
    expect(events.map((e) => [e.kind, e.actor])).toEqual([
      ["silence.created", writerActor()],
      ["silence.expired", writerActor()],
    ]);
    expect(events[0].data).toMatchObject({ matchers: { component: ["api"], kind: ["monitor.*"] }, comment: "deploy of api 4.2", ends_at: active.ends_at });
    expect(events[1].data).toMatchObject({ previous_ends_at: active.ends_at });
    expect(events[1].data.ends_at).not.toBe(active.ends_at);
    const created = (await test.get("/api/v1/events?kind=silence.created")).json.events as any[];
    expect(created.map((e) => e.subject)).toEqual([active.id, pending.id]);
  });

  describe("validation: 400 naming the field, nothing stored", () => {
    const valid = { matchers: { component: "api" }, duration: "1h", comment: "deploy" };

    it.each<[string, Record<string, unknown>, string, string]>([
      ["an empty matcher", { matchers: {} }, "body.matchers", 'needs at least one matcher; kind: "*" silences everything'],
      ["no matchers", { matchers: undefined }, "body.matchers", ""],
      ["an unknown component", { matchers: { component: ["api", "nosuch"] } }, "body.matchers.component", 'no component has the id "nosuch"'],
      ["a kind that matches nothing", { matchers: { kind: "incident.exploded" } }, "body.matchers.kind.0", "matches no message kind"],
      ["an unknown matcher key", { matchers: { service: "api" } }, "body.matchers", 'Unrecognized key: "service"'],
      ["an empty component list", { matchers: { component: [] } }, "body.matchers.component", ""],
      ["ends before it starts", { duration: undefined, starts_at: inHours(2), ends_at: inHours(1) }, "body.ends_at", "must be after starts_at"],
      ["ends in the past", { duration: undefined, starts_at: inHours(-3), ends_at: inHours(-1) }, "body.ends_at", "must be in the future"],
      ["neither ends_at nor duration", { duration: undefined }, "body.ends_at", "give ends_at, or a duration such as 2h"],
      ["both ends_at and duration", { ends_at: inHours(1) }, "body.ends_at", "give ends_at or duration, not both"],
      ["a bad duration", { duration: "forever" }, "body.duration", "expected a duration greater than zero"],
      ["a zero duration", { duration: "0s" }, "body.duration", "expected a duration greater than zero"],
      ["a time without a zone", { duration: undefined, ends_at: "2030-01-01T00:00:00" }, "body.ends_at", "expected an ISO 8601 time with a zone"],
      ["no comment", { comment: undefined }, "body.comment", ""],
      ["a blank comment", { comment: "   " }, "body.comment", "must not be empty"],
      ["an unknown key", { until: "tomorrow" }, "body", "until"],
    ])("%s", async (_name, over, path, message) => {
      const res = await post({ ...valid, ...over });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("validation_failed");
      const detail = (res.json.error.details as { path: string; message: string }[]).find((d) => d.path === path);
      expect(detail, JSON.stringify(res.json.error.details)).toBeDefined();
      expect(`${detail?.path}: ${detail?.message}`).toContain(message);
      expect(res.json.error.message).toContain(path);
      expect(await list("all")).toHaveLength(2);
    });
  });

  it("an unknown matcher key is the only complaint (not also an empty matcher)", async () => {
    const res = await post({ matchers: { service: "api" }, duration: "1h", comment: "deploy" });
    expect(res.json.error.details).toEqual([{ path: "body.matchers", message: 'Unrecognized key: "service"' }]);
  });

  describe("scopes", () => {
    it("a read token lists but cannot create (403) or expire (403)", async () => {
      const created = await fetch(`${test.vigil.url}/api/v1/silences`, {
        method: "POST",
        headers: { authorization: `Bearer ${test.token}`, "content-type": "application/json" },
        body: JSON.stringify({ matchers: { kind: "*" }, duration: "1h", comment: "nope" }),
      });
      expect(created.status).toBe(403);
      expect(((await created.json()) as any).error.message).toBe("this needs the action silences.write (role responder or above); this token has role viewer");
      expect((await del(`/api/v1/silences/${active.id}`, test.token)).status).toBe(403);
      expect(await list("all")).toHaveLength(2);
    });

    it("no token: 401", async () => {
      expect((await fetch(`${test.vigil.url}/api/v1/silences`)).status).toBe(401);
    });
  });

  it("is described in the OpenAPI document", async () => {
    const doc = (await (await fetch(`${test.vigil.url}/api/v1/openapi.json`)).json()) as any;
    expect(Object.keys(doc.paths["/api/v1/silences"]).sort()).toEqual(["get", "post"]);
    expect(doc.paths["/api/v1/silences/{id}"].delete.operationId).toBe("expireSilence");
    expect(doc.paths["/api/v1/silences"].post["x-vigil-scope"]).toBe("write");
  });
});
