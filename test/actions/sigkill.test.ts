// A run survives SIGKILL: `vigil serve` (the real CLI process) is killed while an attempt of a webhook action is in
// flight; after a restart on the same data directory the run is attempted again, once, with the same idempotency key,
// and succeeds: neither forgotten nor run under a second key.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVigil, startServe, type ServeProcess } from "../helpers/cli.ts";

interface Received {
  key: string;
  attempt: number;
}

describe("an action run survives SIGKILL of the server", () => {
  let dir: string;
  let receiver: Server;
  let port = 0;
  const received: Received[] = [];
  let serve: ServeProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-action-sigkill-"));
    // The first request is never answered (the orchestrator is slow): the server is killed meanwhile. Later ones get 200.
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c));
      req.on("end", () => {
        received.push({ key: String(req.headers["idempotency-key"]), attempt: (JSON.parse(body) as { run: { attempt: number } }).run.attempt });
        if (received.length > 1) res.writeHead(200).end("scaled");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    port = (receiver.address() as { port: number }).port;
  });

  afterAll(async () => {
    await serve?.stop("SIGKILL").catch(() => undefined);
    receiver?.closeAllConnections();
    receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("attempts the run again after a restart, under the same key, and records one outcome", async () => {
    const config = path.join(dir, "vigil.yaml");
    await writeFile(config, `components:\n  - { id: api, name: Production API }\nactions:\n  definitions:\n    - { id: scale-down, type: webhook, url: "http://127.0.0.1:${port}/scale", timeout: 60s }\n`);
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
    const run = await call("/api/v1/actions/runs", "POST", { action: "scale-down" });
    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(1);
    expect((await call(`/api/v1/actions/runs/${run.id}`)).status).toBe("running");
    expect(await serve.stop("SIGKILL")).not.toBe(0);

    serve = await startServe(["--config", config, "--data", data], { timeoutMs: 60_000 });
    await expect.poll(async () => (await call(`/api/v1/actions/runs/${run.id}`)).status, { timeout: 30_000 }).toBe("succeeded");
    expect(received).toEqual([
      { key: run.idempotency_key, attempt: 1 },
      { key: run.idempotency_key, attempt: 2 },
    ]);
    expect(await call(`/api/v1/actions/runs/${run.id}`)).toMatchObject({ attempts: 2, output: expect.stringContaining("answered 200") });
    const events = (await call(`/api/v1/events?subject=${run.id}`)).events as { kind: string }[];
    expect(events.map((e) => e.kind)).toEqual(["action.run_requested", "action.run_started", "action.run_succeeded"]);
  }, 180_000);
});
