// Hang suspicion on real parts: a local HTTP target that answers in a millisecond, then once slowly, then not at all.
// Vigil learns the monitor's usual latency, suspects a check still unanswered at the floor (1 s: 10 × p99 of ~1 ms is
// less), starts a confirming check beside it, reports degraded when both are unanswered at the confirming check's own
// deadline, and down when the first check times out; a slow answer that comes reports nothing.
import { createServer, type ServerResponse, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

type Event = { id: string; at: string; kind: string; subject: string; data: Record<string, any> };

let test: TestVigil;
let target: Server;
// Each monitor has its own path, whose behaviour the test switches (a slow answer teaches its monitor a longer tail).
const mode: Record<string, "ok" | "slow-once" | "hang"> = { "/api": "ok", "/web": "ok", "/off": "ok", "/short": "ok" };
const hanging = new Set<ServerResponse>();
const requests: Record<string, number> = {};

const config = (port: number) => `
site: { name: Acme Status }
monitors:
  - { id: api, type: http, url: "http://127.0.0.1:${port}/api", interval: 1s, timeout: 10s }
  - { id: web, type: http, url: "http://127.0.0.1:${port}/web", interval: 1s, timeout: 10s }
  - { id: off, type: http, url: "http://127.0.0.1:${port}/off", interval: 1s, timeout: 10s, suspect: false }
  - { id: short, type: http, url: "http://127.0.0.1:${port}/short", interval: 1s, timeout: 900ms }
`;

const events = async (kind: string, subject: string): Promise<Event[]> =>
  ((await test.get(`/api/v1/events?kind=${kind}&limit=100`)).json.events as Event[]).filter((e) => e.subject === subject).sort((a, b) => Number(a.id) - Number(b.id));
const learned = async (id: string, path: string) => {
  // Five good results teach the usual latency.
  await expect.poll(() => requests[path] ?? 0, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(6);
  await expect.poll(async () => (await test.get(`/api/v1/monitors/${id}`)).json.state.status, { timeout: 10_000 }).toBe("up");
};
const earlyChecks = async (): Promise<number> => {
  const text = await (await fetch(`${test.vigil.url}/metrics`, { headers: { authorization: `Bearer ${test.token}` } })).text();
  return Number(/^vigil_probe_early_checks_total\{reason="hang"\} (\d+)$/m.exec(text)?.[1] ?? 0);
};

beforeAll(async () => {
  target = createServer((req, res) => {
    const path = req.url ?? "";
    requests[path] = (requests[path] ?? 0) + 1;
    if (mode[path] === "hang") {
      hanging.add(res);
      return;
    }
    const answer = () => res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    if (mode[path] === "slow-once") {
      mode[path] = "ok";
      setTimeout(answer, 4_000);
    } else answer();
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  test = await startTestVigil(config((target.address() as { port: number }).port));
}, 60_000);

afterAll(async () => {
  await test?.dispose();
  for (const res of hanging) res.destroy();
  target?.close();
});

describe("hang suspicion", () => {
  it("a slow answer that comes: the check is suspected and confirmed beside it, but nothing is reported", async () => {
    await learned("api", "/api");
    mode["/api"] = "slow-once";
    await expect.poll(async () => (await events("monitor.hang_suspected", "api")).length, { timeout: 10_000, interval: 100 }).toBe(1);
    const [suspected] = await events("monitor.hang_suspected", "api");
    expect(suspected!.data).toMatchObject({ region: "local", elapsed_ms: expect.any(Number), usual_ms: expect.any(Number), confirming_check: true });
    expect(suspected!.data.suspect_after_ms).toBeGreaterThanOrEqual(1_000);
    expect(suspected!.data.elapsed_ms).toBeGreaterThanOrEqual(1_000);
    expect(suspected!.data.warning).toMatch(/^no answer after [\d.]+ s, usually [\d.]+ ms$/);
    expect(await earlyChecks()).toBe(1);
    // The slow answer came at 4 s, the confirming check's at once: still up, no status event, and the suspicion is
    // the monitor's evidence.
    await expect.poll(async () => (await test.get("/api/v1/monitors/api")).json.evidence.map((e: Event) => e.kind), { timeout: 10_000 }).toEqual(["monitor.hang_suspected"]);
    expect((await test.get("/api/v1/monitors/api")).json.state.status).toBe("up");
    expect([...(await events("monitor.degraded", "api")), ...(await events("monitor.down", "api"))]).toEqual([]);
  }, 60_000);

  it("a hang: degraded at the confirming check's deadline with the evidence, down when the first check times out", async () => {
    await learned("web", "/web");
    await learned("off", "/off");
    await learned("short", "/short");
    const hungFrom = Date.now();
    mode["/web"] = mode["/off"] = mode["/short"] = "hang";
    await expect.poll(async () => (await events("monitor.down", "web")).length, { timeout: 30_000, interval: 100 }).toBe(1);
    // (A suspicion before the hang, of an answer slowed by a busy machine, is not this test's.)
    const suspicions = (await events("monitor.hang_suspected", "web")).filter((e) => Date.parse(e.at) >= hungFrom);
    const [degraded] = await events("monitor.degraded", "web");
    const [down] = await events("monitor.down", "web");
    // The first check, then its confirming check, each suspected at 1 s; only the first started a check beside it.
    expect(suspicions.map((e) => e.data.confirming_check)).toEqual([true, false]);
    // Each deadline is at least the 1 s floor; on a busy machine the learned latency, and so the deadline, is longer.
    const [firstAfter, confirmingAfter] = suspicions.map((e) => e.data.suspect_after_ms as number);
    expect(firstAfter).toBeGreaterThanOrEqual(1_000);
    expect(confirmingAfter).toBeGreaterThanOrEqual(1_000);
    const first = Date.parse(suspicions[0]!.data.check_started_at);
    const confirming = Date.parse(suspicions[1]!.data.check_started_at);
    expect(confirming - Date.parse(suspicions[0]!.at)).toBeLessThan(100);
    expect(confirming - first).toBeGreaterThanOrEqual(firstAfter!);
    // Degraded at the confirming check's deadline, with the evidence; down at the first check's timeout (10 s).
    expect(degraded!.data.warning).toMatch(/^no answer after [\d.]+ s, usually [\d.]+ ms$/);
    expect(Date.parse(degraded!.at) - confirming).toBeGreaterThanOrEqual(confirmingAfter!);
    // The target is within 2 s of the first check's deadline (bench/probes.ts measures it); a busy machine's timers slip.
    expect(Date.parse(degraded!.at) - (first + firstAfter!)).toBeLessThan(confirmingAfter! + 2_000);
    expect(down!.data).toMatchObject({ previous: "degraded", error: { kind: "timeout" } });
    expect(Date.parse(down!.at) - first).toBeGreaterThanOrEqual(10_000);
    expect(Date.parse(down!.at) - first).toBeLessThan(13_000);
    expect(Date.parse(down!.at)).toBeGreaterThan(Date.parse(degraded!.at));
    expect(await earlyChecks()).toBe(2);
    const monitor = (await test.get("/api/v1/monitors/web")).json;
    expect(monitor.state.status).toBe("down");
    expect(monitor.evidence.map((e: Event) => e.kind).slice(0, 4)).toEqual(["monitor.down", "monitor.degraded", "monitor.hang_suspected", "monitor.hang_suspected"]);
    // Their checks hung as long: nothing is suspected with suspect: false, nor when the timeout comes before the floor.
    expect(await events("monitor.hang_suspected", "off")).toEqual([]);
    expect(await events("monitor.hang_suspected", "short")).toEqual([]);
    expect(requests["/short"]).toBeGreaterThan(0);
  }, 60_000);
});
