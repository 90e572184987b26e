import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "../../src/agent/run.ts";
import { createToken } from "../../src/auth/create-token.ts";
import { systemClock } from "../../src/core/clock.ts";
import { systemTimers } from "../../src/core/timers.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { startFlipTarget, type FlipTarget } from "../helpers/flip-target.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const quiet = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });


let hookUrl = "";
const configFor = (targetUrl: string, extra = "") => `
notifications:
  channels:
    - { id: oncall, type: webhook, url: "${hookUrl}/hook" }
site: { name: Acme Status }
regions:
  - { id: eu-west, name: Europe West }
  - { id: us-east, name: US East }
components:
  - { id: api, name: API, monitors: [api-health] }
monitors:
  - { id: api-health, type: http, url: "${targetUrl}", interval: 1s, timeout: 1s, regions: [eu-west], quorum: any }
  - { id: other, type: http, url: "${targetUrl}other", interval: 30s, regions: [us-east] }
${extra}`;

const batchOf = (results: object[], agent = "agt_test") => ({
  agent: { id: agent, version: "1.0.0", started_at: new Date().toISOString(), buffer: { results: 0, dropped: 0 }, checks_per_second: 1 },
  results,
});

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`remote agents on ${backend.name}`, () => {
    let target: FlipTarget;
    let store: StoreTarget;
    let dir: string;
    let vigil: TestVigil;
    let agentToken: string;
    const agents: RunningAgent[] = [];

    let sink: HttpSink;
    beforeAll(async () => {
      sink = await startHttpSink();
      hookUrl = sink.url;
      target = await startFlipTarget();
      store = await freshTarget(backend.name);
      dir = await mkdtemp(path.join(tmpdir(), "vigil-agents-"));
      vigil = await startTestVigil(configFor(target.url), { dir, ...(store.url ? { databaseUrl: store.url } : {}) });
      agentToken = (await createToken({ store: vigil.vigil.store, clock: systemClock }, { name: "eu", scope: "agent", actor: "test", region: "eu-west" })).token;
    });
    afterEach(async () => {
      for (const agent of agents.splice(0)) await agent.stop();
    });
    afterAll(async () => {
      await vigil?.dispose();
      await target?.close();
      await sink?.close();
      await store?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    const call = async (method: string, url: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${vigil.vigil.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, etag: res.headers.get("etag"), json: text === "" ? undefined : JSON.parse(text) };
    };

    it("refuses a token of another region, or of another scope, saying which", async () => {
      const wrong = await call("GET", "/api/v1/agent/assignments?region=us-east", agentToken);
      expect(wrong.status).toBe(403);
      expect(wrong.json.error.message).toMatch(/this agent token reports for region eu-west, not us-east/);
      const read = await call("GET", "/api/v1/agent/assignments", vigil.token);
      expect(read.status).toBe(403);
      expect(read.json.error.message).toBe("this endpoint is for probe agents: it needs a token of scope agent; this token has role viewer");
      // An agent token reads nothing else.
      expect((await call("GET", "/api/v1/monitors", agentToken)).status).toBe(403);
    });

    it("answers a region's assignments with an ETag, and a held request as soon as a reload changes them", async () => {
      const first = await call("GET", "/api/v1/agent/assignments", agentToken);
      expect(first.status).toBe(200);
      expect(first.json.monitors.map((m: { id: string }) => m.id)).toEqual(["api-health"]);
      expect(first.etag).toBe(first.json.etag);
      // Unchanged: a short wait runs out with 304.
      const unchanged = await call("GET", "/api/v1/agent/assignments?wait=200", agentToken, undefined, { "if-none-match": first.json.etag });
      expect(unchanged.status).toBe(304);
      // Held, then a reload moves "other" into eu-west too: the answer comes with the change.
      const held = call("GET", "/api/v1/agent/assignments?wait=20000", agentToken, undefined, { "if-none-match": first.json.etag });
      const started = performance.now();
      await writeFile(path.join(dir, "vigil.yaml"), configFor(target.url).replace("regions: [us-east]", "regions: [us-east, eu-west]"));
      expect((await vigil.vigil.reload("test")).applied).toBe(true);
      const changed = await held;
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(changed.status).toBe(200);
      expect(changed.json.monitors.map((m: { id: string }) => m.id)).toEqual(["api-health", "other"]);
      await writeFile(path.join(dir, "vigil.yaml"), configFor(target.url));
      expect((await vigil.vigil.reload("test")).applied).toBe(true);
    });

    it("rolls up a batch of hours-old results at once: their minutes and hours", async () => {
      const minute = 60_000;
      const start = Math.floor((Date.now() - 3 * 3_600_000) / minute) * minute;
      const results = [0, 20_000, 40_000].map((offset, i) => ({ seq: 100 + i, monitor: "api-health", at: new Date(start + offset).toISOString(), status: i === 1 ? "down" : "up", latency_ms: 2, facts: {} }));
      const sent = await call("POST", "/api/v1/agent/results", agentToken, batchOf(results, "agt_late"));
      expect(sent.json).toMatchObject({ stored: 3 });
      const { rollups } = vigil.vigil.store;
      const minutes = await rollups.list("api-health", "minute", new Date(start), new Date(start + minute));
      expect(minutes.map((m) => [m.checks, m.failures])).toEqual([[3, 1]]);
      const hour = 3_600_000;
      const hours = await rollups.list("api-health", "hour", new Date(start - (start % hour)), new Date(start - (start % hour) + hour));
      expect(hours[0]?.checks).toBeGreaterThanOrEqual(3);
    });

    it("stores a batch sent twice once, rejects what its region does not check or a clock far ahead, and refuses garbage naming the field", async () => {
      const now = Date.now();
      const results = [
        { seq: 1, monitor: "api-health", at: new Date(now - 120_000).toISOString(), status: "up", latency_ms: 2, facts: { status: 200 } },
        { seq: 2, monitor: "other", at: new Date(now - 119_000).toISOString(), status: "up", latency_ms: 2, facts: {} },
        { seq: 3, monitor: "api-health", at: new Date(now + 3_600_000).toISOString(), status: "up", latency_ms: 2, facts: {} },
      ];
      const sent = await call("POST", "/api/v1/agent/results", agentToken, batchOf(results, "agt_replay"));
      expect(sent.status).toBe(200);
      expect(sent.json).toMatchObject({ stored: 1, duplicates: 0, acknowledged: 3 });
      expect(sent.json.rejected).toEqual([
        { seq: 2, reason: 'monitor "other" is not checked from region eu-west' },
        { seq: 3, reason: expect.stringMatching(/ahead of this node's clock/) },
      ]);
      const again = await call("POST", "/api/v1/agent/results", agentToken, batchOf(results, "agt_replay"));
      expect(again.json).toMatchObject({ stored: 0, duplicates: 1, acknowledged: 3 });
      const garbage = await call("POST", "/api/v1/agent/results", agentToken, batchOf([{ ...results[0], seq: 4, status: "sideways" }], "agt_replay"));
      expect(garbage.status).toBe(400);
      expect(garbage.json.error.details).toEqual([expect.objectContaining({ path: "body.results.0.status" })]);
      const history = await vigil.get("/api/v1/monitors/api-health/results?limit=100");
      const fromReplay = history.json.results.filter((r: { region: string; at: string }) => r.region === "eu-west" && r.at === results[0]!.at);
      expect(fromReplay).toHaveLength(1);
      const metrics = await (await fetch(`${vigil.vigil.url}/metrics`, { headers: { authorization: `Bearer ${vigil.token}` } })).text();
      expect(metrics).toMatch(/^vigil_agent_results_total\{region="eu-west",outcome="duplicate"\} 1$/m);
      expect(metrics).toMatch(/^vigil_agent_results_total\{region="eu-west",outcome="rejected"\} 4$/m);
      expect(metrics).toMatch(/^vigil_agent_last_seen_timestamp_seconds\{agent="agt_replay",region="eu-west"\} \d+/m);
      expect(metrics).toMatch(/^vigil_agent_checks_per_second\{agent="agt_replay",region="eu-west"\} 1$/m);
      const listed = await vigil.get("/api/v1/agents");
      expect(listed.json.agents).toEqual(expect.arrayContaining([expect.objectContaining({ id: "agt_replay", region: "eu-west", state: "live", last_seq: 1 })]));
    });

    it("an agent checks its region's monitors, and its results confirm an outage with the region named", async () => {
      const options = { servers: [vigil.vigil.url], token: agentToken, dataDir: path.join(dir, "agent-down"), concurrency: 10, version: "1.0.0", logger: quiet, clock: systemClock, timers: systemTimers };
      const agent = await startAgent(options);
      agents.push(agent);
      // A second agent on the same data dir would number its results alike: refused.
      await expect(startAgent(options)).rejects.toMatchObject({ code: "data_dir_locked", message: expect.stringMatching(/another agent \(process \d+\) uses .*agent-down; give each agent its own --data/) });
      await expect.poll(async () => (await vigil.get("/api/v1/monitors/api-health")).json.state.regions["eu-west"]?.status, { timeout: 10_000 }).toBe("up");
      target.set(false);
      try {
        await expect.poll(async () => (await vigil.get("/api/v1/monitors/api-health")).json.state.status, { timeout: 10_000 }).toBe("down");
        // The status in memory may be a moment ahead of the event's commit: wait for the event itself.
        const downEvent = async () => (await vigil.get("/api/v1/events?kind=monitor.down&limit=10")).json.events.find((e: { subject: string }) => e.subject === "api-health");
        await expect.poll(downEvent, { timeout: 5_000 }).toBeDefined();
        const down = await downEvent();
        expect(down.data).toMatchObject({ region: "eu-west", regions: { "eu-west": "down" } });
        // The server's own runner is not among the regions of this monitor: it never checked it.
        expect(Object.keys((await vigil.get("/api/v1/monitors/api-health")).json.state.regions)).toEqual(["eu-west"]);
      } finally {
        target.set(true);
      }
      await expect.poll(async () => (await vigil.get("/api/v1/monitors/api-health")).json.state.status, { timeout: 10_000 }).toBe("up");
    });

    it("responders hear when every agent of a region goes silent, and when one is heard again; the public hears nothing", async () => {
      const options = { servers: [vigil.vigil.url], token: agentToken, dataDir: path.join(dir, "agent-silent"), concurrency: 10, version: "1.0.0", logger: quiet, clock: systemClock, timers: systemTimers };
      // Earlier tests' agents were heard; the region is live once this one reports.
      const first = await startAgent(options);
      await expect.poll(async () => (await vigil.get("/api/v1/agents")).json.agents.some((a: { id: string; state: string }) => a.id === first.id && a.state === "live"), { timeout: 10_000 }).toBe(true);
      await first.stop();
      sink.reset();
      // Every agent of eu-west is silent now; its limit is 15 s (3 intervals of 1 s, at least 15 s), looked at every 5 s.
      await expect.poll(async () => sink.requests.filter((r) => (r.body as { event?: string } | undefined)?.event === "region.stale").length, { timeout: 30_000, interval: 500 }).toBe(1);
      const stale = sink.requests.find((r) => (r.body as { event?: string } | undefined)?.event === "region.stale")!;
      expect(JSON.stringify(stale.body)).toMatch(/No agent of region Europe West has reported since/);
      const again = await startAgent(options);
      agents.push(again);
      await expect.poll(async () => sink.requests.filter((r) => (r.body as { event?: string } | undefined)?.event === "region.recovered").length, { timeout: 15_000, interval: 500 }).toBe(1);
      const events = (await vigil.get("/api/v1/events?kind=region.stale&limit=10")).json.events;
      expect(events).toEqual([expect.objectContaining({ subject: "eu-west", data: expect.objectContaining({ name: "Europe West", agents: expect.any(Number) }) })]);
      // Nothing public: no incident was opened for it.
      expect((await vigil.get("/api/v1/incidents")).json.incidents.filter((i: { name: string }) => /Europe|region/i.test(i.name))).toEqual([]);
    }, 60_000);

    it("an agent cut off from every node keeps its results on disk and sends them all, once each, in order; the past opens nothing", async () => {
      const proxy: TcpProxy = await startTcpProxy(Number(new URL(vigil.vigil.url).port));
      const agent = await startAgent({ servers: [`http://127.0.0.1:${proxy.port}`], token: agentToken, dataDir: path.join(dir, "agent-cut"), concurrency: 10, version: "1.0.0", logger: quiet, clock: systemClock, timers: systemTimers });
      agents.push(agent);
      try {
        await expect.poll(() => agent.stats().monitors, { timeout: 10_000 }).toBe(1);
        await expect.poll(() => agent.stats().acked, { timeout: 10_000 }).toBeGreaterThan(0);
        const downEventsBefore = (await vigil.get("/api/v1/events?kind=monitor.down&limit=100")).json.events.length;
        proxy.cut();
        const cutAt = agent.stats().lastSeq;
        // The target breaks and recovers while nobody hears the agent: its results say so, later.
        target.set(false);
        await expect.poll(() => agent.stats().lastSeq, { timeout: 15_000 }).toBeGreaterThan(cutAt + 6);
        target.set(true);
        await expect.poll(() => agent.stats().lastSeq, { timeout: 15_000 }).toBeGreaterThan(cutAt + 12);
        expect(agent.stats().buffered).toBeGreaterThan(6);
        proxy.restore();
        await expect.poll(() => agent.stats().buffered, { timeout: 20_000 }).toBe(0);
        await agent.stop();
        const { lastSeq, acked } = agent.stats();
        expect(acked).toBe(lastSeq);
        // Every number from 1 to the last is stored exactly once (the unique index would refuse a second).
        const stored = await vigil.vigil.store.agents.resultsAfter("0", 100_000);
        const seqs = stored.filter((r) => r.agent === agent.id).map((r) => r.seq);
        expect(seqs).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
        // The outage is in history, but it was over before anyone could hear of it: no event opened it afterwards.
        expect(stored.filter((r) => r.agent === agent.id && r.status === "down").length).toBeGreaterThan(3);
        const downEventsAfter = (await vigil.get("/api/v1/events?kind=monitor.down&limit=100")).json.events.length;
        expect(downEventsAfter).toBe(downEventsBefore);
        // Counted, so that a node falling behind is seen.
        const metrics = await (await fetch(`${vigil.vigil.url}/metrics`, { headers: { authorization: `Bearer ${vigil.token}` } })).text();
        expect(Number(/^vigil_agent_results_late_total\{region="eu-west"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(6);
      } finally {
        target.set(true);
        await proxy.close();
      }
    });
  });
}
