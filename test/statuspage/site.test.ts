// The public site as HTTP clients see it: served from memory with strong ETags, 304s, compression, CDN
// cache headers and open CORS; Statuspage's v2 JSON read by a Statuspage client library and checked
// against JSON Schemas; kept up while the store is down; exported as static files.
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Statuspage, type Components, type Incidents, type ScheduledMaintenances, type Status } from "statuspage.io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { v2JsonSchemas } from "../../src/statuspage/render/v2-schemas.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = (exportDir: string) => `
site:
  name: Acme Status
  url: https://status.example.com
  time_zone: Europe/Paris
  links: [{ label: Acme, url: "https://example.com" }]
statuspage:
  export_dir: ${exportDir}
  render_thread: always
components:
  - { id: orders-db, name: Orders database, group: Infrastructure }
  - { id: api, name: Production API, depends_on: [orders-db] }
  - { id: checkout, name: Checkout, depends_on: [api] }
`;

describe("the public site", () => {
  let test: TestVigil;
  let dir: string;
  let exportDir: string;
  let incidentId: string;
  const raw = (url: string, headers: Record<string, string> = {}) => fetch(`${test.vigil.url}${url}`, { headers });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-site-"));
    exportDir = path.join(dir, "site");
    test = await startTestVigil(config(exportDir));
    const created = await test.send("POST", "/api/v1/incidents", { name: "Orders database outage", body: "We are **investigating**.", components: { "orders-db": "major_outage" } });
    incidentId = created.json.id;
    await test.send("POST", `/api/v1/incidents/${incidentId}/updates`, { status: "identified", body: "Disk full on the primary." });
    await test.vigil.statusPage.refresh();
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("renders in its own thread, so that re-rendering never stalls the requests being served", () => {
    expect(test.vigil.statusPage.threaded).toBe(true);
  });

  it("serves the page with a strong ETag, answers 304 to it, and says how to cache", async () => {
    const first = await raw("/");
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(first.headers.get("cache-control")).toBe("public, max-age=10, stale-while-revalidate=60, stale-if-error=86400");
    expect(first.headers.get("vary")).toBe("accept-encoding");
    const html = await first.text();
    expect(html).toContain("Orders database outage");
    expect(html).toContain("Disk full on the primary.");
    const again = await raw("/", { "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect((await raw("/", { "if-none-match": '"other"' })).status).toBe(200);
  });

  it("answers 414 to an over-long request target before reading it, on the site and the API alike", async () => {
    const long = "/".repeat(3_000);
    const page = await fetch(`${test.vigil.url}/history${long}x`);
    expect(page.status).toBe(414);
    const api = await fetch(`${test.vigil.url}/api/v1/incidents?q=${"a".repeat(3_000)}`, { method: "POST", headers: { authorization: `Bearer ${test.writeToken}` } });
    expect(api.status).toBe(414);
    // Up to the limit, everything as before.
    expect((await fetch(`${test.vigil.url}/history/?utm=${"a".repeat(1_900)}`)).status).toBe(200);
  });

  it("compresses with brotli or gzip as the client accepts", async () => {
    const plain = await (await raw("/", { "accept-encoding": "identity" })).text();
    const res = await fetch(`${test.vigil.url}/`, { headers: { "accept-encoding": "br" } });
    // fetch decodes what it can; read the raw bytes through a low-level request instead.
    const { request } = await import("node:http");
    const bytes = (encoding: string) =>
      new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        request(`${test.vigil.url}/`, { headers: { "accept-encoding": encoding } }, (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => resolve({ encoding: r.headers["content-encoding"], body: Buffer.concat(chunks) }));
        })
          .on("error", reject)
          .end();
      });
    expect(res.status).toBe(200);
    const br = await bytes("gzip, deflate, br");
    expect(br.encoding).toBe("br");
    expect(brotliDecompressSync(br.body).toString("utf8")).toBe(plain);
    const gzip = await bytes("gzip");
    expect(gzip.encoding).toBe("gzip");
    expect(gunzipSync(gzip.body).toString("utf8")).toBe(plain);
    const refused = await bytes("br;q=0, gzip;q=0");
    expect(refused.encoding).toBeUndefined();
    expect(refused.body.toString("utf8")).toBe(plain);
  });

  it("speaks Statuspage's v2 API: a Statuspage client library reads it unchanged, and every document fits its schema", async () => {
    const client = new Statuspage("acme");
    client.setApiUrl(test.vigil.url);
    // The library's own Summary type is an impossible intersection (never); its parts are what a summary holds.
    const summary = (await client.api.getSummary()) as unknown as Status & Components & Incidents & Pick<ScheduledMaintenances, "scheduled_maintenances">;
    expect(summary.page).toMatchObject({ name: "Acme Status", url: "https://status.example.com", time_zone: "Europe/Paris" });
    expect(summary.status).toEqual({ indicator: "critical", description: "Major Service Outage" });
    const componentKeys = ["created_at", "description", "group", "group_id", "id", "name", "only_show_if_degraded", "page_id", "position", "showcase", "start_date", "status", "updated_at"];
    for (const c of summary.components) expect(Object.keys(c)).toEqual(expect.arrayContaining(componentKeys));
    const group = summary.components.find((c) => c.group) as unknown as Record<string, unknown>;
    expect(group).toMatchObject({ name: "Infrastructure", group_id: null, components: ["orders-db"] });
    expect(summary.components.find((c) => c.id === "checkout")).toMatchObject({ status: "major_outage", group: false });
    const [incident] = (await client.api.incidents.getUnresolved()).incidents;
    expect(incident).toMatchObject({ id: incidentId, name: "Orders database outage", status: "identified", impact: "critical", shortlink: `https://status.example.com/incidents/${incidentId}` });
    for (const key of ["created_at", "id", "impact", "incident_updates", "monitoring_at", "name", "page_id", "resolved_at", "shortlink", "status", "updated_at"]) expect(incident).toHaveProperty(key);
    expect(incident!.incident_updates.map((u) => [u.status, u.body])).toEqual([["identified", "Disk full on the primary."], ["investigating", "We are **investigating**."]]);
    for (const u of incident!.incident_updates) for (const key of ["body", "created_at", "display_at", "id", "incident_id", "status", "updated_at"]) expect(u).toHaveProperty(key);
    expect((await client.api.incidents.getAll()).incidents.map((i) => i.id)).toEqual([incidentId]);
    expect((await client.api.getStatus()).status.indicator).toBe("critical");
    expect((await client.api.getComponents()).components.length).toBe(4);
    expect((await client.api.scheduledMaintenances.getAll()).scheduled_maintenances).toEqual([]);

    // Every endpoint against its JSON Schema, with CORS open.
    const { Ajv2020, addFormats } = await loadAjv();
    for (const [name, schema] of Object.entries(v2JsonSchemas())) {
      const res = await raw(`/api/v2/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      const ajv = new Ajv2020({ strict: false });
      addFormats(ajv);
      const validate = ajv.compile(schema);
      const body = await res.json();
      expect(validate(body), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it("serves feeds, badges, the widget and the incident page", async () => {
    const rss = await raw("/history.rss");
    expect(rss.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    expect(await rss.text()).toContain("<title>Orders database outage</title>");
    expect(await (await raw("/history.atom")).text()).toContain("<feed");
    const badge = await raw("/badge.svg");
    expect(badge.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(await badge.text()).toContain("Major Service Outage");
    expect(await (await raw("/badges/checkout.svg")).text()).toMatch(/Checkout[\s\S]*Major outage/i);
    expect((await raw("/badges/nope.svg")).status).toBe(404);
    expect(await (await raw("/widget.js")).text()).toContain("Major Service Outage");
    const page = await raw(`/incidents/${incidentId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Disk full on the primary.");
    expect((await raw("/incidents/inc_0000000000000000")).status).toBe(404);
  });

  it("keeps the export directory up to date with the same files", async () => {
    await test.vigil.statusPage.refresh();
    const summary = JSON.parse(await readFile(path.join(exportDir, "api/v2/summary.json"), "utf8"));
    expect(summary.status.indicator).toBe("critical");
    expect(await readFile(path.join(exportDir, "index.html"), "utf8")).toBe(await (await raw("/", { "accept-encoding": "identity" })).text());
    // Pre-compressed variants sit beside each page, for servers that serve them (nginx gzip_static).
    expect((await readdir(path.join(exportDir, "incidents", incidentId))).sort()).toEqual(["index.html", "index.html.br", "index.html.gz"]);
    expect(gunzipSync(await readFile(path.join(exportDir, "index.html.gz"))).toString("utf8")).toBe(await readFile(path.join(exportDir, "index.html"), "utf8"));
    // No staging file is left behind.
    const all = await readdir(exportDir, { recursive: true });
    expect(all.filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("re-renders on a change, and keeps serving the last snapshot when the store is unreachable", async () => {
    await test.send("POST", `/api/v1/incidents/${incidentId}/resolve`, { body: "Fixed." });
    await expect.poll(async () => ((await (await raw("/api/v2/status.json")).json()) as { status: { indicator: string } }).status.indicator, { timeout: 5_000, interval: 100 }).toBe("none");
    const before = await (await raw("/")).text();
    await test.vigil.store.close();
    await test.vigil.statusPage.refresh();
    const after = await raw("/");
    expect(after.status).toBe(200);
    expect(await after.text()).toBe(before);
  });
});

type Ajv = { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };

// ajv ships CommonJS with a default export; loaded here so that its types stay out of the rest of the suite.
async function loadAjv(): Promise<{ Ajv2020: new (options: { strict: boolean }) => Ajv; addFormats: (ajv: Ajv) => void }> {
  const ajv = (await import("ajv/dist/2020.js")) as unknown as { default: new (options: { strict: boolean }) => Ajv };
  const formats = (await import("ajv-formats")) as unknown as { default: (ajv: Ajv) => void };
  return { Ajv2020: ajv.default, addFormats: formats.default };
}
