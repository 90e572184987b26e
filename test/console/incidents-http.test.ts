// The console's incident pages over plain HTTP, on each store: the list, opening an incident, and every form of the
// incident room (update from a template, publish, components, note, resolve, postmortem edit, preview and publish),
// each with its success, the API's refusal shown beside the form with what was typed, a viewer who sees no control
// and gets 403 on POST, and a forged CSRF token refused. Writes go through the API: the audit log names the user.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consolePolicy } from "../../src/api/console/routes.ts";
import { systemClock } from "../../src/core/clock.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";
import { addUserWithPassword, signInOverHttp } from "../helpers/console-users.ts";

const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
  - { id: checkout, name: Checkout, depends_on: [api] }
incidents:
  publish: manual
  update_templates:
    - id: db-failover
      name: Database failover
      title: Database failover
      body: "We are **failing over** the database."
      status: identified
      components: { api: partial_outage }
      notify: false
`;
const form = { "content-type": "application/x-www-form-urlencoded" };
const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
const unescape = (text: string | undefined) => text?.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const alertIn = (html: string) => unescape(/<div class="error" role="alert"><p>([^<]*)<\/p>/.exec(html)?.[1]);
const noticeIn = (html: string) => /<p class="note" role="status">([^<]*)<\/p>/.exec(html)?.[1];

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`the console's incident room on ${backend.name}`, () => {
    let target: StoreTarget;
    let test: TestVigil;
    let responder: string;
    let viewer: string;
    let base: string;

    const get = async (path: string, cookie = responder) => {
      const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: "manual" });
      return { status: res.status, html: await res.text(), res };
    };
    const post = async (path: string, fields: Record<string, string>, cookie = responder, csrf?: string) => {
      const token = csrf ?? csrfIn((await get("/manage/incidents", cookie)).html);
      const res = await fetch(`${base}${path}`, { method: "POST", redirect: "manual", headers: { ...form, cookie }, body: new URLSearchParams({ csrf: token, ...fields }).toString() });
      return { status: res.status, html: await res.text(), location: res.headers.get("location") };
    };
    const open = async (name: string, publish = true) => {
      const made = await post("/manage/incidents/new", { submitted: "1", name, body: "Looking into it.", status: "investigating", "component.api": "major_outage", ...(publish ? { publish: "1" } : {}), action: "open" });
      expect(made.status).toBe(303);
      return (made.location ?? "").split("/").at(-1) as string;
    };

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      test = await startTestVigil(config, target.url ? { databaseUrl: target.url } : {});
      base = test.vigil.url;
      const deps = { store: test.vigil.store, clock: systemClock };
      await addUserWithPassword(deps, "rob@example.com", "responder");
      await addUserWithPassword(deps, "val@example.com", "viewer");
      responder = await signInOverHttp(base, "rob@example.com");
      viewer = await signInOverHttp(base, "val@example.com");
    }, 120_000);
    afterAll(async () => {
      await test?.dispose();
      await target?.dispose();
    });

    it("opens an incident by hand through the API, listed as open with its components, and refuses an invalid one keeping what was typed", async () => {
      const blank = await get("/manage/incidents/new");
      expect(blank.status).toBe(200);
      expect(blank.res.headers.get("content-security-policy")).toBe(consolePolicy);
      expect(blank.html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      expect(blank.html).toContain('<label for="name">Name</label>');

      const refused = await post("/manage/incidents/new", { submitted: "1", name: "Checkout errors", body: "   ", "component.api": "partial_outage", action: "open" });
      expect(refused.status).toBe(400);
      expect(alertIn(refused.html)).toMatch(/body/);
      expect(refused.html).toContain('value="Checkout errors"');
      expect(refused.html).toMatch(/<option value="partial_outage" selected>/);

      const id = await open("Checkout errors");
      const incident = (await test.get(`/api/v1/incidents/${id}`)).json;
      expect(incident).toMatchObject({ name: "Checkout errors", status: "investigating", root_components: ["api"], impacted_components: ["checkout"] });
      expect(incident.published_at).not.toBeNull();

      const list = await get("/manage/incidents");
      expect(list.status).toBe(200);
      expect(list.html).toContain(`<a href="/manage/incidents/${id}">Checkout errors</a>`);
      expect(list.html).toContain("Components: Production API, Checkout");
      expect(list.html).toContain('<a id="open-incident" href="/manage/incidents/new">Open an incident</a>');
      const audit = await test.vigil.store.audit.list({}, 50);
      expect(audit.find((a) => a.operation === "createIncident")?.actor).toBe("rob@example.com");
    }, 60_000);

    it("fills the update form from a template (?template=), posts it without telling subscribers, with the components' statuses", async () => {
      const id = await open("Database trouble");
      const room = await get(`/manage/incidents/${id}?template=db-failover`);
      expect(room.status).toBe(200);
      expect(room.html).toContain("We are **failing over** the database.</textarea>");
      expect(room.html).toMatch(/<select id="update-status" name="status">.*<option value="identified" selected>/s);
      expect(room.html).toMatch(/<select id="update-api" name="component.api">.*?<option value="partial_outage" selected>/s);
      expect(room.html).toMatch(/<input type="checkbox" id="update-notify" name="notify" value="1">/);

      const preview = await post(`/manage/incidents/${id}/update`, { submitted: "1", status: "identified", body: "We are **failing over**.", hold: "1", action: "preview" });
      expect(preview.status).toBe(200);
      expect(preview.html).toContain("<p>We are <strong>failing over</strong>.</p>");
      expect(preview.html).toContain("We are **failing over**.</textarea>");

      const posted = await post(`/manage/incidents/${id}/update`, { submitted: "1", status: "identified", body: "We are failing over the database.", hold: "1", "component.api": "partial_outage", action: "post" });
      expect(posted.status).toBe(200);
      expect(noticeIn(posted.html)).toBe("The update is posted.");
      const incident = (await test.get(`/api/v1/incidents/${id}`)).json;
      expect(incident.status).toBe("identified");
      expect(incident.timeline.find((e: any) => e.kind === "incident.updated")?.data.notify).toBe(false);
      const components = (await test.get("/api/v1/components")).json.components;
      expect(components.find((c: any) => c.id === "api")).toMatchObject({ status: "partial_outage", overridden: true });

      const wrong = await post(`/manage/incidents/${id}/update`, { submitted: "1", status: "postmortem", body: "Back to square one?", notify: "1", action: "post" });
      expect(wrong.status).toBe(409);
      expect(alertIn(wrong.html)).toBeTruthy();
      expect(wrong.html).toContain("Back to square one?</textarea>");
    }, 60_000);

    it("publishes a draft, sets components, adds a note and resolves, each refusal shown beside its form", async () => {
      const id = await open("Slow search", false);
      let room = await get(`/manage/incidents/${id}`);
      expect(room.html).toContain("<strong>Draft</strong> (not public)");
      const published = await post(`/manage/incidents/${id}/publish`, {});
      expect(published.status).toBe(200);
      expect(noticeIn(published.html)).toBe("The incident is published.");
      const again = await post(`/manage/incidents/${id}/publish`, {});
      expect(again.status).toBe(409);
      expect(alertIn(again.html)).toMatch(/already published/);

      const set = await post(`/manage/incidents/${id}/components`, { "component.checkout": "degraded_performance" });
      expect(set.status).toBe(200);
      expect((await test.get("/api/v1/components")).json.components.find((c: any) => c.id === "checkout").status).toBe("degraded_performance");
      const unknownStatus = await post(`/manage/incidents/${id}/components`, { "component.checkout": "on_fire" });
      expect(unknownStatus.status).toBe(400);
      expect(alertIn(unknownStatus.html)).toBeTruthy();

      const note = await post(`/manage/incidents/${id}/note`, { body: "Paged the search team." });
      expect(note.status).toBe(200);
      expect(note.html).toMatch(/<li data-kind="incident.note">.*Paged the search team\./);
      const emptyNote = await post(`/manage/incidents/${id}/note`, { body: " " });
      expect(emptyNote.status).toBe(400);

      room = await get(`/manage/incidents/${id}`);
      expect(room.html).toContain('aria-labelledby="resolve-h"');
      const resolved = await post(`/manage/incidents/${id}/resolve`, { body: "Fixed." });
      expect(resolved.status).toBe(200);
      expect(resolved.html).toContain('<strong id="room-status" data-status="resolved">resolved</strong>');
      const tooLong = await post(`/manage/incidents/${id}/components`, {});
      expect(tooLong.status).toBe(200);
      const other = await open("Slow search, again");
      const long = `Fixed ${"again ".repeat(4_000)}`;
      const refused = await post(`/manage/incidents/${other}/resolve`, { body: long });
      expect(refused.status).toBe(400);
      expect(alertIn(refused.html)).toBeTruthy();
      expect(refused.html).toContain(`${long}</textarea>`.slice(-40));
      await post(`/manage/incidents/${id}/components`, { "component.checkout": "auto" });
    }, 60_000);

    it("edits, previews and publishes the postmortem; a refused publication lists the API's findings", async () => {
      const id = await open("Queue backlog");
      expect((await post(`/manage/incidents/${id}/resolve`, {})).status).toBe(200);
      const room = await get(`/manage/incidents/${id}`);
      expect(room.html).toContain('<textarea id="postmortem-body" name="body" rows="16"');
      const preview = await post(`/manage/incidents/${id}/postmortem`, { body: "## What happened\n\nThe queue **backed up**.", action: "preview" });
      expect(preview.html).toContain("<strong>backed up</strong>");
      const saved = await post(`/manage/incidents/${id}/postmortem`, { body: "## What happened\n\nThe queue backed up at 10.0.0.7.", action: "save" });
      expect(saved.status).toBe(200);
      expect(noticeIn(saved.html)).toBe("The postmortem is saved.");
      const refused = await post(`/manage/incidents/${id}/postmortem/publish`, {});
      expect(refused.status).toBe(409);
      expect(refused.html).toMatch(/<li>postmortem:\d+: internal detail &quot;10\.0\.0\.7&quot;<\/li>/);
      // A long postmortem (the API takes 200 000 characters) fits the console's form.
      const long = await post(`/manage/incidents/${id}/postmortem`, { body: `## Timeline\n\n${"- a step of the timeline\n".repeat(1_500)}`, action: "save" });
      expect(long.status).toBe(200);
      const empty = await post(`/manage/incidents/${id}/postmortem`, { body: "  ", action: "save" });
      expect(empty.status).toBe(400);
      await post(`/manage/incidents/${id}/postmortem`, { body: "## What happened\n\nThe queue backed up.", action: "save" });
      const done = await post(`/manage/incidents/${id}/postmortem/publish`, {});
      expect(done.status).toBe(200);
      expect((await test.get(`/api/v1/incidents/${id}/postmortem`)).json.published_at).not.toBeNull();
    }, 60_000);

    it("shows a viewer the room without a control, refuses the viewer's POSTs with 403, and refuses a forged form", async () => {
      const id = await open("Viewer check");
      const list = await get("/manage/incidents", viewer);
      expect(list.status).toBe(200);
      expect(list.html).not.toContain("Open an incident");
      const room = await get(`/manage/incidents/${id}`, viewer);
      expect(room.status).toBe(200);
      expect(room.html).toContain("Viewer check");
      expect(room.html).not.toMatch(/<form method="post" action="\/manage\/incidents/);
      expect(room.html).not.toContain("<textarea");
      expect((await get("/manage/incidents/new", viewer)).status).toBe(403);
      for (const path of ["new", `${id}/update`, `${id}/publish`, `${id}/components`, `${id}/note`, `${id}/resolve`, `${id}/postmortem`, `${id}/postmortem/publish`]) {
        const refused = await post(`/manage/incidents/${path}`, { submitted: "1", name: "x", body: "Viewer was here.", "component.api": "major_outage", action: "post" }, viewer);
        expect(refused.status, path).toBe(403);
      }
      expect((await test.get(`/api/v1/incidents/${id}`)).json.timeline.some((e: any) => e.kind === "incident.note")).toBe(false);
      // The API refuses the viewer too, whatever the console shows.
      const direct = await fetch(`${base}/api/v1/incidents/${id}/notes`, { method: "POST", headers: { authorization: `Session ${viewer.split("=")[1]}`, "content-type": "application/json" }, body: JSON.stringify({ body: "x" }) });
      expect(direct.status).toBe(403);

      for (const path of ["new", `${id}/update`, `${id}/note`, `${id}/resolve`]) {
        const forged = await post(`/manage/incidents/${path}`, { body: "Forged." }, responder, "not-the-token");
        expect(forged.status, path).toBe(403);
        expect(forged.html).toContain("Form refused");
      }
      const crossSite = await fetch(`${base}/manage/incidents/${id}/note`, { method: "POST", headers: { ...form, cookie: responder, origin: "https://evil.example.com" }, body: new URLSearchParams({ csrf: csrfIn((await get("/manage/incidents")).html), body: "Forged." }).toString() });
      expect(crossSite.status).toBe(403);
      expect((await test.get(`/api/v1/incidents/${id}`)).json.timeline.some((e: any) => e.kind === "incident.note")).toBe(false);
    }, 60_000);

    it("previews Markdown for the pages' script, sanitised, CSRF-checked, and not in the audit log", async () => {
      const page = await get("/manage/incidents");
      const before = (await test.vigil.store.audit.list({}, 500)).length;
      const ok = await post("/manage/preview", { body: "**bold** <script>alert(1)</script>" }, responder, csrfIn(page.html));
      expect(ok.status).toBe(200);
      expect(ok.html.trim()).toBe("<p><strong>bold</strong> </p>");
      const viewerPreview = await post("/manage/preview", { body: "_x_" }, viewer);
      expect(viewerPreview.status).toBe(200);
      expect((await test.vigil.store.audit.list({}, 500)).length).toBe(before);
      expect((await post("/manage/preview", { body: "x" }, responder, "forged")).status).toBe(403);
      expect((await fetch(`${base}/manage/preview`, { method: "POST", redirect: "manual", headers: form, body: "body=x" })).status).toBe(303);
    }, 60_000);
  });
}
