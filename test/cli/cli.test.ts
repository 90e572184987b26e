import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.ts";
import { runVigil, startServe } from "../helpers/cli.ts";

const goodConfig = `
site: { name: Acme Status }
components:
  - id: api
    name: Production API
    monitors: [api-health]
monitors:
  - id: api-health
    type: http
    url: http://127.0.0.1:9/health
    interval: 5s
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each test spawns real `vigil` processes (tsx + PGlite, initdb on a new data dir): seconds each,
// more on a loaded machine, so these tests get a generous timeout rather than the default 30 s.
describe("vigil (command line)", () => {
  it("prints its version and help", async () => {
    const version = await runVigil(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await runVigil(["serve", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--config <file>");
    expect(help.stdout).toContain("--data <dir>");
  });

  it("starts an agent from its own entry, with clear errors for what it lacks", async () => {
    const help = await runVigil(["agent", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--buffer-size <size>");
    const noServer = await runVigil(["agent", "--token", "vgl_x"], { env: { VIGIL_URL: undefined, VIGIL_AGENT_TOKEN: undefined } });
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toContain("vigil agent needs --server URL (or $VIGIL_URL)");
    const noToken = await runVigil(["agent", "--server", "http://127.0.0.1:9"], { env: { VIGIL_AGENT_TOKEN: undefined } });
    expect(noToken.stderr).toContain("vigil agent needs --token or $VIGIL_AGENT_TOKEN");
    const badSize = await runVigil(["agent", "--server", "http://127.0.0.1:9", "--token", "vgl_x", "--buffer-size", "lots"]);
    expect(badSize.stderr).toContain('--buffer-size must be a size of at least 1MB such as 200MB, got "lots"');
    expect((await runVigil(["agents", "--help"])).stdout).toContain("the remote probe agents a running Vigil knows");
  });

  it("exits 2 on a usage error", async () => {
    const res = await runVigil(["serve", "--port", "http"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("expected a port number");
    expect((await runVigil(["frobnicate"])).code).toBe(2);
  });

  it("validates a good file with exit 0", async () => {
    const file = path.join(dir, "good.yaml");
    await writeFile(file, goodConfig);
    const res = await runVigil(["validate", "--config", file]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("valid (1 component, 1 monitor, 0 notification channels)");
    const one = path.join(dir, "one-channel.yaml");
    await writeFile(one, goodConfig + "notifications:\n  channels:\n    - { id: oncall, type: webhook, url: http://127.0.0.1:9/hook }\n");
    expect((await runVigil(["validate", "--config", one])).stdout).toContain("valid (1 component, 1 monitor, 1 notification channel)\n");
  });

  it("reports every error of a bad file with its place and exits 1", async () => {
    const file = path.join(dir, "bad.yaml");
    await writeFile(file, goodConfig.replace("interval: 5s", "interval: fast\n    tiemout: 1s").replace("monitors: [api-health]", "monitors: [api-health, nope]"));
    const res = await runVigil(["validate", "--config", file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/bad\.yaml:\d+:\d+ monitors\[0\]\.interval: expected a duration such as 30s, got "fast"/);
    expect(res.stderr).toMatch(/bad\.yaml:\d+:\d+ monitors\[0\]\.tiemout: unknown key "tiemout" \(did you mean "timeout"\?\)/);
    expect(res.stderr).toMatch(/components\[0\]\.monitors\[1\]/);
    expect(res.stderr).toContain("3 errors");
  });

  it("validates the bundled example when no vigil.yaml is present", async () => {
    const res = await runVigil(["validate"], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("vigil.example.yaml: valid");
  });

  it("creates, lists and revokes tokens, printing the secret only once", async () => {
    const data = path.join(dir, "tokens-data");
    const created = await runVigil(["token", "create", "--name", "deploy-bot", "--scope", "write", "--json", "--data", data], { cwd: dir });
    expect(created.code, created.stderr).toBe(0);
    const token = JSON.parse(created.stdout) as { id: string; token: string; scope: string };
    expect(token.scope).toBe("write");
    const listed = await runVigil(["token", "list", "--data", data], { cwd: dir });
    expect(listed.stdout).toContain(token.id);
    expect(listed.stdout).not.toContain(token.token.slice(17));
    expect((await runVigil(["token", "revoke", token.id, "--data", data], { cwd: dir })).code).toBe(0);
    const again = await runVigil(["token", "revoke", token.id, "--data", data], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no active token with id ${token.id}`);
  }, 120_000);

  it("creates a token with a role for a user, never above the user's role, and records both in the audit log as cli", async () => {
    const data = path.join(dir, "roles-data");
    const user = await runVigil(["user", "add", "--email", "rita@example.com", "--role", "responder", "--json", "--data", data], { cwd: dir });
    expect(user.code, user.stderr).toBe(0);
    const created = await runVigil(["token", "create", "--name", "rita-cli", "--role", "responder", "--user", "rita@example.com", "--json", "--data", data], { cwd: dir });
    expect(created.code, created.stderr).toBe(0);
    const token = JSON.parse(created.stdout) as { id: string; role: string; scope: string | null };
    expect(token).toMatchObject({ role: "responder", scope: null });
    const listed = await runVigil(["token", "list", "--data", data], { cwd: dir });
    expect(listed.stdout).toMatch(new RegExp(`${token.id}  responder  rita-cli user usr_`));
    const above = await runVigil(["token", "create", "--name", "x", "--role", "owner", "--user", "rita@example.com", "--data", data], { cwd: dir });
    expect(above.code).toBe(1);
    expect(above.stderr).toContain("role: rita@example.com has role responder: a token of theirs may not have role owner");
    const both = await runVigil(["token", "create", "--name", "x", "--role", "viewer", "--scope", "read", "--data", data], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/option '-s, --scope <scope>' cannot be used with option '-r, --role <role>'/);
    const store = await openStore({ dataDir: data });
    try {
      // Newest first: the user added, then the token, each written by the CLI itself (no server ran).
      const userId = (JSON.parse(user.stdout) as { id: string }).id;
      expect((await store.audit.list({ actor: "cli" }, 10)).map((entry) => [entry.via, entry.operation, entry.targetId])).toEqual([
        ["cli", "token.create", token.id],
        ["cli", "user.add", userId],
      ]);
    } finally {
      await store.close();
    }
  }, 120_000);

  it("creates a token that expires, says when in create and list, and refuses an expiry it cannot read", async () => {
    const data = path.join(dir, "expiring-data");
    const before = Date.now();
    const created = await runVigil(["token", "create", "--name", "ci", "--scope", "publish", "--expires", "90d", "--json", "--data", data], { cwd: dir });
    expect(created.code, created.stderr).toBe(0);
    const token = JSON.parse(created.stdout) as { id: string; scope: string; expires_at: string };
    expect(token.scope).toBe("publish");
    const expires = Date.parse(token.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 90 * 86_400_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 90 * 86_400_000);
    const listed = await runVigil(["token", "list", "--data", data], { cwd: dir });
    expect(listed.stdout).toContain(`${token.id}  responder(publish)  ci  (created `);
    expect(listed.stdout).toContain(`never used, expires ${token.expires_at})`);
    const bad = await runVigil(["token", "create", "--name", "x", "--expires", "next week", "--data", data], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--expires: expected a duration such as 90d or an ISO 8601 time with a zone such as 2027-03-01T00:00:00Z, got "next week"');
  }, 120_000);

  it("exports the whole public site as static files from the store", async () => {
    const file = path.join(dir, "export.yaml");
    await writeFile(file, goodConfig);
    const out = path.join(dir, "site");
    const result = await runVigil(["export", "--out", out, "--config", file, "--data", path.join(dir, "export-data")], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^wrote \d+ files to .*site \(All Systems Operational; 0 incidents\)\n$/);
    const summary = JSON.parse(await readFile(path.join(out, "api/v2/summary.json"), "utf8")) as { page: { name: string }; components: { id: string }[] };
    expect(summary.page.name).toBe("Acme Status");
    expect(summary.components.map((c) => c.id)).toEqual(["api"]);
    expect(await readFile(path.join(out, "index.html"), "utf8")).toContain("<h1");
    expect((await readFile(path.join(out, "badges/api.svg"), "utf8")).startsWith("<svg")).toBe(true);
  }, 120_000);
});

