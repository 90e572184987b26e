// Subscriber administration through the HTTP API of a running Vigil (PGlite, in-process): CSV import (all or
// nothing, partial, dry run), listing and paging, counting, the streamed CSV export (round-tripped into a fresh
// Vigil, formula cells guarded), removal, scopes, media types and the body limit, and the timeline events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscriberCsvChunks } from "../../src/api/v1/subscribers.ts";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { SubscriberRow } from "../../src/store/types.ts";
import { parseSubscribersCsv } from "../../src/subscribers/csv.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = `
site: { name: Acme Status }
subscribers: { webhooks: true }
components:
  - id: search
    name: Search
  - id: api
    name: Production API
    depends_on: [search]
`;

const header = "kind,address,components,confirmed_at";
/** Lines 2, 4 and 6 are good; 3 (bad address), 5 (unknown component) and 7 (bad kind) are not. */
const mixed = [
  header,
  "email,ada@example.com,api,2026-01-02T03:04:05Z",
  "email,not-an-address,,",
  "webhook,https://hooks.example.com/status,,",
  "email,bob@example.com,billing,",
  "email,=1+2@Example.COM,search api,",
  "fax,555-0100,,",
].join("\r\n");

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => any;
}

async function call(base: string, method: string, url: string, token: string | undefined, body?: { text: string; type: string }): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body) headers["content-type"] = body.type;
  const res = await fetch(`${base}${url}`, { method, headers, ...(body ? { body: body.text } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

describe("subscribers through the API", () => {
  let test: TestVigil;
  let admin: string;
  const asAdmin = (method: string, url: string, body?: { text: string; type: string }) => call(test.vigil.url, method, url, admin, body);
  const importCsv = (text: string, query = "", token = admin) => call(test.vigil.url, "POST", `/api/v1/subscribers/import${query}`, token, { text, type: "text/csv" });
  const count = async () => (await test.get("/api/v1/subscribers/count")).json.count as number;
  const list = async (query = "") => (await asAdmin("GET", `/api/v1/subscribers${query}`)).json();
  const events = async (kind: string) => (await test.get(`/api/v1/events?kind=${kind}`)).json.events as any[];

  beforeAll(async () => {
    test = await startTestVigil(config);
    admin = (await createToken({ store: test.vigil.store, clock: systemClock }, { name: "test-admin", scope: "admin", actor: "test" })).token;
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
  });

  it("counts with a read token", async () => {
    const res = await test.get("/api/v1/subscribers/count");
    expect(res).toEqual({ status: 200, json: { count: 0 } });
  });

  it("refuses a file with a bad line, naming every bad line, and stores nothing", async () => {
    const res = await importCsv(mixed);
    expect(res.status).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe("validation_failed");
    expect(error.message).toBe("the CSV has 3 errors; nothing was imported (add partial=true to import the other lines)");
    expect(error.details).toEqual([
      { line: 3, message: expect.stringContaining("e-mail address has no @") },
      { line: 5, message: 'unknown component id "billing"' },
      { line: 7, message: expect.stringContaining('unknown kind "fax"') },
    ]);
    expect(await count()).toBe(0);
  });

  it("answers a dry run with the counts and stores nothing", async () => {
    const res = await importCsv(mixed, "?dry_run=true&partial=true");
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ added: 3, updated: 0, skipped: 3, dry_run: true });
    expect(res.json().errors.map((e: { line: number }) => e.line)).toEqual([3, 5, 7]);
    expect(await count()).toBe(0);
    // Without partial, a dry run refuses the file as the real import would.
    expect((await importCsv(mixed, "?dry_run=true")).status).toBe(400);
    expect(await events("subscribers.imported")).toEqual([]);
  });

  it("imports the good lines with partial, as confirmed, and records counts only on the timeline", async () => {
    const before = Date.now();
    const res = await importCsv(mixed, "?partial=true");
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ added: 3, updated: 0, skipped: 3, errors: expect.any(Array), dry_run: false });
    expect(await count()).toBe(3);

    const { subscribers, next_after } = await list();
    expect(next_after).toBeNull();
    const byAddress = Object.fromEntries(subscribers.map((s: any) => [s.address, s]));
    expect(byAddress["ada@example.com"]).toMatchObject({ kind: "email", components: ["api"], format: null, confirmed_at: "2026-01-02T03:04:05.000Z" });
    expect(byAddress["https://hooks.example.com/status"]).toMatchObject({ kind: "webhook", components: null, format: "vigil" });
    // Normalised (the domain in lower case), and confirmed now when the file gives no date.
    const formula = byAddress["=1+2@example.com"];
    expect(formula).toMatchObject({ kind: "email", components: ["search", "api"] });
    expect(Date.parse(formula.confirmed_at)).toBeGreaterThanOrEqual(before - 1000);
    for (const s of subscribers) expect(s.id).toMatch(/^sub_[0-9a-f]{16}$/);

    const [event] = await events("subscribers.imported");
    expect(event).toMatchObject({ subject: null, actor: expect.stringMatching(/^token:tok_/), data: { added: 3, updated: 0, skipped: 3 } });
    expect(JSON.stringify(event)).not.toContain("example.com");
  });

  it("updates the components of addresses already there", async () => {
    const res = await importCsv(`${header}\nemail,ada@example.com,search,\nemail,cy@example.com,,\n`);
    expect(res.json()).toEqual({ added: 1, updated: 1, skipped: 0, errors: [], dry_run: false });
    const ada = (await list()).subscribers.find((s: any) => s.address === "ada@example.com");
    expect(ada).toMatchObject({ components: ["search"], confirmed_at: "2026-01-02T03:04:05.000Z" });
    expect(await count()).toBe(4);
  });

  it("refuses a file with no good line even with partial, and a file without a header", async () => {
    const none = await importCsv(`${header}\nemail,nope,,\n`, "?partial=true");
    expect(none.status).toBe(400);
    expect(none.json().error.details).toEqual([{ line: 2, message: expect.any(String) }]);
    const headless = await importCsv("ada@example.com\n", "?partial=true");
    expect(headless.status).toBe(400);
    expect(headless.json().error.details[0]).toMatchObject({ line: 1, message: expect.stringContaining("no address column") });
    const empty = await importCsv("");
    expect(empty.status).toBe(400);
    expect(empty.json().error.details[0]).toMatchObject({ line: 1, message: expect.stringContaining("the file is empty") });
    expect(await count()).toBe(4);
  });

  it("lists by id, pages with next_after, filters by kind", async () => {
    const all = (await list()).subscribers.map((s: any) => s.id);
    expect(all).toEqual([...all].sort());
    const first = await list("?limit=3");
    expect(first.subscribers.map((s: any) => s.id)).toEqual(all.slice(0, 3));
    expect(first.next_after).toBe(all[2]);
    const second = await list(`?limit=3&after=${first.next_after}`);
    expect(second.subscribers.map((s: any) => s.id)).toEqual(all.slice(3));
    expect(second.next_after).toBeNull();
    expect((await list("?kind=webhook")).subscribers.map((s: any) => s.address)).toEqual(["https://hooks.example.com/status"]);
    expect((await asAdmin("GET", "/api/v1/subscribers?kind=fax")).status).toBe(400);
  });

  it("exports every subscriber as a CSV attachment, guarding formula cells", async () => {
    const res = await asAdmin("GET", "/api/v1/subscribers/export.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="vigil-subscribers-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const lines = res.text.split("\r\n");
    expect(lines[0]).toBe(header);
    expect(lines.at(-1)).toBe("");
    expect(lines).toHaveLength(1 + 4 + 1);
    expect(lines).toContain("email,'=1+2@example.com,search api," + (await list()).subscribers.find((s: any) => s.address.startsWith("=")).confirmed_at);
    expect(lines.some((l) => l.startsWith("email,="))).toBe(false);
    expect(lines).toContain("email,ada@example.com,search,2026-01-02T03:04:05.000Z");
  });

  it("round-trips: the export imported into a fresh Vigil gives the same subscribers", async () => {
    const exported = (await asAdmin("GET", "/api/v1/subscribers/export.csv")).text;
    const fresh = await startTestVigil(config);
    try {
      const freshAdmin = (await createToken({ store: fresh.vigil.store, clock: systemClock }, { name: "admin", scope: "admin", actor: "test" })).token;
      const res = await call(fresh.vigil.url, "POST", "/api/v1/subscribers/import", freshAdmin, { text: exported, type: "text/csv; charset=utf-8" });
      expect(res.json()).toEqual({ added: 4, updated: 0, skipped: 0, errors: [], dry_run: false });
      const strip = (rows: any[]) => rows.map(({ kind, address, components, format, confirmed_at }) => ({ kind, address, components, format, confirmed_at })).sort((a, b) => a.address.localeCompare(b.address));
      const theirs = (await call(fresh.vigil.url, "GET", "/api/v1/subscribers", freshAdmin)).json().subscribers;
      expect(strip(theirs)).toEqual(strip((await list()).subscribers));
      // And its export is the same file, line for line.
      const again = (await call(fresh.vigil.url, "GET", "/api/v1/subscribers/export.csv", freshAdmin)).text;
      expect(again.split("\r\n").sort()).toEqual(exported.split("\r\n").sort());
    } finally {
      await fresh.dispose();
    }
  }, 60_000);

  it("removes a subscriber (204, then 404) with an event that holds no address", async () => {
    const ada = (await list()).subscribers.find((s: any) => s.address === "ada@example.com");
    const res = await asAdmin("DELETE", `/api/v1/subscribers/${ada.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(await count()).toBe(3);
    expect((await list()).subscribers.map((s: any) => s.id)).not.toContain(ada.id);

    const again = await asAdmin("DELETE", `/api/v1/subscribers/${ada.id}`);
    expect(again.status).toBe(404);
    expect(again.json().error).toMatchObject({ code: "not_found", message: `no subscriber with id ${ada.id}` });

    const [event] = await events("subscriber.removed");
    expect(event).toMatchObject({ subject: ada.id, actor: expect.stringMatching(/^token:tok_/), data: { kind: "email" } });
    expect(JSON.stringify(event)).not.toContain("example.com");
  });

  it("needs an admin token for everything but the count", async () => {
    for (const token of [test.token, test.writeToken]) {
      const [listed, exported, imported, removed] = await Promise.all([
        call(test.vigil.url, "GET", "/api/v1/subscribers", token),
        call(test.vigil.url, "GET", "/api/v1/subscribers/export.csv", token),
        importCsv(`${header}\nemail,eve@example.com,,\n`, "", token),
        call(test.vigil.url, "DELETE", "/api/v1/subscribers/sub_0000000000000000", token),
      ]);
      for (const res of [listed, exported, imported, removed]) {
        expect(res.status).toBe(403);
        expect(res.json().error.code).toBe("forbidden");
      }
    }
    expect((await call(test.vigil.url, "GET", "/api/v1/subscribers/count", undefined)).status).toBe(401);
    expect((await call(test.vigil.url, "GET", "/api/v1/subscribers/export.csv", undefined)).status).toBe(401);
    expect(await count()).toBe(3);
  });

  it("takes CSV on the import alone, within the body limit", async () => {
    const json = await asAdmin("POST", "/api/v1/subscribers/import", { text: JSON.stringify({ csv: header }), type: "application/json" });
    expect(json.status).toBe(400);
    expect(json.json().error.message).toContain("expected a CSV file as the body");
    // Another route refuses a CSV body as it refuses any body but JSON.
    const elsewhere = await asAdmin("POST", "/api/v1/tokens", { text: "name,scope\nx,read\n", type: "text/csv" });
    expect(elsewhere.status).toBe(415);
    expect(elsewhere.json().error.code).toBe("unsupported_media_type");
    const plain = await asAdmin("POST", "/api/v1/subscribers/import", { text: header, type: "text/plain" });
    expect(plain.status).toBe(415);
    // server.body_limit is 1 MB by default.
    const big = `${header}\n${Array.from({ length: 40_000 }, (_, i) => `email,someone-${i}@example.com,,`).join("\n")}\n`;
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const tooBig = await importCsv(big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.json().error.code).toBe("payload_too_large");
    expect(await count()).toBe(3);
  });

  it("is described in the OpenAPI document", async () => {
    const doc = (await (await fetch(`${test.vigil.url}/api/v1/openapi.json`)).json()) as any;
    expect(doc.paths["/api/v1/subscribers"].get["x-vigil-scope"]).toBe("admin");
    expect(doc.paths["/api/v1/subscribers/count"].get["x-vigil-scope"]).toBe("read");
    expect(doc.paths["/api/v1/subscribers/export.csv"].get.operationId).toBe("exportSubscribers");
    expect(doc.paths["/api/v1/subscribers/import"].post.parameters.map((p: any) => p.name)).toEqual(["dry_run", "partial"]);
    expect(doc.paths["/api/v1/subscribers/{id}"].delete.responses["204"]).toBeDefined();
  });
});

