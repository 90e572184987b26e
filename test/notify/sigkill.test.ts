// Durability of the outbox: `vigil serve` (the real CLI process) is killed with SIGKILL in the middle of a
// fan-out to twenty webhook channels; after a restart on the same data directory every (event, channel)
// notification arrives (alert, resolution, closed outage window), each channel gets the incident's alert
// before its resolution, and any repeat carries the same idempotency key, so a receiver can drop it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryConcurrency } from "../../src/app/notifier/deliverer.ts";
import { runVigil, startServe, type ServeProcess } from "../helpers/cli.ts";

const channels = 20;

interface Received {
  channel: string;
  key: string;
  event: string;
}

describe("notifications survive SIGKILL in the middle of a fan-out", () => {
  let dir: string;
  let receiver: Server;
  let port = 0;
  const received: Received[] = [];
  let serve: ServeProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-sigkill-"));
    // A slow receiver: each answer takes 150 ms, so a fan-out of 60 deliveries takes a few rounds.
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c));
      req.on("end", () => {
        const event = (JSON.parse(body) as { event: string }).event;
        received.push({ channel: req.url?.slice(1) ?? "", key: String(req.headers["idempotency-key"]), event });
        setTimeout(() => res.writeHead(200).end("ok"), 150);
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

  it("delivers every notification after a restart, in order per channel, repeats only under the same key", async () => {
    const config = path.join(dir, "vigil.yaml");
    const channelList = Array.from({ length: channels }, (_, i) => `    - { id: c${i}, type: webhook, url: "http://127.0.0.1:${port}/c${i}" }`).join("\n");
    await writeFile(config, `components:\n  - { id: api, name: Production API }\nnotifications:\n  grouping: { group_interval: 1s }\n  channels:\n${channelList}\n`);
    const data = path.join(dir, "data");
    const created = await runVigil(["token", "create", "--name", "test", "--scope", "publish", "--json", "--config", config, "--data", data]);
    expect(created.code, created.stderr).toBe(0);
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    const send = async (url: string, method: string, body: unknown) => {
      const res = await fetch(`${serve!.url}${url}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      return (await res.json()) as { id: string };
    };

    serve = await startServe(["--config", config, "--data", data], { timeoutMs: 60_000 });
    const incident = await send("/api/v1/incidents", "POST", { name: "API outage", body: "Looking.", components: { api: "major_outage" } });
    await send(`/api/v1/incidents/${incident.id}/resolve`, "POST", { body: "Fixed." });
    // Kill it while the fan-out is under way: some delivered, most not.
    await expect.poll(() => received.length, { timeout: 20_000, interval: 5 }).toBeGreaterThanOrEqual(3);
    const before = received.length;
    expect(await serve.stop("SIGKILL")).not.toBe(0);
    expect(before).toBeLessThan(3 * channels);

    serve = await startServe(["--config", config, "--data", data], { timeoutMs: 60_000 });
    // Three notifications per channel: the incident's alert, its resolution, and the closed outage window of api.
    await expect.poll(() => new Set(received.map((r) => r.key)).size, { timeout: 60_000, interval: 100 }).toBe(3 * channels);

    for (let i = 0; i < channels; i++) {
      const mine = received.filter((r) => r.channel === `c${i}`);
      const kinds = [...new Map(mine.map((r) => [r.key, r.event])).values()];
      // Nothing lost, nothing reordered: the alert, then the resolution (the window has an order of its own).
      expect(kinds.filter((k) => k.startsWith("incident.")), `channel c${i}`).toEqual(["incident.created", "incident.resolved"]);
      expect(kinds.filter((k) => k === "window.closed"), `channel c${i}`).toHaveLength(1);
      // A repeat (a delivery in flight at the kill) carries the key it had.
      for (const r of mine) expect(r.key).toMatch(new RegExp(`^\\d+:c${i}$`));
    }
    const repeats = received.length - new Set(received.map((r) => r.key)).size;
    // Only deliveries in flight (or sent and not yet recorded) at the kill can repeat.
    expect(repeats).toBeLessThanOrEqual(deliveryConcurrency);
  }, 180_000);
});
