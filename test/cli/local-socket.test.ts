import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVigil, startServe, type ServeProcess } from "../helpers/cli.ts";
import { freshTarget, storeBackends } from "../helpers/stores.ts";

const config = `
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
const extraMonitor = "  - id: extra\n    type: tcp\n    host: 127.0.0.1\n    port: 9\n    interval: 5s\n";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-local-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function setup(name: string): Promise<{ file: string; data: string }> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, config);
  return { file, data: path.join(dir, name) };
}

function api(vigil: ServeProcess, token: string, route: string): Promise<Response> {
  return fetch(`${vigil.url}${route}`, { headers: { authorization: `Bearer ${token}` } });
}

/** Sends one raw line over the socket and returns the one line that comes back. */
function rawAsk(socketPath: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = net.connect(socketPath, () => socket.write(line + "\n"));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
  });
}

// Real `vigil serve` and `vigil` processes on PGlite: seconds each, hence the generous timeouts.
describe("getting in while vigil serve holds the embedded store", () => {
  it("`vigil token create` asks the running server over its socket; the token works at once; bad input is named", async () => {
    const { file, data } = await setup("token");
    const vigil = await startServe(["--config", file, "--data", data], { timeoutMs: 120_000 });
    try {
      const socketPath = path.join(data, "vigil.sock");
      expect(statSync(socketPath).mode & 0o777).toBe(0o600);

      const created = await runVigil(["token", "create", "--name", "night-shift", "--scope", "admin", "--json", "--config", file, "--data", data]);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stderr).toContain(`asked the running Vigil over ${socketPath}`);
      const token = JSON.parse(created.stdout) as { id: string; name: string; scope: string; token: string };
      expect(token).toMatchObject({ name: "night-shift", scope: "admin" });

      const listed = await api(vigil, token.token, "/api/v1/tokens");
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as { tokens: { id: string }[] }).tokens.map((t) => t.id)).toContain(token.id);
      const events = (await (await api(vigil, token.token, "/api/v1/events?kind=token.created")).json()) as { events: { subject: string; actor: string }[] };
      expect(events.events).toContainEqual(expect.objectContaining({ subject: token.id, actor: "local socket" }));

      // The text form, as a person at a terminal reads it.
      const text = await runVigil(["token", "create", "--name", "deploy-bot", "--scope", "write", "--config", file, "--data", data]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^created tok_[a-z0-9]{12} \(role responder, scope write\) "deploy-bot"\nvgl_\S+\nThis secret is shown once: store it now\.\n$/);
      // A role travels over the socket, and the token belongs to no user unless one is named.
      const viewer = await runVigil(["token", "create", "--name", "dashboard", "--role", "viewer", "--json", "--config", file, "--data", data]);
      expect(viewer.code, viewer.stderr).toBe(0);
      expect(JSON.parse(viewer.stdout)).toMatchObject({ name: "dashboard", role: "viewer", scope: null });
      // An expiry travels over the socket too.
      const expiring = await runVigil(["token", "create", "--name", "ci", "--scope", "publish", "--expires", "2030-01-01T00:00:00Z", "--config", file, "--data", data]);
      expect(expiring.code, expiring.stderr).toBe(0);
      expect(expiring.stderr).toContain("asked the running Vigil over");
      expect(expiring.stdout).toMatch(/^created tok_[a-z0-9]{12} \(role responder, scope publish, expires 2030-01-01T00:00:00\.000Z\) "ci"\n/);

      const badScope = await runVigil(["token", "create", "--name", "x", "--scope", "root", "--config", file, "--data", data]);
      expect(badScope.code).toBe(2);
      expect(badScope.stderr).toMatch(/--scope.*'root' is invalid\. Allowed choices are read, write, publish, admin/);
      const badName = await runVigil(["token", "create", "--name", " ", "--config", file, "--data", data]);
      expect(badName.code).toBe(1);
      expect(badName.stderr).toContain("vigil: token name must be 1 to 100 characters");

      // The protocol itself names what is wrong.
      expect(JSON.parse(await rawAsk(socketPath, '{"op":"token.create","name":"x","scope":"root"}'))).toMatchObject({
        ok: false,
        error: { code: "validation_failed", message: expect.stringContaining("scope:") as unknown },
      });
      expect(JSON.parse(await rawAsk(socketPath, "token please"))).toMatchObject({ ok: false, error: { code: "bad_request", message: expect.stringContaining("one JSON object on one line") as unknown } });
      expect(JSON.parse(await rawAsk(socketPath, '{"op":"shutdown"}'))).toMatchObject({ ok: false, error: { code: "validation_failed" } });

      // A command that must open the store itself is refused with the way in, never told to delete the lock.
      const listedHere = await runVigil(["token", "list", "--config", file, "--data", data]);
      expect(listedHere.code).toBe(3);
      expect(listedHere.stderr).toContain(`is in use by process ${vigil.child.pid}`);
      expect(listedHere.stderr).toContain(`\`vigil token create\` and \`vigil reload\` ask it over ${socketPath}`);
      expect(listedHere.stderr).not.toMatch(/delete/i);
    } finally {
      expect(await vigil.stop("SIGTERM")).toBe(0);
    }
    expect(existsSync(path.join(data, "vigil.sock"))).toBe(false);
  }, 420_000);

  it("a dead server's socket and pid file do not stop the next start", async () => {
    const { file, data } = await setup("stale");
    const first = await startServe(["--config", file, "--data", data], { timeoutMs: 120_000 });
    expect(await first.stop("SIGKILL")).toBe(128);
    expect(existsSync(path.join(data, "vigil.sock"))).toBe(true);
    expect(existsSync(path.join(data, "vigil.pid"))).toBe(true);

    const second = await startServe(["--config", file, "--data", data], { timeoutMs: 120_000 });
    try {
      expect((await readFile(path.join(data, "vigil.pid"), "utf8")).trim()).toBe(String(second.child.pid));
      const created = await runVigil(["token", "create", "--name", "after-crash", "--scope", "read", "--json", "--config", file, "--data", data]);
      expect(created.code, created.stderr).toBe(0);
      expect((await api(second, (JSON.parse(created.stdout) as { token: string }).token, "/api/v1/components")).status).toBe(200);
    } finally {
      expect(await second.stop("SIGTERM")).toBe(0);
    }
  }, 420_000);

  it("a holder that does not answer on the socket is named, with what to do instead", async () => {
    const { file, data } = await setup("silent");
    // A live process (this one) holds the data dir, as a `vigil export` or a starting server would, with no socket.
    await runVigil(["migrate", "--config", file, "--data", data]);
    await writeFile(path.join(data, "vigil.lock"), `${process.pid}\n${hostname()}\nsomebody\n`);
    const res = await runVigil(["token", "create", "--name", "x", "--scope", "admin", "--config", file, "--data", data]);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(`process ${process.pid} holds ${data} but does not answer on ${path.join(data, "vigil.sock")}`);
    expect(res.stderr).toContain("POST /api/v1/tokens");
    expect(res.stderr).not.toMatch(/delete/i);
  }, 120_000);
});