describe("the export's pages", () => {
  const row = (n: number): SubscriberRow => ({
    id: `sub_${String(n).padStart(4, "0")}`,
    kind: "email",
    address: `user-${n}@example.com`,
    componentIds: n % 2 === 0 ? null : ["api"],
    format: null,
    confirmedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    createdAt: new Date(Date.UTC(2026, 0, 1)),
  });

  /** A store whose list pages like the real one, recording each query's limit. */
  function fakeStore(rows: SubscriberRow[]) {
    const limits: number[] = [];
    const store = {
      subscribers: {
        list: async (options: { afterId?: string; limit?: number } = {}) => {
          limits.push(options.limit ?? 100_000);
          return rows.filter((r) => options.afterId === undefined || r.id > options.afterId).slice(0, options.limit);
        },
      },
    } as unknown as Parameters<typeof subscriberCsvChunks>[0];
    return { store, limits };
  }

  async function exportOf(rows: SubscriberRow[], pageSize: number) {
    const { store, limits } = fakeStore(rows);
    const chunks: string[] = [];
    for await (const chunk of subscriberCsvChunks(store, pageSize)) chunks.push(chunk);
    return { chunks, limits, text: chunks.join("") };
  }

  it("reads a page at a time and writes the header once", async () => {
    const rows = Array.from({ length: 7 }, (_, i) => row(i + 1));
    const { chunks, limits, text } = await exportOf(rows, 3);
    expect(limits).toEqual([3, 3, 3]);
    expect(chunks).toHaveLength(3);
    const parsed = parseSubscribersCsv(text, new Set(["api"]));
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => r.address)).toEqual(rows.map((r) => r.address));
    expect(text.match(/^kind,/gm)).toHaveLength(1);
  });

  it("ends with a query that comes back empty when the last page is full, and exports the header alone when there is nobody", async () => {
    const full = await exportOf([row(1), row(2), row(3), row(4)], 2);
    expect(full.limits).toEqual([2, 2, 2]);
    expect(full.text.split("\r\n")).toHaveLength(6);
    const none = await exportOf([], 5_000);
    expect(none.text).toBe("kind,address,components,confirmed_at\r\n");
  });
});
