// `vigil upstreams` against a running Vigil (PGlite, in-process) whose providers' feeds are local feed servers,
// called in-process through main() with captured output: the table, --json, --refresh, and the remote errors.
import { vigilInProcess } from "../helpers/cli.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upstreamTable, type UpstreamJson } from "../../src/cli/upstreams.ts";
import { startFeedServer, type FeedServer } from "../helpers/feed-server.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const vigilCli = (args: string[], env: Record<string, string | undefined>) => vigilInProcess(args, env);

/** A Statuspage summary with one component, "Databases", of this status. */
function summary(status: string): string {
  return JSON.stringify({
    page: { id: "acme", name: "Acme Cloud", url: "https://status.acmecloud.example", time_zone: "Etc/UTC", updated_at: "2026-11-27T17:52:10.418Z" },
    components: [{ id: "db", name: "Databases", status, group: false, group_id: null }],
    incidents: [],
    scheduled_maintenances: [],
  });
}

describe("vigil upstreams against a running Vigil", () => {
  let feeds: FeedServer;
  let gone: FeedServer;
  let test: TestVigil;
  const read = (args: string[]) => vigilCli(args, { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.token });
  const write = (args: string[]) => vigilCli(args, { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.writeToken });

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.set("/acme/api/v2/summary.json", { body: summary("partial_outage"), contentType: "application/json" });
    gone = await startFeedServer();
    await gone.down();
    test = await startTestVigil(`
site: { name: Acme Status }
upstreams:
  - id: acme-db
    name: Acme Cloud Databases
    feed: { type: statuspage, url: "${feeds.urlOf("/acme")}" }
    match: { component: Databases }
    interval: 15m
  - id: gone-cdn
    name: Gone CDN
    feed: { type: atom, url: "${gone.urlOf("/history.atom?token=hush")}" }
    interval: 15m
`);
    await test.vigil.upstreams.idle();
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
    await feeds?.close();
    await gone?.close();
  });

  it("prints a table: id, status, since, feed state, reason (with the feed's error when it fails)", async () => {
    const res = await read(["upstreams"]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe("");
    const since = (JSON.parse((await read(["upstreams", "--json"])).stdout) as UpstreamJson[])[0]!.degraded_since!;
    expect(since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const pad = " ".repeat(since.length - "SINCE".length);
    expect(res.stdout.split("\n")).toEqual([
      `ID        STATUS          SINCE${pad}  FEED     REASON`,
      `acme-db   partial_outage  ${since}  ok       Databases is partial_outage`,
      `gone-cdn  operational     -${" ".repeat(since.length - 1)}  failing  the feed has not been read yet (feed: connection refused by ${gone.host})`,
      "",
    ]);
  });

  it("prints JSON with --json", async () => {
    const res = await read(["upstreams", "--json"]);
    expect(res.code).toBe(0);
    const upstreams = JSON.parse(res.stdout) as UpstreamJson[];
    expect(upstreams.map((u) => [u.id, u.status, u.feed.state])).toEqual([
      ["acme-db", "partial_outage", "ok"],
      ["gone-cdn", "operational", "failing"],
    ]);
    expect(res.stdout).not.toContain("hush");
  });

  it("reads the feeds first with --refresh, which needs a write token", async () => {
    feeds.set("/acme/api/v2/summary.json", { body: summary("operational"), contentType: "application/json" });
    const denied = await read(["upstreams", "--refresh"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^vigil: POST \/api\/v1\/upstreams\/refresh: 403 /);

    const res = await write(["upstreams", "--refresh", "--json"]);
    expect(res).toMatchObject({ code: 0, stderr: "" });
    const upstreams = JSON.parse(res.stdout) as UpstreamJson[];
    expect(upstreams[0]).toMatchObject({ id: "acme-db", status: "operational", degraded_since: null, reason: "Databases is operational" });
    expect(upstreams[1]!.feed).toMatchObject({ state: "failing", failures: 2 });
  }, 30_000);

  it("says so when no token is given, and when Vigil cannot be reached", async () => {
    const anonymous = await vigilCli(["upstreams"], { VIGIL_URL: test.vigil.url });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain("GET /api/v1/upstreams: 401");
    expect(anonymous.stderr).toContain("(set VIGIL_TOKEN or --token)");

    const unreachable = await vigilCli(["upstreams"], { VIGIL_URL: `http://${gone.host}`, VIGIL_TOKEN: "x" });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain(`cannot reach Vigil at http://${gone.host}`);
  });
});

describe("upstreamTable", () => {
  it("says nothing about the feed when it reads, and flattens line breaks", () => {
    const row: UpstreamJson = {
      id: "x",
      name: "X",
      status: "operational",
      reason: "two\nlines",
      degraded_since: null,
      incident: null,
      matched: [],
      show_on_status_page: false,
      feed: { state: "ok", last_success_at: null, last_attempt_at: null, last_error: null, failures: 0, next_attempt_at: null },
    };
    expect(upstreamTable([row])).toBe("ID  STATUS       SINCE  FEED  REASON\nx   operational  -      ok    two lines\n");
  });
});
