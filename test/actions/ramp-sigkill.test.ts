// A ramp survives SIGKILL: `vigil serve` (the real CLI process) runs a three-step ramp gated on a live HTTP monitor
// and is killed outright at a random moment after a random step's call; after a restart on the same data directory
// the ramp goes on and succeeds. Every step is called in order (step n+1 only after step n's gate), each under its
// own idempotency key (a key may come twice when the kill cut its call short, never a second key for a step), and
// the timeline has each step started and each gate passed exactly once.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVigil, startServe, type ServeProcess } from "../helpers/cli.ts";

interface Received {
  key: string;
  replicas: number;
}

describe("a ramp survives SIGKILL of the server", () => {
  let dir: string;
  let receiver: Server;
  let target: Server;
  const received: Received[] = [];
  let serve: ServeProcess | undefined;
  // Where the kill falls: after the call of step 1, 2 or 3, and up to 1.5 s later.
  const killAfterStep = 1 + Math.floor(Math.random() * 3);
  const killDelayMs = Math.floor(Math.random() * 1500);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-ramp-sigkill-"));
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c));
      req.on("end", () => {
        received.push({ key: String(req.headers["idempotency-key"]), replicas: (JSON.parse(body) as { step: { with: { replicas: number } } }).step.with.replicas });
        res.writeHead(200).end("scaled");
      });
    });
    target = createServer((_req, res) => res.writeHead(200).end("ok"));
    for (const server of [receiver, target]) await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    await serve?.stop("SIGKILL").catch(() => undefined);
    for (const server of [receiver, target]) {
      server?.closeAllConnections();
      server?.close();
    }
    await rm(dir, { recursive: true, force: true });
  });

  it(`goes on after a kill ${killDelayMs} ms after step ${killAfterStep}'s call, asking for no step twice`, async () => {
    const port = (s: Server) => (s.address() as { port: number }).port;
    const config = path.join(dir, "vigil.yaml");
    await writeFile(
      config,
      `components:
  - { id: api, name: Production API, monitors: [api-health] }
monitors:
  - { id: api-health, type: http, url: "http://127.0.0.1:${port(target)}/health", interval: 1s, timeout: 1s }
actions:
  definitions:
    - { id: scale-api, type: webhook, url: "http://127.0.0.1:${port(receiver)}/scale" }
    - id: recovery
      type: ramp
      deadline: 5m
      components: [api]
      gate: { up_for: 2s, timeout: 2m }
      steps:
        - { run: scale-api, with: { replicas: 1 } }
        - { run: scale-api, with: { replicas: 3 } }
        - { run: scale-api, with: { replicas: 6 } }
`,
    );
    const data = path.join(dir, "data");
    const created = await runVigil(["token", "create", "--name", "runbook", "--role", "responder", "--json", "--config", config, "--data", data]);
    expect(created.code, created.stderr).toBe(0);
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    const call = async (url: string, method = "GET", body?: unknown) => {
      const res = await fetch(`${serve!.url}${url}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      return (await res.json()) as any;
    };

    serve = await startServe(["--config", config, "--data", data], { timeoutMs: 60_000 });
    const ramp = await call("/api/v1/actions/runs", "POST", { action: "recovery" });
    await expect.poll(() => received.filter((r) => r.replicas === [1, 3, 6][killAfterStep - 1]).length, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, killDelayMs));
    expect(await serve.stop("SIGKILL")).not.toBe(0);

    serve = await startServe(["--config", config, "--data", data], { timeoutMs: 60_000 });
    await expect.poll(async () => (await call(`/api/v1/actions/runs/${ramp.id}`)).status, { timeout: 60_000, interval: 200 }).toBe("succeeded");

    // In order, each step under its own key; a step's call may come twice (cut short by the kill), under its key.
    const keys = [1, 2, 3].map((n) => `ramp:${ramp.id}:step:${n}`);
    const order = received.map((r) => keys.indexOf(r.key));
    expect(order.every((k) => k >= 0)).toBe(true);
    expect(order).toEqual([...order].sort());
    expect([...new Set(received.map((r) => `${r.key}=${r.replicas}`))]).toEqual([`${keys[0]}=1`, `${keys[1]}=3`, `${keys[2]}=6`]);
    const events = (await call(`/api/v1/events?subject=${ramp.id}&limit=1000`)).events as { kind: string; data: { step?: number } }[];
    expect(events.filter((e) => e.kind.startsWith("action.ramp_")).map((e) => `${e.kind}:${e.data.step}`)).toEqual([
      "action.ramp_step_started:1",
      "action.ramp_gate_passed:1",
      "action.ramp_step_started:2",
      "action.ramp_gate_passed:2",
      "action.ramp_step_started:3",
      "action.ramp_gate_passed:3",
    ]);
    expect(events.filter((e) => e.kind === "action.run_succeeded")).toHaveLength(1);
  }, 180_000);
});
