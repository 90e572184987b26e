// The console's catalog pages over HTTP, on each store: the configuration file's components and monitors listed
// read-only, and those of the database added, edited and removed through forms that write through the HTTP API as the
// signed-in user. A field that cannot be read, or an entry the configuration's rules refuse, is shown next to its
// field with what was typed kept; a secret is never shown back and is kept when its field is left empty.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { consoleClient, errorIn, noticeIn, unescapeHtml as unescape } from "../helpers/console-forms.ts";
import { addUserWithPassword, signInOverHttp } from "../helpers/console-users.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const inputValue = (html: string, id: string) => unescape(new RegExp(`<input id="${id}"[^>]*value="([^"]*)"`).exec(html)?.[1]);
const fieldErrorOf = (html: string, key: string) => unescape(new RegExp(`<p class="field-error" id="f-${key}-error">([^<]*)</p>`).exec(html)?.[1]);

const secret = "nightly-backup-secret-0123456789";

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`the console's catalog pages on ${backend.name}`, () => {
    const clock = new ManualClock("2026-12-01T09:00:00Z");
    let target: StoreTarget;
    let test: TestVigil;
    const cookies: Record<string, string> = {};

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API, monitors: [api-ping] }
monitors:
  - { id: api-ping, name: API ping, type: heartbeat, secret: "api-ping-secret-0123456789", interval: 1h }
`;
      test = await startTestVigil(config, { clock, ...(target.url ? { databaseUrl: target.url } : {}) });
      const deps = { store: test.vigil.store, clock };
      for (const [email, role] of [["adam@example.com", "admin"], ["vic@example.com", "viewer"]] as const) {
        await addUserWithPassword(deps, email, role);
        cookies[role] = await signInOverHttp(test.vigil.url, email);
      }
    }, 120_000);
    afterAll(async () => {
      await test?.dispose();
      await target?.dispose();
    });

    const client = consoleClient(() => test.vigil.url);
    const get = (role: string, path: string) => client.get(cookies[role] ?? "", path);
    const post = (role: string, path: string, fields: Record<string, string | string[]> = {}) => client.post(cookies[role] ?? "", path, fields);
    const auditOf = async (operation: string) => (await test.vigil.store.audit.list({}, 500)).filter((e) => e.operation === operation);

    it("lists the file's entries read-only, and gives a viewer no control and a 403 for the forms", async () => {
      const list = await get("viewer", "/manage/catalog");
      expect(list.status).toBe(200);
      expect(list.html).toMatch(/<tr id="c-api"><th scope="row">Production API<\/th>.*<td>configuration file<\/td><\/tr>/);
      expect(list.html).toMatch(/<tr id="m-api-ping"><th scope="row">API ping<\/th><td><code>api-ping<\/code><\/td><td>heartbeat<\/td><td>60 min<\/td>/);
      expect(list.html).not.toContain("Add a monitor");
      expect(list.html).not.toContain(">Edit<");
      expect((await get("viewer", "/manage/catalog/monitors/new")).status).toBe(403);
      const refused = await post("viewer", "/manage/catalog/monitors", { type: "heartbeat", "v.id": "sneaky", "v.secret": secret });
      expect(refused.status).toBe(403);
      expect((await test.get("/api/v1/monitors")).json.monitors.map((m: { id: string }) => m.id)).toEqual(["api-ping"]);

      const admin = await get("admin", "/manage/catalog");
      expect(admin.html).toContain('<a href="/manage/catalog/monitors/new">Add a monitor</a>');
      expect(admin.html).toMatch(/<tr id="m-api-ping">.*<span class="note">read-only<\/span>/);
      const fileEntry = await get("admin", "/manage/catalog/monitors/api-ping");
      expect(fileEntry.status).toBe(404);
      expect(errorIn(fileEntry.html)).toBe("the monitor api-ping is defined in the configuration file, not the database");
    });

    it("adds a monitor of the chosen type, naming a field it cannot read or the schema refuses, and keeps what was typed", async () => {
      const blank = await get("admin", "/manage/catalog/monitors/new?type=heartbeat");
      expect(blank.status).toBe(200);
      expect(blank.html).toContain('<legend>The heartbeat check</legend>');
      expect(blank.html).toContain('id="f-secret" name="v.secret"');
      expect(blank.html).not.toContain('id="f-url"');
      expect((await get("admin", "/manage/catalog/monitors/new?type=carrier-pigeon")).status).toBe(400);

      const fields = { type: "heartbeat", "v.id": "backup-job", "v.name": "Nightly backup", "v.interval": "fast", "v.secret": secret, "v.grace": "10m", "v.regions": "[local" };
      const unreadable = await post("admin", "/manage/catalog/monitors", fields);
      expect(unreadable.status).toBe(400);
      expect(fieldErrorOf(unreadable.html, "regions")).toMatch(/^cannot be read as YAML/);
      expect(unreadable.html).toContain('aria-describedby="f-regions-error"');
      expect(inputValue(unreadable.html, "f-name")).toBe("Nightly backup");

      const invalid = await post("admin", "/manage/catalog/monitors", { ...fields, "v.regions": "" });
      expect(invalid.status).toBe(400);
      expect(fieldErrorOf(invalid.html, "interval")).toMatch(/duration/);
      expect(inputValue(invalid.html, "f-interval")).toBe("fast");
      expect(await test.vigil.store.catalogEntries.get("monitor", "backup-job")).toBeUndefined();

      const added = await post("admin", "/manage/catalog/monitors", { ...fields, "v.interval": "1h", "v.regions": "" });
      expect(added.status).toBe(200);
      expect(noticeIn(added.html)).toBe("Added the monitor backup-job.");
      expect(added.html).toMatch(/<tr id="m-backup-job"><th scope="row">Nightly backup<\/th>.*<td>added here<\/td>/);
      const monitor = (await test.get("/api/v1/monitors/backup-job")).json;
      expect(monitor).toMatchObject({ type: "heartbeat", source: "database", interval_ms: 3_600_000 });
      expect((await test.vigil.store.catalogEntries.get("monitor", "backup-job"))?.entry).toEqual({ type: "heartbeat", id: "backup-job", name: "Nightly backup", interval: "1h", secret, grace: "10m" });
      expect((await auditOf("createMonitor"))[0]).toMatchObject({ actor: "adam@example.com", via: "session", status: 201 });
    });

    it("edits a monitor of the database without showing its secret, keeping it when its field is left empty", async () => {
      const edit = await get("admin", "/manage/catalog/monitors/backup-job");
      expect(edit.status).toBe(200);
      expect(edit.html).toContain("<h1>Edit the monitor backup-job</h1>");
      expect(inputValue(edit.html, "f-secret")).toBe("");
      expect(edit.html).not.toContain(secret);
      expect(inputValue(edit.html, "f-grace")).toBe("10m");
      expect(edit.html).toMatch(/<input id="f-id" name="v.id" readonly/);

      const same = await post("admin", "/manage/catalog/monitors/backup-job", { "v.id": "backup-job", "v.name": "Nightly backup", "v.interval": "1h", "v.secret": "", "v.grace": "10m" });
      expect(noticeIn(same.html)).toBe("Nothing changed in the monitor backup-job.");

      const saved = await post("admin", "/manage/catalog/monitors/backup-job", { "v.id": "backup-job", "v.name": "Nightly database backup", "v.interval": "1h", "v.secret": "", "v.grace": "" });
      expect(saved.status).toBe(200);
      expect(noticeIn(saved.html)).toBe("Saved the monitor backup-job.");
      expect((await test.vigil.store.catalogEntries.get("monitor", "backup-job"))?.entry).toEqual({ type: "heartbeat", id: "backup-job", name: "Nightly database backup", interval: "1h", secret });
      expect((await test.get("/api/v1/monitors/backup-job")).json.name).toBe("Nightly database backup");
      expect((await auditOf("patchMonitor"))[0]).toMatchObject({ actor: "adam@example.com", status: 200 });

      const refused = await post("admin", "/manage/catalog/monitors/backup-job", { "v.id": "backup-job", "v.name": "Nightly database backup", "v.interval": "1h", "v.confirm": "0" });
      expect(refused.status).toBe(400);
      expect(fieldErrorOf(refused.html, "confirm")).toBeTruthy();
      expect(refused.html).toContain("<details open>");
    });

    it("adds a component with the monitors chosen, refuses removing a monitor it uses, then removes both", async () => {
      const blank = await get("admin", "/manage/catalog/components/new");
      expect(blank.html).toContain('<input type="checkbox" name="monitors" value="backup-job">');
      const added = await post("admin", "/manage/catalog/components", { "v.id": "backups", "v.name": "Backups", monitors: ["backup-job"] });
      expect(noticeIn(added.html)).toBe("Added the component backups.");
      const component = (await test.get("/api/v1/components")).json.components.find((c: { id: string }) => c.id === "backups");
      expect(component).toMatchObject({ name: "Backups", monitors: ["backup-job"], source: "database" });

      const edit = await get("admin", "/manage/catalog/components/backups");
      expect(edit.html).toContain('<input type="checkbox" name="monitors" value="backup-job" checked>');

      const inUse = await post("admin", "/manage/catalog/monitors/backup-job/remove", {});
      expect(inUse.status).toBe(409);
      expect(errorIn(inUse.html)).toMatch(/backups/);
      expect((await test.get("/api/v1/monitors/backup-job")).status).toBe(200);

      // Unticking the monitor takes it out of the component.
      const unticked = await post("admin", "/manage/catalog/components/backups", { "v.id": "backups", "v.name": "Backups" });
      expect(noticeIn(unticked.html)).toBe("Saved the component backups.");
      expect((await test.vigil.store.catalogEntries.get("component", "backups"))?.entry).toEqual({ id: "backups", name: "Backups" });

      expect(noticeIn((await post("admin", "/manage/catalog/components/backups/remove", {})).html)).toBe("Removed the component backups.");
      expect(noticeIn((await post("admin", "/manage/catalog/monitors/backup-job/remove", {})).html)).toBe("Removed the monitor backup-job.");
      expect((await test.get("/api/v1/monitors/backup-job")).status).toBe(404);
      expect((await auditOf("removeMonitor")).filter((e) => e.status === 204)).toHaveLength(1);
    });
  });
}
