// `vigil incident …` and `vigil windows` against a running Vigil (PGlite, in-process), called in-process
// through main() with captured output; the remote client's errors and exit codes; CSV quoting.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { vigilInProcess } from "../helpers/cli.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { windowsCsv } from "../../src/cli/windows.ts";
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

const vigilCli = (args: string[], env: Record<string, string | undefined>) => vigilInProcess(args, env);

interface IncidentJson {
  id: string;
  name: string;
  status: string;
  impact: string;
  root_components: string[];
  impacted_components: string[];
  started_at: string;
  resolved_at: string | null;
  manual: boolean;
  hold: boolean;
}

interface WindowJson {
  id: string;
  component: string;
  incidents: string[];
  start: string;
  end: string | null;
  worst_status: string;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("vigil incident and vigil windows against a running Vigil", () => {
  let test: TestVigil;
  const read = (args: string[]) => vigilCli(args, { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.token });
  const write = (args: string[]) => vigilCli(args, { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.writeToken });
  // Set by the first test, read by the ones after it (they run in order).
  let opened: IncidentJson;
  let resolvedAt: string;

  beforeAll(async () => {
    test = await startTestVigil(config);
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
  });

  it("opens an incident by hand with a component status", async () => {
    const res = await write(["incident", "open", "--name", "Search is slow", "--body", "We are looking into slow searches.", "--component", "search=partial_outage", "--json"]);
    expect(res).toMatchObject({ code: 0, stderr: "" });
    opened = JSON.parse(res.stdout) as IncidentJson;
    expect(opened).toMatchObject({
      name: "Search is slow",
      status: "investigating",
      // A partial outage of one component is a minor incident (see docs/incidents.md, Impact).
      impact: "minor",
      root_components: ["search"],
      impacted_components: ["api"],
      resolved_at: null,
      manual: true,
      hold: true,
    });
    expect(opened.id).toMatch(/^inc_[0-9a-f]{16}$/);
  }, 30_000);

  it("lists it as text and, open ones only, as JSON", async () => {
    const text = await read(["incident", "list"]);
    expect(text).toEqual({ code: 0, stderr: "", stdout: `${opened.id}  investigating  minor     ${opened.started_at}  Search is slow  [search, api]\n` });

    const json = await read(["incident", "list", "--open", "--json"]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as IncidentJson[]).map((i) => [i.id, i.status])).toEqual([[opened.id, "investigating"]]);

    const other = await read(["incident", "list", "--component", "billing"]);
    expect(other).toEqual({ code: 0, stderr: "", stdout: "no incidents\n" });
  }, 30_000);

  it("posts an update with a new status, and shows the incident with its updates", async () => {
    const updated = await write(["incident", "update", opened.id, "--body", "The index is being rebuilt.", "--status", "identified"]);
    expect(updated).toEqual({ code: 0, stderr: "", stdout: `updated ${opened.id}  identified     minor     ${opened.started_at}  Search is slow  [search, api]\n` });

    const shown = await read(["incident", "show", opened.id]);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toBe("");
    expect(shown.stdout.split("\n")[0]).toBe(`${opened.id}  identified     minor     ${opened.started_at}  Search is slow  [search, api]`);
    expect(shown.stdout).toContain("\nRoot:         Search (search)\nImpact:       minor; also affects Production API (api)\n");
    const lines = shown.stdout.split("\nUpdates:\n")[1]!.split("\n");
    expect(lines[0]).toBe("");
    expect(lines[1]).toMatch(/^\S+Z {2}investigating {2}\(token:tok_\w+\)$/);
    expect(lines[2]).toBe("  We are looking into slow searches.");
    expect(lines[3]).toBe("");
    expect(lines[4]).toMatch(/^\S+Z {2}identified {2}\(token:tok_\w+\)$/);
    expect(lines.slice(5)).toEqual(["  The index is being rebuilt.", ""]);

    const json = await read(["incident", "show", opened.id, "--json"]);
    const full = JSON.parse(json.stdout) as IncidentJson & { updates: { status: string; body: string }[] };
    expect(full.updates.map((u) => [u.status, u.body])).toEqual([
      ["investigating", "We are looking into slow searches."],
      ["identified", "The index is being rebuilt."],
    ]);
  }, 30_000);

  it("exports the ongoing window of the component as CSV", async () => {
    const res = await read(["windows", "--component", "search", "--format", "csv"]);
    expect(res.code).toBe(0);
    const start = opened.started_at;
    expect(res.stdout).toBe(
      "component,start,confirmed_start,earliest_possible_start,end,worst_status,margin_from,margin_to,incidents,id\r\n" +
        `search,${start},${start},,,partial_outage,${start},,${opened.id},search@${start}\r\n`,
    );
  }, 30_000);

  it("resolves the incident", async () => {
    const res = await write(["incident", "resolve", opened.id, "--body", "Searches are fast again.", "--json"]);
    expect(res.code).toBe(0);
    const resolved = JSON.parse(res.stdout) as IncidentJson;
    expect(resolved).toMatchObject({ id: opened.id, status: "resolved" });
    expect(resolved.resolved_at).not.toBeNull();
    resolvedAt = resolved.resolved_at as string;

    expect(await read(["incident", "list", "--open"])).toEqual({ code: 0, stderr: "", stdout: "no incidents\n" });
    const shown = await read(["incident", "show", opened.id]);
    expect(shown.stdout.split("\n")[0]).toBe(`${opened.id}  resolved       minor     ${opened.started_at}  Search is slow  [search, api]`);
    expect(shown.stdout).toContain("  resolved  (token:");
    expect(shown.stdout).toContain("\n  Searches are fast again.\n");
  }, 30_000);

  it("exports the ended window as CSV and the incident's windows as JSON", async () => {
    const start = opened.started_at;
    const csv = await read(["windows", "--component", "search", "--format", "csv"]);
    expect(csv).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "component,start,confirmed_start,earliest_possible_start,end,worst_status,margin_from,margin_to,incidents,id\r\n" +
        `search,${start},${start},,${resolvedAt},partial_outage,${start},${resolvedAt},${opened.id},search@${start}\r\n`,
    });

    const json = await read(["windows", "--incident", opened.id, "--format", "json"]);
    expect(json.code).toBe(0);
    const windows = JSON.parse(json.stdout) as WindowJson[];
    expect(windows.map((w) => [w.id, w.component, w.incidents, w.start, w.end, w.worst_status])).toEqual([
      [`api@${start}`, "api", [opened.id], start, resolvedAt, "partial_outage"],
      [`search@${start}`, "search", [opened.id], start, resolvedAt, "partial_outage"],
    ]);

    const one = await read(["windows", "--incident", opened.id, "--component", "api", "--format", "json"]);
    expect((JSON.parse(one.stdout) as WindowJson[]).map((w) => w.component)).toEqual(["api"]);

    const table = await read(["windows", "--incident", opened.id]);
    expect(table.stdout.split("\n")).toEqual([
      // The ids in a column as wide as the longest.
      `${`api@${start}`.padEnd(`search@${start}`.length)}  ${"partial_outage".padEnd(20)}  ${start} → ${resolvedAt}  ${opened.id}`,
      `search@${start}  ${"partial_outage".padEnd(20)}  ${start} → ${resolvedAt}  ${opened.id}`,
      "",
    ]);

    // The margin widens each window.
    const wide = await read(["windows", "--incident", opened.id, "--component", "search", "--margin", "1000", "--format", "csv"]);
    expect(wide.stdout.split("\r\n")[1]).toBe(
      `search,${start},${start},,${resolvedAt},partial_outage,${new Date(Date.parse(start) - 1000).toISOString()},${new Date(Date.parse(resolvedAt) + 1000).toISOString()},${opened.id},search@${start}`,
    );
    expect(await read(["windows", "--component", "billing"])).toEqual({ code: 0, stderr: "", stdout: "no outage windows\n" });
  }, 30_000);

  it("takes --url (with a trailing slash) and --token instead of the environment", async () => {
    const res = await vigilCli(["incident", "list", "--url", `${test.vigil.url}/`, "--token", test.token, "--json"], {});
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as IncidentJson[]).map((i) => i.id)).toEqual([opened.id]);
  }, 30_000);

  describe("errors", () => {
    const tokens = () => [test.token, test.writeToken];

    it("without a token: exit 1, pointing at VIGIL_TOKEN", async () => {
      const res = await vigilCli(["incident", "list"], { VIGIL_URL: test.vigil.url });
      expect(res.code).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/^vigil: GET \/api\/v1\/incidents\?limit=50: 401 .*\(set VIGIL_TOKEN or --token\)\n$/);
      for (const token of tokens()) expect(res.stderr).not.toContain(token);
    }, 30_000);

    it("with a wrong token: exit 1, and the token is not printed", async () => {
      const wrong = "vgl_this_is_not_a_real_token_0123456789";
      const res = await vigilCli(["windows"], { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: wrong });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^vigil: GET \/api\/v1\/windows\?: 401 /);
      expect(res.stdout + res.stderr).not.toContain(wrong);
    }, 30_000);

    it("with a read token for a write: exit 1 with 403", async () => {
      const res = await read(["incident", "open", "--name", "Nope", "--body", "Not allowed."]);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/^vigil: POST \/api\/v1\/incidents: 403 this needs the action incidents.write \(role responder or above\); this token has role viewer/);
      for (const token of tokens()) expect(res.stdout + res.stderr).not.toContain(token);
      // Nothing was opened.
      expect(JSON.parse((await read(["incident", "list", "--json"])).stdout)).toHaveLength(1);
    }, 30_000);

    it.each<[string, string[]]>([
      ["show", ["incident", "show", "inc_0000000000000000"]],
      ["update", ["incident", "update", "inc_0000000000000000", "--body", "Hello?"]],
      ["resolve", ["incident", "resolve", "inc_0000000000000000"]],
      ["windows --incident", ["windows", "--incident", "inc_0000000000000000"]],
    ])("an unknown id (%s): exit 1 with 404", async (_name, args) => {
      const res = await write(args);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toContain(": 404 no incident with id inc_0000000000000000\n");
    }, 30_000);

    it("a malformed id: exit 1 with 400", async () => {
      const res = await read(["incident", "show", "nope"]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain("400");
      expect(res.stderr).toContain("expected an incident id such as inc_0123456789abcdef");
    }, 30_000);

    it("an unknown component: exit 1 with 404", async () => {
      const res = await write(["incident", "open", "--name", "X", "--body", "Y", "--component", "nosuch=major_outage"]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('404 components.nosuch: no component has the id "nosuch"');
    }, 30_000);

    it.each<[string, string[], string]>([
      ["a bad component status", ["incident", "open", "--name", "X", "--body", "Y", "--component", "x=bogus"], "expected <component>=<status> with status one of operational, degraded_performance"],
      ["a component without an id", ["incident", "open", "--name", "X", "--body", "Y", "--component", "=major_outage"], "expected <component>=<status>"],
      ["no --body", ["incident", "open", "--name", "X"], "--body <markdown>"],
      ["a bad --status", ["incident", "update", "inc_0000000000000000", "--body", "Y", "--status", "fixed"], "fixed"],
      ["a bad --format", ["windows", "--format", "xml"], "xml"],
      ["no id", ["incident", "show"], "missing required argument 'id'"],
    ])("%s: exit 2 (usage), nothing sent", async (_name, args, message) => {
      const res = await write(args);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe("");
      expect(res.stderr).toContain(message);
      expect(JSON.parse((await read(["incident", "list", "--json"])).stdout)).toHaveLength(1);
    }, 30_000);

    it("a closed port: exit 3, cannot reach Vigil", async () => {
      const server = createServer();
      const port = await listen(server);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const res = await vigilCli(["incident", "list"], { VIGIL_URL: `http://127.0.0.1:${port}`, VIGIL_TOKEN: test.token });
      expect(res.code).toBe(3);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(new RegExp(`^vigil: cannot reach Vigil at http://127\\.0\\.0\\.1:${port}: .*\\(set VIGIL_URL or --url\\)\\n$`));
      expect(res.stderr).not.toContain(test.token);
    }, 30_000);

    it.each<[string, number]>([
      ["a web page", 200],
      ["a proxy's error page", 502],
    ])("something other than Vigil answering with %s: exit 3, not an internal error", async (_name, status) => {
      const server = createServer((_req, res) => {
        res.writeHead(status, { "content-type": "text/html" });
        res.end("<html><body>Hello</body></html>");
      });
      const port = await listen(server);
      try {
        const res = await vigilCli(["windows"], { VIGIL_URL: `http://127.0.0.1:${port}`, VIGIL_TOKEN: test.token });
        expect(res.code).toBe(3);
        expect(res.stderr).toContain(`GET /api/v1/windows?: ${status} `);
        expect(res.stderr).toContain(`the answer is not JSON; is Vigil at http://127.0.0.1:${port}? (set VIGIL_URL or --url)`);
        expect(res.stderr).not.toContain("internal error");
      } finally {
        server.close();
      }
    }, 30_000);
  });
});