describe("the server's pid and reloading it", () => {
  it("prints its pid and writes vigil.pid; SIGHUP to that pid and `vigil reload` both reload; a clean stop removes the file", async () => {
    const { file, data } = await setup("pid");
    const vigil = await startServe(["--config", file, "--data", data], { timeoutMs: 120_000 });
    const pidFile = path.join(data, "vigil.pid");
    try {
      const pid = Number((await readFile(pidFile, "utf8")).trim());
      expect(pid).toBe(vigil.child.pid);
      expect(vigil.output()).toContain(`Vigil is running at ${vigil.url} (pid ${pid};`);

      const created = await runVigil(["token", "create", "--name", "reader", "--scope", "admin", "--json", "--config", file, "--data", data]);
      const token = (JSON.parse(created.stdout) as { token: string }).token;
      const monitors = async () => ((await (await api(vigil, token, "/api/v1/monitors")).json()) as { monitors: { id: string }[] }).monitors.map((m) => m.id);

      await writeFile(file, config + extraMonitor);
      process.kill(pid, "SIGHUP");
      await expect.poll(monitors, { timeout: 15_000 }).toContain("extra");

      await writeFile(file, config);
      const reloaded = await runVigil(["reload", "--data", data]);
      expect(reloaded.code, reloaded.stderr).toBe(0);
      expect(reloaded.stdout).toBe(`reloaded ${file}: added none, changed none, removed monitor:extra\n`);
      expect(await monitors()).not.toContain("extra");
      const events = (await (await api(vigil, token, "/api/v1/events?kind=config.reloaded")).json()) as { events: { actor: string }[] };
      expect(events.events.map((e) => e.actor)).toEqual(expect.arrayContaining(["signal:SIGHUP", "local socket"]));

      // A bad file: every error with its place, exit 1, the running configuration kept.
      await writeFile(file, config.replace("interval: 5s", "interval: soon"));
      const rejected = await runVigil(["reload", "--data", data]);
      expect(rejected.code).toBe(1);
      expect(rejected.stderr).toContain(`vigil: ${file} was rejected; the running configuration is unchanged`);
      expect(rejected.stderr).toMatch(/pid\.yaml:\d+:\d+ monitors\[0\]\.interval: expected a duration/);
      expect(await monitors()).toEqual(["api-health"]);

      // Through the API with a token, from anywhere.
      await writeFile(file, config);
      const remote = await runVigil(["reload", "--json"], { env: { VIGIL_URL: vigil.url, VIGIL_TOKEN: token } });
      expect(remote.code, remote.stderr).toBe(0);
      expect(JSON.parse(remote.stdout)).toMatchObject({ file, added: [], changed: [], removed: [] });
      // A bad file through the API: every error with its place too, as over the socket.
      await writeFile(file, config.replace("interval: 5s", "interval: soon"));
      const remoteRejected = await runVigil(["reload"], { env: { VIGIL_URL: vigil.url, VIGIL_TOKEN: token } });
      expect(remoteRejected.code).toBe(1);
      expect(remoteRejected.stderr).toContain(`${file} was rejected; the running configuration is unchanged`);
      expect(remoteRejected.stderr).toMatch(/pid\.yaml:\d+:\d+ monitors\[0\]\.interval: expected a duration/);
    } finally {
      expect(await vigil.stop("SIGTERM")).toBe(0);
    }
    expect(existsSync(pidFile)).toBe(false);

    const nobody = await runVigil(["reload", "--data", data]);
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toContain(`no Vigil answers on ${path.join(data, "vigil.sock")}: is \`vigil serve\` running with this data dir (--data)?`);
  }, 420_000);
});

