// The console's actions page over HTTP, on each store: a responder runs an action that needs an approval, cannot
// approve their own run, and another responder's approval through the page makes it run against a local receiver;
// a rejection ends a run; a viewer sees no control and is refused. Every decision goes through the API as the
// signed-in user, so the audit log names them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { consoleClient, errorIn, noticeIn } from "../helpers/console-forms.ts";
import { addUserWithPassword, signInOverHttp } from "../helpers/console-users.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";


for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`the console's actions page on ${backend.name}`, () => {
    const clock = new ManualClock("2026-12-07T09:00:00Z");
    let sink: HttpSink;
    let target: StoreTarget;
    let test: TestVigil;
    const cookies: Record<string, string> = {};

    beforeAll(async () => {
      sink = await startHttpSink();
      sink.reply(() => ({ status: 200, body: "scaled" }));
      target = await freshTarget(backend.name);
      const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
actions:
  definitions:
    - { id: scale-down, type: webhook, url: "${sink.url}/scale", approval: { required: 1, roles: [responder] } }
`;
      test = await startTestVigil(config, { clock, ...(target.url ? { databaseUrl: target.url } : {}) });
      for (const [email, role] of [["rob@example.com", "responder"], ["rita@example.com", "responder"], ["vic@example.com", "viewer"]] as const) {
        await addUserWithPassword({ store: test.vigil.store, clock }, email, role);
        cookies[email] = await signInOverHttp(test.vigil.url, email);
      }
    }, 120_000);
    afterAll(async () => {
      await test?.dispose();
      await target?.dispose();
      await sink?.close();
    });

    const client = consoleClient(() => test.vigil.url);
    const get = (who: string, path: string) => client.get(cookies[who] ?? "", path);
    const post = (who: string, path: string, fields: Record<string, string | string[]> = {}) => client.post(cookies[who] ?? "", path, fields);
    const runIdIn = (notice: string | undefined) => /\(run ([^)]+)\)/.exec(notice ?? "")?.[1] ?? "";

    it("runs an action that waits for another responder's approval, then runs it; the requester's own approval is refused", async () => {
      const asked = await post("rob@example.com", "/manage/actions/runs", { action: "scale-down", incident: "" });
      expect(asked.status).toBe(200);
      expect(noticeIn(asked.html)).toMatch(/^scale-down waits for 1 approval \(run .+\)\.$/);
      const run = runIdIn(noticeIn(asked.html));
      expect(asked.html).toMatch(new RegExp(`<tr id="run-${run}"><th scope="row"><code>scale-down</code></th><td>waiting approval \\(needs 1, until `));
      expect(asked.html).toContain(`action="/manage/actions/runs/${run}/approve"`);

      const own = await post("rob@example.com", `/manage/actions/runs/${run}/approve`);
      expect(own.status).toBe(403);
      expect(errorIn(own.html)).toBe(`you asked for action run ${run}: another person must approve it (you may reject it)`);
      expect(sink.requests).toHaveLength(0);

      const approved = await post("rita@example.com", `/manage/actions/runs/${run}/approve`);
      expect(approved.status).toBe(200);
      expect(noticeIn(approved.html)).toBe(`Run ${run} of scale-down is pending.`);
      await expect.poll(async () => (await test.get(`/api/v1/actions/runs/${run}`)).json.status, { timeout: 15_000, interval: 100 }).toBe("succeeded");
      expect(sink.requests).toHaveLength(1);
      const audit = (await test.vigil.store.audit.list({}, 500)).filter((e) => e.operation === "approveActionRun");
      expect(audit.map((e) => ({ actor: e.actor, via: e.via, status: e.status }))).toEqual(expect.arrayContaining([{ actor: "rita@example.com", via: "session", status: 200 }, { actor: "rob@example.com", via: "session", status: 403 }]));
    });

    it("ends a run at a rejection, and cancels one waiting", async () => {
      const rejectedRun = runIdIn(noticeIn((await post("rob@example.com", "/manage/actions/runs", { action: "scale-down" })).html));
      const rejected = await post("rita@example.com", `/manage/actions/runs/${rejectedRun}/reject`);
      expect(noticeIn(rejected.html)).toBe(`Run ${rejectedRun} of scale-down is rejected.`);
      const cancelledRun = runIdIn(noticeIn((await post("rob@example.com", "/manage/actions/runs", { action: "scale-down" })).html));
      const cancelled = await post("rob@example.com", `/manage/actions/runs/${cancelledRun}/cancel`);
      expect(noticeIn(cancelled.html)).toBe(`Run ${cancelledRun} of scale-down is cancelled.`);
      expect((await test.get(`/api/v1/actions/runs/${rejectedRun}`)).json.status).toBe("rejected");
      expect(sink.requests).toHaveLength(1);
    });

    it("shows a viewer the runs without a control, and refuses their forms", async () => {
      const page = await get("vic@example.com", "/manage/actions");
      expect(page.status).toBe(200);
      expect(page.html).toContain('<table id="runs">');
      expect(page.html).not.toContain('id="run"');
      expect(page.html).not.toMatch(/\/(approve|reject|cancel)"/);
      expect((await post("vic@example.com", "/manage/actions/runs", { action: "scale-down" })).status).toBe(403);
      const waiting = runIdIn(noticeIn((await post("rob@example.com", "/manage/actions/runs", { action: "scale-down" })).html));
      expect((await post("vic@example.com", `/manage/actions/runs/${waiting}/approve`)).status).toBe(403);
      expect((await test.get(`/api/v1/actions/runs/${waiting}`)).json.status).toBe("waiting_approval");
    });
  });
}