describe("vigil serve", () => {
  it("serves, reloads on SIGHUP, keeps the old config on a bad one, refuses a second opener, and stops on SIGTERM", async () => {
    const file = path.join(dir, "serve.yaml");
    const data = path.join(dir, "serve-data");
    await writeFile(file, goodConfig);
    const vigil = await startServe(["--config", file, "--data", data], { timeoutMs: 120_000 });
    try {
      expect((await fetch(`${vigil.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${vigil.url}/readyz`)).status).toBe(200);

      // The embedded store belongs to one process: a second opener is told so, and exits 3.
      const locked = await runVigil(["token", "list", "--data", data, "--config", file]);
      expect(locked.code).toBe(3);
      expect(locked.stderr).toMatch(/in use/);

      await writeFile(file, goodConfig + "  - id: extra\n    type: tcp\n    host: 127.0.0.1\n    port: 9\n");
      vigil.child.kill("SIGHUP");
      await expect.poll(() => vigil.output(), { timeout: 10_000 }).toContain("configuration reloaded");

      await writeFile(file, goodConfig.replace("interval: 5s", "interval: soon"));
      vigil.child.kill("SIGHUP");
      await expect.poll(() => vigil.output(), { timeout: 10_000 }).toContain("configuration rejected");
      expect((await fetch(`${vigil.url}/readyz`)).status).toBe(200);
    } finally {
      const code = await vigil.stop("SIGTERM");
      expect(code).toBe(0);
    }
    expect(vigil.output()).toContain("stopped");
  }, 120_000);
});