describe("signals as soon as the start-up line is out", () => {
  it("a SIGTERM sent the moment the pid is printed stops Vigil cleanly (exit 0, pid file gone)", async () => {
    const { file, data } = await setup("early");
    // The handlers must be in place before the line: a script that reads it may signal at once.
    for (let i = 0; i < 3; i++) {
      const vigil = await startServe(["--config", file, "--data", data], { timeoutMs: 120_000 });
      expect(await vigil.stop("SIGTERM"), vigil.output()).toBe(0);
      expect(vigil.output()).toContain('"msg":"stopped"');
      expect(existsSync(path.join(data, "vigil.pid"))).toBe(false);
    }
  }, 420_000);
});

const postgres = storeBackends().find((b) => b.name === "postgres");
describe.skipIf(!postgres?.available)("on PostgreSQL", () => {
  it("`vigil token create` opens the database itself while serve runs, and the token works at once", async () => {
    const target = await freshTarget("postgres");
    const { file } = await setup("pg");
    const env = { DATABASE_URL: target.url };
    const vigil = await startServe(["--config", file], { env, cwd: dir, timeoutMs: 120_000 });
    try {
      const created = await runVigil(["token", "create", "--name", "night-shift", "--scope", "admin", "--json", "--config", file], { env, cwd: dir });
      expect(created.code, created.stderr).toBe(0);
      expect(created.stderr).not.toContain("asked the running Vigil");
      expect((await api(vigil, (JSON.parse(created.stdout) as { token: string }).token, "/api/v1/tokens")).status).toBe(200);
      const reload = await runVigil(["reload", "--config", file], { env, cwd: dir });
      expect(reload.code).toBe(1);
      expect(reload.stderr).toContain("on PostgreSQL, `vigil reload` goes through the API: set VIGIL_TOKEN");
    } finally {
      expect(await vigil.stop("SIGTERM")).toBe(0);
      await target.dispose();
    }
  }, 420_000);
});
