// `vigil action run|runs` against a running Vigil (PGlite, in-process), called in-process through main() with captured
// output: a run waited for, its line and output; the runs table; the server's refusals (exit 1) and usage errors (exit 2).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { runTable, type ActionRunJson } from "../../src/cli/action.ts";
import { systemClock } from "../../src/core/clock.ts";
import { vigilInProcess } from "../helpers/cli.ts";
import { addUserWithPassword } from "../helpers/console-users.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

describe("vigil action against a running Vigil", () => {
  let sink: HttpSink;
  let test: TestVigil;
  let responder: string;
  let incident: string;
  const people = { rita: "", rick: "" };
  const cli = (args: string[], token = responder) => vigilInProcess(args, { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: token });

  beforeAll(async () => {
    sink = await startHttpSink();
    sink.reply((request) => (request.path === "/refuse" ? { status: 422, body: { error: "replicas must be at least 1" } } : { status: 200, body: "ok" }));
    test = await startTestVigil(`
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database }
actions:
  definitions:
    - { id: scale-down, type: webhook, url: "${sink.url}/scale" }
    - { id: bad-scale, type: webhook, url: "${sink.url}/refuse" }
    - { id: later, type: webhook, url: "${sink.url}/later" }
    - { id: drain, type: webhook, url: "${sink.url}/drain", approval: { required: 1, roles: [responder] } }
`);
    responder = (await createToken({ store: test.vigil.store, clock: systemClock }, { name: "runbook", role: "responder", actor: "test" })).token;
    for (const name of ["rita", "rick"] as const) {
      const user = await addUserWithPassword({ store: test.vigil.store, clock: systemClock }, `${name}@example.com`, "responder");
      people[name] = (await createToken({ store: test.vigil.store, clock: systemClock }, { name: `${name}-cli`, role: "responder", user: user.email, actor: "test" })).token;
    }
    incident = (await test.send("POST", "/api/v1/incidents", { name: "Orders database outage", body: "Investigating.", components: { "orders-db": "major_outage" } })).json.id;
  }, 60_000);
  afterAll(async () => {
    await test?.dispose();
    await sink?.close();
  });

  it("runs an action for an incident and waits for it", async () => {
    const res = await cli(["action", "run", "scale-down", "--incident", incident, "--wait"]);
    expect(res).toMatchObject({ code: 0, stderr: "" });
    expect(res.stdout).toMatch(new RegExp(`^run_[0-9a-f]{16} scale-down for ${incident}: succeeded after 1 attempt\\n${sink.host.replace(".", "\\.")} answered 200: ok\\n$`));
    expect(sink.requests.at(-1)?.body).toMatchObject({ incident: { id: incident } });
  });

  it("asks for a run without waiting, as JSON", async () => {
    const res = await cli(["action", "run", "scale-down", "--json"]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ action: "scale-down", incident: null, status: "pending", attempts: 0 });
  });

  it("exits 1 when a run waited for fails, with the receiver's reason", async () => {
    const res = await cli(["action", "run", "bad-scale", "--incident", incident, "--wait"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/bad-scale for inc_\S+: failed after 1 attempt: 127\.0\.0\.1:\d+ answered 422: replicas must be at least 1\n$/);
  });

  it("lists runs as a table and as JSON, filtered", async () => {
    const json = JSON.parse((await cli(["action", "runs", "--incident", incident, "--json"])).stdout) as ActionRunJson[];
    expect(json.map((r) => [r.action, r.status])).toEqual([
      ["bad-scale", "failed"],
      ["scale-down", "succeeded"],
    ]);
    const table = await cli(["action", "runs", "--incident", incident]);
    expect(table).toMatchObject({ code: 0, stdout: runTable(json) });
    expect(table.stdout.split("\n")[0]).toMatch(/^ID +ACTION +INCIDENT +STATUS +ATTEMPTS +CREATED +REQUESTED BY +LAST ERROR$/);
    const failed = JSON.parse((await cli(["action", "runs", "--status", "failed", "--json"])).stdout) as ActionRunJson[];
    expect(failed.map((r) => r.action)).toEqual(["bad-scale"]);
    expect((await cli(["action", "runs", "--action", "nothing-ran"])).stdout).toBe("no action runs\n");
  });

  it("tells the runs on the incident's timeline in vigil incident show", async () => {
    const shown = await cli(["incident", "show", incident], test.token);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("Action `scale-down` succeeded");
    expect(shown.stdout).toContain("Action `bad-scale` failed: ");
  });

  it("cancels a pending run, and refuses to cancel one that is over", async () => {
    sink.reply((request) => (request.path === "/later" ? { status: 503, body: "busy", headers: { "retry-after": "60" } } : { status: 200, body: "ok" }));
    const asked = JSON.parse((await cli(["action", "run", "later", "--json"])).stdout) as ActionRunJson;
    await expect.poll(async () => (JSON.parse((await cli(["action", "runs", "--action", "later", "--json"])).stdout) as ActionRunJson[])[0]?.attempts, { timeout: 10_000 }).toBe(1);
    const cancelled = await cli(["action", "cancel", asked.id]);
    expect(cancelled).toMatchObject({ code: 0, stderr: "" });
    expect(cancelled.stdout).toMatch(new RegExp(`^${asked.id} later: cancelled after 1 attempt: 127\\.0\\.0\\.1:\\d+ answered 503: busy\n$`));
    const again = await cli(["action", "cancel", asked.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`action run ${asked.id} is cancelled: a run that is over cannot be cancelled`);
  });

  it("approves a run waiting for approval (not the requester's own) and rejects another, with comments", async () => {
    const asked = JSON.parse((await cli(["action", "run", "drain", "--json"], people.rita)).stdout) as ActionRunJson;
    expect(asked).toMatchObject({ status: "waiting_approval", approvals_required: 1 });
    const own = await cli(["action", "approve", asked.id], people.rita);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain(`you asked for action run ${asked.id}: another person must approve it`);
    const approved = await cli(["action", "approve", asked.id, "--comment", "drained the node already"], people.rick);
    expect(approved).toMatchObject({ code: 0, stderr: "" });
    expect(approved.stdout).toMatch(new RegExp(`^${asked.id} drain: (pending|running|succeeded)`));
    await expect.poll(() => sink.requests.filter((r) => r.path === "/drain").length, { timeout: 10_000 }).toBe(1);

    const other = JSON.parse((await cli(["action", "run", "drain", "--json"], people.rita)).stdout) as ActionRunJson;
    const rejected = await cli(["action", "reject", other.id, "--comment", "not during the backup", "--json"], people.rick);
    expect(rejected.code).toBe(0);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ id: other.id, status: "rejected" });
    const again = await cli(["action", "approve", other.id], people.rick);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`action run ${other.id} is rejected: only a run waiting for approval can be approved`);
    expect(sink.requests.filter((r) => r.path === "/drain")).toHaveLength(1);
  });

  it("refuses an unknown action, a viewer's token and an unknown status", async () => {
    const unknown = await cli(["action", "run", "scale-up", "--incident", incident]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no action has the id "scale-up"');
    const viewer = await cli(["action", "run", "scale-down"], test.token);
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain("actions.run");
    expect((await cli(["action", "runs", "--status", "done"])).code).toBe(2);
  });
});
