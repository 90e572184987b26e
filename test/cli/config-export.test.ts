// `vigil config export` on each store: the file with the database's components and monitors as one YAML file, the
// file's ${ENV} references kept (never the secret), which `vigil validate` accepts and from which a Vigil starts with
// the same catalog; asked over the local socket while Vigil holds the embedded store, read from the store otherwise.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { main } from "../../src/cli/main.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = `# Acme's status page
site: { name: Acme Status }
components:
  - id: search
    name: Search
    monitors: [search-tcp]
monitors:
  - id: search-tcp
    type: tcp
    host: 127.0.0.1
    port: 9
    interval: 60s
notifications:
  channels:
    - id: oncall
      type: webhook
      url: http://127.0.0.1:9/hook
      secret: \${WEBHOOK_SECRET:-dev-secret-value}
`;

async function run(args: string[], env: Record<string, string | undefined>, cwd: string) {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "vigil", ...args], { env, cwd, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`vigil config export on ${backend.name}`, () => {
    let target: StoreTarget;
    let dir: string;
    let test: TestVigil | undefined;
    let env: Record<string, string | undefined>;
    const catalogOf = async (vigil: TestVigil) => ({
      components: ((await vigil.get("/api/v1/components")).json.components as any[]).map((c) => ({ id: c.id, name: c.name, depends_on: c.depends_on, monitors: c.monitors })),
      monitors: ((await vigil.get("/api/v1/monitors")).json.monitors as any[]).map((m) => ({ id: m.id, type: m.type, name: m.name, interval_ms: m.interval_ms })),
    });
    let before: Awaited<ReturnType<typeof catalogOf>>;

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      dir = await mkdtemp(path.join(tmpdir(), "vigil-export-"));
      env = { WEBHOOK_SECRET: "s3cret-from-the-environment", ...(target.url ? { DATABASE_URL: target.url } : {}) };
      test = await startTestVigil(config, { dir, ...(target.url ? { databaseUrl: target.url } : {}) });
      const admin = (await createToken({ store: test.vigil.store, clock: { now: () => new Date() } }, { name: "admin", role: "admin", actor: "test" })).token;
      for (const [at, body] of [
        ["/api/v1/monitors", { id: "api-health", type: "http", url: "http://127.0.0.1:9/health", interval: "45s", name: "API health" }],
        ["/api/v1/components", { id: "api", name: "Production API", depends_on: ["search"], monitors: ["api-health"] }],
      ] as const) {
        const res = await fetch(`${test.vigil.url}${at}`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify(body) });
        expect(res.status).toBe(201);
      }
      before = await catalogOf(test);
    }, 120_000);
    afterAll(async () => {
      await test?.dispose();
      await target?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("prints the file with the database's entries, keeping the file's ${ENV} references", async () => {
      const out = await run(["config", "export", "--config", path.join(dir, "vigil.yaml"), "--data", path.join(dir, "data")], env, dir);
      expect(out.stderr).toContain(backend.name === "pglite" ? "asked the running Vigil over" : "");
      expect(out.code).toBe(0);
      expect(out.stdout).toContain("# Acme's status page");
      expect(out.stdout).toContain("secret: ${WEBHOOK_SECRET:-dev-secret-value}");
      expect(out.stdout).not.toContain("s3cret-from-the-environment");
      expect(out.stdout).toMatch(/- id: api\n\s+name: Production API\n/);
      expect(out.stdout).toMatch(/- id: api-health\n(\s+\w+: .*\n)*\s+type: http\n/);
    });

    it("writes a file that vigil validate accepts and from which Vigil starts with the same catalog", async () => {
      const file = path.join(dir, "exported.yaml");
      const out = await run(["config", "export", "--config", path.join(dir, "vigil.yaml"), "--data", path.join(dir, "data"), "--output", file], env, dir);
      expect(out.code).toBe(0);
      expect(out.stderr).toContain(`wrote ${file} (1 component and 1 monitor from the database)`);
      const validated = await run(["validate", "--config", file], env, dir);
      expect(validated.stdout).toContain("valid (2 components, 2 monitors, 1 notification channel)");
      expect(validated.code).toBe(0);
      await test?.dispose();
      test = undefined;
      if (backend.name === "pglite") {
        // Vigil stopped: the command reads the store itself.
        const direct = await run(["config", "export", "--config", path.join(dir, "vigil.yaml"), "--data", path.join(dir, "data")], env, dir);
        expect(direct.code).toBe(0);
        expect(direct.stderr).not.toContain("asked the running Vigil");
        expect(direct.stdout).toBe(await readFile(file, "utf8"));
      }
      const elsewhere = await freshTarget(backend.name);
      const started = await startTestVigil(await readFile(file, "utf8"), elsewhere.url ? { databaseUrl: elsewhere.url } : {});
      try {
        expect(await catalogOf(started)).toEqual(before);
        expect(((await started.get("/api/v1/components")).json.components as any[]).map((c) => c.source)).toEqual(["file", "file"]);
      } finally {
        await started.dispose();
        await elsewhere.dispose();
      }
    }, 120_000);
  });
}
