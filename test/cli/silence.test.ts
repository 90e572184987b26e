// `vigil silence add|list|expire` against a running Vigil (PGlite, in-process), called in-process through
// main() with captured output; usage errors (exit 2) and the server's refusals (exit 1); the table format.
import { vigilInProcess } from "../helpers/cli.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchersText, silenceTable } from "../../src/cli/silence.ts";
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

interface SilenceJson {
  id: string;
  matchers: Record<string, unknown>;
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  created_at: string;
  state: string;
}

describe("vigil silence against a running Vigil", () => {
  let test: TestVigil;
  const read = (args: string[]) => vigilCli(args, { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.token });
  const write = (args: string[]) => vigilCli(args, { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.writeToken });
  const listed = async (args: string[] = []) => (JSON.parse((await read(["silence", "list", "--json", ...args])).stdout) as SilenceJson[]).map((s) => [s.id, s.state]);
  const writer = () => `token:tok_${test.writeToken.split("_")[1]}`;
  // Set by the tests in order.
  let deploy: SilenceJson;
  let payments: SilenceJson;

  beforeAll(async () => {
    test = await startTestVigil(config);
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
  });

  it("adds a silence for components and kinds for a duration", async () => {
    const res = await write(["silence", "add", "--component", "api", "--component", "search", "--kind", "monitor.*", "--duration", "2h", "--comment", "deploy", "--json"]);
    expect(res).toMatchObject({ code: 0, stderr: "" });
    deploy = JSON.parse(res.stdout) as SilenceJson;
    expect(deploy).toMatchObject({ matchers: { component: ["api", "search"], kind: ["monitor.*"] }, comment: "deploy", created_by: writer(), state: "active" });
    expect(deploy.id).toMatch(/^sil_[0-9a-f]{16}$/);
    expect(Date.parse(deploy.ends_at) - Date.parse(deploy.starts_at)).toBe(2 * 3_600_000);
  });

  it("adds a pending one with a minimum severity, labels, a group, times and a creator, and says so in a line", async () => {
    const startsAt = new Date(Date.now() + 3_600_000).toISOString();
    const endsAt = new Date(Date.now() + 5 * 3_600_000).toISOString();
    const res = await write([
      "silence", "add", "--severity", ">=major", "--label", "team=payments", "--label", "env=prod=eu", "--group", "Core",
      "--starts-at", startsAt, "--ends-at", endsAt, "--comment", "database migration", "--created-by", "alice",
    ]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe("");
    const match = /^silenced (sil_[0-9a-f]{16}) \(pending\) (\S+) → (\S+): group=Core severity=major,critical label\.team=payments label\.env=prod=eu\n$/.exec(res.stdout);
    expect(match, res.stdout).not.toBeNull();
    expect([match?.[2], match?.[3]]).toEqual([startsAt, endsAt]);
    payments = (JSON.parse((await read(["silence", "list", "--json"])).stdout) as SilenceJson[]).find((s) => s.id === match?.[1]) as SilenceJson;
    expect(payments).toMatchObject({ matchers: { severity: ["major", "critical"], labels: { team: "payments", env: "prod=eu" }, group: ["Core"] }, created_by: "alice", comment: "database migration" });
  });

  it("lists them as a table, and as JSON", async () => {
    const res = await read(["silence", "list"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(silenceTable([deploy, payments] as Parameters<typeof silenceTable>[0]));
    const lines = res.stdout.split("\n");
    expect(lines[0]).toMatch(/^ID {20}STATE {4}STARTS {20}ENDS {22}CREATED BY +MATCHERS +COMMENT$/);
    expect(lines[1]).toMatch(new RegExp(`^${deploy.id}  active   ${deploy.starts_at}  ${deploy.ends_at}  ${writer()} +component=api,search kind=monitor\\.\\* +deploy$`));
    expect(lines[2]).toMatch(new RegExp(`^${payments.id}  pending  .* alice +group=Core .* database migration$`));
    expect(lines[3]).toBe("");
    expect(await listed()).toEqual([
      [deploy.id, "active"],
      [payments.id, "pending"],
    ]);
  });

  it("expires one; list leaves it out unless --all", async () => {
    const res = await write(["silence", "expire", deploy.id]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe("");
    expect(res.stdout).toMatch(new RegExp(`^expired ${deploy.id} \\(expired\\) ${deploy.starts_at} → \\S+: component=api,search kind=monitor\\.\\*\\n$`));
    expect(await listed()).toEqual([[payments.id, "pending"]]);
    expect(await listed(["--all"])).toEqual([
      [deploy.id, "expired"],
      [payments.id, "pending"],
    ]);

    const json = await write(["silence", "expire", payments.id, "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: payments.id, state: "expired" });
    expect(await read(["silence", "list"])).toEqual({ code: 0, stderr: "", stdout: "no silences\n" });
  });

  describe("errors", () => {
    it("expiring one again: exit 1 with 409", async () => {
      const res = await write(["silence", "expire", deploy.id]);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(new RegExp(`^vigil: DELETE /api/v1/silences/${deploy.id}: 409 silence ${deploy.id} already expired at `));
    });

    it("an unknown id: exit 1 with 404", async () => {
      const res = await write(["silence", "expire", "sil_0000000000000000"]);
      expect(res.code).toBe(1);
      expect(res.stderr).toBe("vigil: DELETE /api/v1/silences/sil_0000000000000000: 404 no silence with id sil_0000000000000000\n");
    });

    it("an unknown component: exit 1 with 400 naming it", async () => {
      const res = await write(["silence", "add", "--component", "nosuch", "--duration", "1h", "--comment", "x"]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('400 the request body is invalid: body.matchers.component: no component has the id "nosuch"');
    });

    it("a kind that matches nothing: exit 1 with 400", async () => {
      const res = await write(["silence", "add", "--kind", "incident.exploded", "--duration", "1h", "--comment", "x"]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain("400 the request body is invalid: body.matchers.kind.0: matches no message kind");
    });

    it("ending in the past: exit 1 with 400", async () => {
      const res = await write(["silence", "add", "--kind", "*", "--starts-at", "2020-01-01T00:00:00Z", "--ends-at", "2020-01-02T00:00:00Z", "--comment", "x"]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain("body.ends_at: must be in the future");
    });

    it("a read token: exit 1 with 403, nothing added", async () => {
      const res = await read(["silence", "add", "--kind", "*", "--duration", "1h", "--comment", "x"]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^vigil: POST \/api\/v1\/silences: 403 this needs the action silences.write \(role responder or above\); this token has role viewer/);
      expect(await listed(["--all"])).toHaveLength(2);
    });

    it.each<[string, string[], string]>([
      ["no matcher", ["silence", "add", "--duration", "1h", "--comment", "x"], "give at least one of --component, --group, --kind, --severity, --label (--kind '*' silences everything)"],
      ["no --duration or --ends-at", ["silence", "add", "--kind", "*", "--comment", "x"], "give either --duration or --ends-at"],
      ["both --duration and --ends-at", ["silence", "add", "--kind", "*", "--duration", "1h", "--ends-at", "2030-01-01T00:00:00Z", "--comment", "x"], "give either --duration or --ends-at"],
      ["no --comment", ["silence", "add", "--kind", "*", "--duration", "1h"], "--comment <text>"],
      ["a bad --duration", ["silence", "add", "--kind", "*", "--duration", "soon", "--comment", "x"], "expected a duration greater than zero"],
      ["a bad --label", ["silence", "add", "--label", "payments", "--duration", "1h", "--comment", "x"], "expected <name>=<value>"],
      ["no id", ["silence", "expire"], "missing required argument 'id'"],
    ])("%s: exit 2 (usage), nothing sent", async (_name, args, message) => {
      const res = await write(args);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe("");
      expect(res.stderr).toContain(message);
      expect(await listed(["--all"])).toHaveLength(2);
    });
  });
});

describe("silence formatting", () => {
  it("writes matchers on one line, labels last", () => {
    expect(matchersText({ labels: { team: "a" }, kind: ["incident.*", "monitor.down"], component: ["api"], severity: ["critical"] })).toBe(
      "component=api severity=critical kind=incident.*,monitor.down label.team=a",
    );
    expect(matchersText({})).toBe("");
  });

  it("pads every column but the comment, which is kept on one line", () => {
    const base = { starts_at: "2026-01-01T00:00:00.000Z", ends_at: "2026-01-01T02:00:00.000Z", created_at: "2026-01-01T00:00:00.000Z" };
    const table = silenceTable([
      { ...base, id: "sil_1", state: "active", created_by: "alice", matchers: { kind: ["*"] }, comment: "all\nof it" },
      { ...base, id: "sil_22", state: "pending", created_by: "token:tok_abcdefghijkl", matchers: { component: ["api"] }, comment: "" },
    ]);
    expect(table.split("\n")).toEqual([
      "ID      STATE    STARTS                    ENDS                      CREATED BY              MATCHERS       COMMENT",
      "sil_1   active   2026-01-01T00:00:00.000Z  2026-01-01T02:00:00.000Z  alice                   kind=*         all of it",
      "sil_22  pending  2026-01-01T00:00:00.000Z  2026-01-01T02:00:00.000Z  token:tok_abcdefghijkl  component=api",
      "",
    ]);
  });
});
