// `vigil subscribers list|count|export|import|remove` against a running Vigil (PGlite, in-process), called
// in-process through main() with captured output: an import refused with line numbers (exit 1), a partial and a
// dry run, export to a file and to standard output, listing, removal, and a token without the admin scope.
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { vigilInProcess } from "../helpers/cli.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
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


interface SubscriberJson {
  id: string;
  kind: string;
  address: string;
  components: string[] | null;
  confirmed_at: string;
}

describe("vigil subscribers against a running Vigil", () => {
  let test: TestVigil;
  let admin: string;
  let dir: string;

  /** Runs `vigil ARGS` in-process, in `dir`, with only `env` as its environment. */
  const vigilCli = (args: string[], env: Record<string, string | undefined>) => vigilInProcess(args, env, dir);
  const run = (args: string[]) => vigilCli(args, { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: admin });
  const listed = async () => JSON.parse((await run(["subscribers", "list", "--json"])).stdout) as SubscriberJson[];

  beforeAll(async () => {
    test = await startTestVigil(config);
    admin = (await createToken({ store: test.vigil.store, clock: systemClock }, { name: "test-admin", scope: "admin", actor: "test" })).token;
    dir = await mkdtemp(path.join(tmpdir(), "vigil-subscribers-cli-"));
    await writeFile(
      path.join(dir, "list.csv"),
      ["kind,address,components,confirmed_at", "email,ada@example.com,api,2026-01-02T03:04:05Z", "email,bob@,,", "webhook,https://hooks.example.com/status,,"].join("\n") + "\n",
    );
    await writeFile(path.join(dir, "good.csv"), "address\ncy@example.com\n");
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("refuses a file with a bad line: the file and line on stderr, exit 1, nothing stored", async () => {
    const res = await run(["subscribers", "import", "list.csv"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toBe("list.csv:3: the e-mail address has no domain after the @\nvigil: the CSV has 1 error; nothing was imported (add --partial to import the other lines)\n");
    expect(await run(["subscribers", "count"])).toEqual({ code: 0, stdout: "0\n", stderr: "" });
  });

  it("checks a file with --dry-run, storing nothing", async () => {
    const res = await run(["subscribers", "import", "good.csv", "--dry-run"]);
    expect(res).toEqual({ code: 0, stdout: "dry run: would add 1, update 0, skipped 0\n", stderr: "" });
    expect((await run(["subscribers", "count"])).stdout).toBe("0\n");
  });

  it("imports the good lines with --partial, still exiting 1 for the bad one", async () => {
    const res = await run(["subscribers", "import", "list.csv", "--partial"]);
    expect(res).toEqual({ code: 1, stdout: "added 2, updated 0, skipped 1\n", stderr: "list.csv:3: the e-mail address has no domain after the @\n" });
    expect(await run(["subscribers", "import", "good.csv"])).toEqual({ code: 0, stdout: "added 1, updated 0, skipped 0\n", stderr: "" });
    expect((await run(["subscribers", "count", "--json"])).stdout).toBe('{"count":3}\n');
  });

  it("lists subscribers as lines and as JSON, by kind", async () => {
    const all = await listed();
    expect(all.map((s) => s.address).sort()).toEqual(["ada@example.com", "cy@example.com", "https://hooks.example.com/status"]);
    const ada = all.find((s) => s.address === "ada@example.com")!;
    const text = await run(["subscribers", "list"]);
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")).toContain(`${ada.id}  email    2026-01-02T03:04:05.000Z  ada@example.com  [api]`);
    expect(text.stdout.trimEnd().split("\n")).toHaveLength(3);
    const webhooks = await run(["subscribers", "list", "--kind", "webhook"]);
    expect(webhooks.stdout).toMatch(/^sub_[0-9a-f]{16} {2}webhook {2}\S+ {2}https:\/\/hooks\.example\.com\/status {2}\[all components\]\n$/);
  });

  it("exports to a file, and to standard output by default", async () => {
    const res = await run(["subscribers", "export", "--output", "out.csv"]);
    expect(res).toEqual({ code: 0, stdout: "exported 3 subscribers to out.csv\n", stderr: "" });
    const file = await readFile(path.join(dir, "out.csv"), "utf8");
    expect(file.split("\r\n")[0]).toBe("kind,address,components,confirmed_at");
    expect(file).toContain("email,ada@example.com,api,2026-01-02T03:04:05.000Z\r\n");
    // No temporary file is left behind.
    expect((await readdir(dir)).filter((name) => name.includes("partial"))).toEqual([]);

    const stdout = await run(["subscribers", "export"]);
    expect(stdout).toEqual({ code: 0, stdout: file, stderr: "" });

    // The export imports back: every address is already there.
    expect(await run(["subscribers", "import", "out.csv"])).toEqual({ code: 0, stdout: "added 0, updated 3, skipped 0\n", stderr: "" });
  });

  it("removes a subscriber; an unknown id exits 1", async () => {
    const cy = (await listed()).find((s) => s.address === "cy@example.com")!;
    expect(await run(["subscribers", "remove", cy.id])).toEqual({ code: 0, stdout: `removed ${cy.id}\n`, stderr: "" });
    expect((await listed()).map((s) => s.id)).not.toContain(cy.id);
    const again = await run(["subscribers", "remove", cy.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`vigil: DELETE /api/v1/subscribers/${cy.id}: 404 no subscriber with id ${cy.id}\n`);
  });

  it("says which scope is missing, and what cannot be read", async () => {
    const read = await vigilCli(["subscribers", "export"], { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.token });
    expect(read.code).toBe(1);
    expect(read.stderr).toContain("403 this needs the action subscribers.export (role admin or above); this token has role viewer");
    expect(await vigilCli(["subscribers", "count"], { VIGIL_URL: test.vigil.url, VIGIL_TOKEN: test.token })).toEqual({ code: 0, stdout: "2\n", stderr: "" });
    const missing = await run(["subscribers", "import", "nope.csv"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^vigil: cannot read nope\.csv: ENOENT/);
  });
});