describe("windowsCsv", () => {
  type CsvWindow = Parameters<typeof windowsCsv>[0][number];
  const window: CsvWindow = {
    id: "search@2024-05-01T10:00:00.000Z",
    component: "search",
    incidents: ["inc_0000000000000001", "inc_0000000000000002"],
    start: "2024-05-01T10:00:00.000Z",
    confirmed_start: "2024-05-01T10:00:30.000Z",
    earliest_possible_start: "2024-05-01T09:59:00.000Z",
    end: "2024-05-01T10:30:00.000Z",
    worst_status: "major_outage",
    margin_from: "2024-05-01T09:58:00.000Z",
    margin_to: "2024-05-01T10:31:00.000Z",
  };
  const header = "component,start,confirmed_start,earliest_possible_start,end,worst_status,margin_from,margin_to,incidents,id\r\n";

  it.each<[string, Partial<CsvWindow>, string]>([
    [
      "plain values, incidents joined by a space",
      {},
      "search,2024-05-01T10:00:00.000Z,2024-05-01T10:00:30.000Z,2024-05-01T09:59:00.000Z,2024-05-01T10:30:00.000Z,major_outage,2024-05-01T09:58:00.000Z,2024-05-01T10:31:00.000Z,inc_0000000000000001 inc_0000000000000002",
    ],
    [
      "nulls are empty",
      { earliest_possible_start: null, end: null, margin_to: null, incidents: [] },
      "search,2024-05-01T10:00:00.000Z,2024-05-01T10:00:30.000Z,,,major_outage,2024-05-01T09:58:00.000Z,,",
    ],
    [
      "a comma is quoted",
      { component: "search,eu" },
      '"search,eu",2024-05-01T10:00:00.000Z,2024-05-01T10:00:30.000Z,2024-05-01T09:59:00.000Z,2024-05-01T10:30:00.000Z,major_outage,2024-05-01T09:58:00.000Z,2024-05-01T10:31:00.000Z,inc_0000000000000001 inc_0000000000000002',
    ],
    [
      "a quote is quoted and doubled",
      { component: 'the "search" box', incidents: ['inc_"x"'] },
      '"the ""search"" box",2024-05-01T10:00:00.000Z,2024-05-01T10:00:30.000Z,2024-05-01T09:59:00.000Z,2024-05-01T10:30:00.000Z,major_outage,2024-05-01T09:58:00.000Z,2024-05-01T10:31:00.000Z,"inc_""x"""',
    ],
    [
      "a line break is quoted",
      { component: "search\nEU" },
      '"search\nEU",2024-05-01T10:00:00.000Z,2024-05-01T10:00:30.000Z,2024-05-01T09:59:00.000Z,2024-05-01T10:30:00.000Z,major_outage,2024-05-01T09:58:00.000Z,2024-05-01T10:31:00.000Z,inc_0000000000000001 inc_0000000000000002',
    ],
  ])("%s", (_name, over, row) => {
    // Each row ends with the window's id.
    expect(windowsCsv([{ ...window, ...over }])).toBe(`${header}${row},search@2024-05-01T10:00:00.000Z\r\n`);
  });

  it("is the header alone for no windows, and one row per window", () => {
    expect(windowsCsv([])).toBe(header);
    expect(windowsCsv([window, { ...window, component: "api" }]).split("\r\n").map((l) => l.split(",")[0])).toEqual(["component", "search", "api", ""]);
  });
});
