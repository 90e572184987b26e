// The whole detection loop on real parts: scheduler → http and heartbeat probes → assertions →
// detection → store → API, against a local HTTP target whose health the test switches.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningVigil } from "../../src/app/start.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const heartbeatSecret = "hb-secret-0123456789";
let test: TestVigil;
let vigil: RunningVigil;
let target: Server;
let healthy = true;

const config = (port: number) => `
site: { name: Acme Status }
components:
  - id: web
    name: Web
    monitors: [web-health, nightly-job]
monitors:
  - id: web-health
    type: http
    url: http://127.0.0.1:${port}/health
    interval: 1s
    # Generous: on a loaded machine a 500 ms answer can come late, and this test is about the assertion, not speed.
    timeout: 3s
    recheck: 200ms
    assert:
      - json.status == "ok"
  - id: nightly-job
    type: heartbeat
    secret: ${heartbeatSecret}
    interval: 1s
    grace: 1s
`;

const api = (url: string) => test.get(url);

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(healthy ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: healthy ? "ok" : "failing" }));
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  const port = (target.address() as { port: number }).port;
  test = await startTestVigil(config(port));
  vigil = test.vigil;
}, 60_000);

afterAll(async () => {
  await test?.dispose();
  target?.close();
});

describe("detection on real parts", () => {
  it("confirms a healthy target up, then a failing one down with the assertion that failed, then up again", async () => {
    await expect.poll(async () => (await api("/api/v1/monitors/web-health")).json.state.status, { timeout: 15_000, interval: 100 }).toBe("up");
    healthy = false;
    const flipped = Date.now();
    await expect
      .poll(async () => (await api("/api/v1/events?kind=monitor.down")).json.events.filter((e: { subject: string }) => e.subject === "web-health"), { timeout: 15_000, interval: 100 })
      .toHaveLength(1);
    // With a 1 s interval, confirm 2 and a 200 ms re-check, the outage is confirmed within ~1.5 s.
    expect(Date.now() - flipped).toBeLessThan(10_000);
    // Results are written in batches (events at once): flush so the stored results include the failures.
    await vigil.monitoring.flush();
    const monitor = (await api("/api/v1/monitors/web-health")).json;
    expect(monitor.state.status).toBe("down");
    const down = monitor.evidence.find((e: { kind: string }) => e.kind === "monitor.down");
    expect(down.data.error).toMatchObject({ kind: "assertion" });
    expect(monitor.last_results.find((r: { status: string }) => r.status === "down")).toMatchObject({ facts: { status: 503 }, error: { kind: "assertion" } });

    healthy = true;
    await expect.poll(async () => (await api("/api/v1/monitors/web-health")).json.state.status, { timeout: 15_000, interval: 100 }).toBe("up");
    const up = (await api("/api/v1/events?kind=monitor.up")).json.events.find((e: { subject: string }) => e.subject === "web-health");
    expect(up.data.down_for_ms).toBeGreaterThan(0);
  }, 60_000);

  it("serves stored results and uptime from the rollups", async () => {
    await vigil.monitoring.flush();
    const results = (await api("/api/v1/monitors/web-health/results?limit=500")).json.results as { status: string }[];
    expect(results.some((r) => r.status === "down")).toBe(true);
    expect(results.some((r) => r.status === "up")).toBe(true);
    await vigil.store.rollups.compute("minute", new Date(Date.now() - 3_600_000), new Date(Date.now() + 60_000));
    const uptime = (await api("/api/v1/monitors/web-health/uptime?window=24h")).json;
    expect(uptime.checks).toBeGreaterThanOrEqual(results.length);
    expect(uptime.failures).toBeGreaterThan(0);
    expect(uptime.uptime_percent).toBeGreaterThan(0);
    expect(uptime.uptime_percent).toBeLessThan(100);
    expect((await api("/api/v1/monitors/web-health/uptime?window=1y")).status).toBe(400);
    expect((await api("/api/v1/monitors/nope")).status).toBe(404);
  });

  it("takes heartbeats with the monitor's secret only, and goes down when they stop", async () => {
    const ping = (secret: string) => fetch(`${vigil.url}/api/v1/heartbeat/nightly-job`, { method: "POST", headers: { authorization: `Bearer ${secret}` } });
    expect((await ping("wrong-secret-000000")).status).toBe(401);
    expect((await fetch(`${vigil.url}/api/v1/heartbeat/web-health`, { method: "POST", headers: { authorization: `Bearer ${heartbeatSecret}` } })).status).toBe(401);
    // A secret in the URL would be written to the request log: it is not read, so the ping is refused.
    expect((await fetch(`${vigil.url}/api/v1/heartbeat/nightly-job?secret=${heartbeatSecret}`, { method: "POST" })).status).toBe(401);
    expect((await ping(heartbeatSecret)).status).toBe(200);
    await expect.poll(async () => (await api("/api/v1/monitors/nightly-job")).json.state.status, { timeout: 10_000, interval: 100 }).toBe("up");
    // No more pings: after interval + grace the checks see it missing and confirm it down.
    await expect.poll(async () => (await api("/api/v1/monitors/nightly-job")).json.state.status, { timeout: 15_000, interval: 200 }).toBe("down");
    const pinger = setInterval(() => void ping(heartbeatSecret).catch(() => undefined), 300);
    try {
      await expect.poll(async () => (await api("/api/v1/monitors/nightly-job")).json.state.status, { timeout: 15_000, interval: 200 }).toBe("up");
    } finally {
      clearInterval(pinger);
    }
  }, 60_000);
});
