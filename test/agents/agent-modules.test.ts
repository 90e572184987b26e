import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const moduleLog = fileURLToPath(new URL("../helpers/module-log.mjs", import.meta.url));

/**
 * What an agent never needs: the server, its store and configuration, their libraries. (The database probes share one
 * helper, store/redact.js, that hides passwords in URLs: it loads with them.)
 */
const server = [/\/(dist|src)\/(app|api|statuspage|notify|upstream)\//, /\/(dist|src)\/store\/(?!redact\.js$)/, /\/(dist|src)\/config\/(index|schema|load)\.js$/, /node_modules\/(@electric-sql\/pglite|drizzle-orm|fastify|@fastify)\//];
const probe = (type: string) => new RegExp(`/dist/probes/${type}\\.js$`);
const driver = (name: string) => new RegExp(`/node_modules/${name}/`);
const drivers = ["mysql2", "pg", "ioredis"].map(driver);
const probes = ["http", "tcp", "dns", "tls", "mysql", "postgres", "redis", "heartbeat"].map(probe);
const databaseProbes = ["mysql", "postgres", "redis"].map(probe);
/** Detection's whole fold of results into a monitor's state: the node's to run, not an agent's. */
const detectionFold = [/\/dist\/detection\/(detect|aggregate|transition|evidence|db-role|suspect)\.js$/];

describe("what `vigil agent` loads", () => {
  let dir: string;
  let vigil: TestVigil;
  let target: Server;
  let targetUrl: string;
  let agent: ChildProcess | undefined;
  let output = "";
  const logFile = () => path.join(dir, "modules.log");
  const loaded = () => (existsSync(logFile()) ? readFileSync(logFile(), "utf8").split("\n").filter(Boolean) : []);
  const matching = (patterns: RegExp[]) => loaded().filter((url) => patterns.some((p) => p.test(url)));
  const config = (monitors: string[]) => `
site: { name: Acme Status }
regions:
  - { id: eu-west, name: Europe West }
monitors:
  - { id: home, type: http, url: "${targetUrl}", interval: 30s, regions: [local] }
${monitors.join("\n")}
`;
  const reload = async (monitors: string[]) => {
    await writeFile(path.join(dir, "vigil.yaml"), config(monitors));
    expect((await vigil.vigil.reload("test")).applied).toBe(true);
  };

  beforeAll(async () => {
    target = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}/`;
    dir = await mkdtemp(path.join(tmpdir(), "vigil-agent-modules-"));
    vigil = await startTestVigil(config([]), { dir });
    const { token } = await createToken({ store: vigil.vigil.store, clock: systemClock }, { name: "eu", scope: "agent", actor: "test", region: "eu-west" });
    // The agent as users start it: bin/vigil.js, which runs the compiled program in dist/.
    agent = spawn(process.execPath, ["--import", moduleLog, path.join(root, "bin/vigil.js"), "agent", "--server", vigil.vigil.url, "--data", path.join(dir, "agent"), "--log-format", "json"], {
      env: { ...process.env, VIGIL_AGENT_TOKEN: token, VIGIL_TEST_MODULE_LOG: logFile() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    agent.stdout!.on("data", (chunk: Buffer) => (output += chunk));
    agent.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  });
  afterAll(async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((resolve) => agent!.once("exit", resolve));
      agent.kill("SIGTERM");
      await exited;
    }
    await vigil?.dispose();
    await new Promise((resolve) => target?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("an idle agent loads no store, no server, no probe and no database driver", async () => {
    // Idle: it has its (empty) assignments and has reported to the node, in either order.
    await expect.poll(() => output, { timeout: 20_000 }).toMatch(/"monitors":0,.*"msg":"assignments applied"/);
    await expect.poll(async () => (await vigil.get("/api/v1/agents")).json.agents.length, { timeout: 20_000 }).toBe(1);
    expect(loaded()).toContainEqual(expect.stringMatching(/\/dist\/cli\/agent-main\.js$/));
    expect(matching(server)).toEqual([]);
    expect(matching(probes)).toEqual([]);
    expect(matching(drivers)).toEqual([]);
  });

  it("a probe loads when a monitor of its type is assigned, and its driver with it, nothing else", async () => {
    await reload([`  - { id: acme-api, type: http, url: "${targetUrl}api", interval: 1s, regions: [eu-west] }`]);
    await expect.poll(async () => (await vigil.get("/api/v1/monitors/acme-api")).json.state.regions?.["eu-west"]?.status, { timeout: 20_000 }).toBe("up");
    // The http probe, with the tcp and tls modules it shares helpers with; none of the database probes.
    expect(matching([probe("http")])).toHaveLength(1);
    expect(matching(databaseProbes)).toEqual([]);
    expect(matching(drivers)).toEqual([]);
    // It watches its checks for hangs by the server's rule (one small module), without detection's whole fold.
    expect(matching([/\/dist\/detection\/hang-deadline\.js$/])).toHaveLength(1);
    expect(matching(detectionFold)).toEqual([]);

    // A MySQL monitor on a port where nothing listens: the check fails, but its probe and driver are loaded to make it.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    await reload([
      `  - { id: acme-api, type: http, url: "${targetUrl}api", interval: 1s, regions: [eu-west] }`,
      `  - { id: acme-db, type: mysql, url: "mysql://monitor@127.0.0.1:${port}/", interval: 1s, regions: [eu-west] }`,
    ]);
    await expect.poll(async () => (await vigil.get("/api/v1/monitors/acme-db")).json.state.regions?.["eu-west"]?.status, { timeout: 20_000 }).toBeDefined();
    expect(matching(databaseProbes).map((url) => path.basename(url))).toEqual(["mysql.js"]);
    expect(matching(drivers)).toEqual([expect.stringMatching(driver("mysql2"))]);
    expect(matching(server)).toEqual([]);
  }, 60_000);
});
