// The running checks an agent reports with its results (POST /api/v1/agent/results, `running`), sent here by hand so that
// their order against the results, and their age, are the test's to choose: the node takes each after the results it
// followed and before the later ones, and ignores one that reaches it more than 5 s after it was made.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

type Event = { id: string; at: string; kind: string; subject: string; data: Record<string, any> };

// Checked only from eu-west, whose agent is this test: nothing here probes the URL.
const config = `
site: { name: Acme Status }
regions:
  - { id: eu-west, name: Europe West }
monitors:
  - { id: api, type: http, url: "http://127.0.0.1:9/", interval: 1s, timeout: 10s, regions: [eu-west] }
  - { id: billing, type: http, url: "http://127.0.0.1:9/", interval: 1s, timeout: 10s, regions: [eu-west] }
  - { id: orders, type: http, url: "http://127.0.0.1:9/", interval: 1s, timeout: 10s, regions: [eu-west] }
`;

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`an agent's running checks on ${backend.name}`, () => {
    let store: StoreTarget;
    let dir: string;
    let vigil: TestVigil;
    let token: string;
    let seq = 0;
    // The node's clock follows the real one (the database stamps results as they arrive), unless the test moves it on.
    const clock = new ManualClock(Date.now());

    beforeAll(async () => {
      store = await freshTarget(backend.name);
      dir = await mkdtemp(path.join(tmpdir(), "vigil-running-checks-"));
      vigil = await startTestVigil(config, { dir, clock, ...(store.url ? { databaseUrl: store.url } : {}) });
      token = (await createToken({ store: vigil.vigil.store, clock }, { name: "eu", scope: "agent", actor: "test", region: "eu-west" })).token;
    }, 60_000);
    afterAll(async () => {
      await vigil?.dispose();
      await store?.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    const iso = (ms: number) => new Date(ms).toISOString();
    /** Sends a batch: results (numbered here, as the agent numbers them) and running checks. */
    const send = async (results: { at: number; status: "up" | "down"; latency: number }[], running: object[] = [], monitor = "api") => {
      const body = {
        agent: { id: "agt_test", version: "1.0.0", started_at: iso(Date.now() - 60_000), buffer: { results: 0, dropped: 0 }, checks_per_second: 1 },
        results: results.map((r) => ({ seq: ++seq, monitor, at: iso(r.at), status: r.status, latency_ms: r.latency, facts: {}, ...(r.status === "down" ? { error: { kind: "timeout", message: "no answer in 10s" } } : {}) })),
        ...(running.length > 0 ? { running } : {}),
      };
      const res = await fetch(`${vigil.vigil.url}/api/v1/agent/results`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      expect((await res.json()).rejected).toEqual([]);
    };
    const suspected = (startedAt: number, unansweredMs: number, afterSeq = seq, monitor = "api") => ({ monitor, at: iso(startedAt), after_seq: afterSeq, kind: "suspected", unanswered_ms: unansweredMs, confirming_check: false });
    const events = async (kind: string, monitor = "api"): Promise<Event[]> =>
      ((await vigil.get(`/api/v1/events?kind=${kind}&limit=100`)).json.events as Event[]).filter((e) => e.subject === monitor).sort((a, b) => Number(a.id) - Number(b.id));
    const suspicionOf = async (startedAt: number) => (await events("monitor.hang_suspected")).filter((e) => e.data.check_started_at === iso(startedAt));

    it("takes a suspicion before the results made after it, and ignores one that comes more than 5 s late", async () => {
      // Six good answers of 3 ms teach the region its usual latency: suspect after 1 s.
      clock.set(Date.now());
      const t0 = Date.now() - 2_000;
      await send(Array.from({ length: 6 }, (_, i) => ({ at: t0 + i * 100, status: "up" as const, latency: 3 })));
      await expect.poll(async () => (await vigil.get("/api/v1/monitors/api")).json.state.regions?.["eu-west"]?.status, { timeout: 10_000 }).toBe("up");

      // A check started 1.3 s ago was suspected at 1.2 s, then failed at 1.25 s; both go in one batch, the failure
      // numbered after the suspicion. Taken in that order, the failure takes the suspicion's place: one failure, no event.
      clock.set(Date.now());
      const first = Date.now() - 1_300;
      const before = seq;
      await send([{ at: first, status: "down", latency: 1_250 }], [suspected(first, 1_200, before)]);
      await expect.poll(() => suspicionOf(first), { timeout: 10_000 }).toHaveLength(1);
      await expect.poll(async () => (await vigil.get("/api/v1/monitors/api")).json.state.regions?.["eu-west"]?.consecutive, { timeout: 10_000 }).toBe(1);
      expect([...(await events("monitor.degraded")), ...(await events("monitor.down"))]).toEqual([]);
      expect((await suspicionOf(first))[0]!.data).toMatchObject({ region: "eu-west", elapsed_ms: 1_200, usual_ms: 3, suspect_after_ms: 1_000, warning: "no answer after 1.2 s, usually 3 ms", confirming_check: false });

      // The node's clock is 10 s on: a suspicion made now (by the agent's clock) reaches it 10 s late and is ignored.
      // The one sent after it, fresh, shows that it has been taken: the second failure in a row, which confirms the
      // region down (the worse of the two).
      clock.set(Date.now() + 10_000);
      const late = Date.now() - 1_200;
      const fresh = clock.now().getTime() - 1_100;
      await send([], [suspected(late, 1_200), suspected(fresh, 1_100)]);
      await expect.poll(() => suspicionOf(fresh), { timeout: 10_000 }).toHaveLength(1);
      expect(await suspicionOf(late)).toEqual([]);
      expect((await events("monitor.down")).map((e) => e.data.region)).toEqual(["eu-west"]);
    }, 60_000);

    it("does not count a suspicion of a check whose result it took first (the news of running checks came after a read of the results): evidence only", async () => {
      clock.set(Date.now());
      const t0 = Date.now() - 2_000;
      await send(Array.from({ length: 6 }, (_, i) => ({ at: t0 + i * 100, status: "up" as const, latency: 3 })), [], "billing");
      const region = async () => (await vigil.get("/api/v1/monitors/billing")).json.state.regions?.["eu-west"];
      await expect.poll(async () => (await region())?.status, { timeout: 10_000 }).toBe("up");

      // The failure is taken first; the suspicion of that same check, made before it failed, comes after.
      const started = Date.now() - 1_300;
      const before = seq;
      await send([{ at: started, status: "down", latency: 1_250 }], [], "billing");
      await expect.poll(async () => (await region())?.consecutive, { timeout: 10_000 }).toBe(1);
      await send([], [suspected(started, 1_200, before, "billing")], "billing");
      // A later batch shows the suspicion has been handled: one more good answer resets the count.
      await send([{ at: Date.now() - 100, status: "up", latency: 3 }], [], "billing");
      await expect.poll(async () => (await region())?.status, { timeout: 10_000 }).toBe("up");
      // On the timeline as what it is, evidence of a check that took long, marked as not counted.
      expect((await events("monitor.hang_suspected", "billing")).map((e) => e.data)).toEqual([expect.objectContaining({ check_started_at: iso(started), elapsed_ms: 1_200, counted: false })]);
      expect([...(await events("monitor.degraded", "billing")), ...(await events("monitor.down", "billing"))]).toEqual([]);
    }, 60_000);

    it("suspects a confirming check that started the moment its suspected check was suspected: degraded, with two suspicions", async () => {
      clock.set(Date.now());
      const t0 = Date.now() - 5_000;
      await send(Array.from({ length: 6 }, (_, i) => ({ at: t0 + i * 100, status: "up" as const, latency: 3 })), [], "orders");
      const region = async () => (await vigil.get("/api/v1/monitors/orders")).json.state.regions?.["eu-west"];
      await expect.poll(async () => (await region())?.status, { timeout: 10_000 }).toBe("up");

      // The check hung from `first`; at 1.2 s the agent suspected it and started a confirming check at that instant,
      // which was suspected in its turn 1.1 s later. The first suspicion is the region's latest news when the second
      // comes, made at the confirming check's start: that is no answer of the confirming check, and must not hide it.
      const first = Date.now() - 2_400;
      const confirmingAt = first + 1_200;
      await send([], [{ ...suspected(first, 1_200, seq, "orders"), confirming_check: true }, { monitor: "orders", at: iso(confirmingAt), after_seq: seq, kind: "confirming" }], "orders");
      await expect.poll(async () => (await events("monitor.hang_suspected", "orders")).length, { timeout: 10_000 }).toBe(1);
      await send([], [suspected(confirmingAt, 1_100, seq, "orders")], "orders");
      await expect.poll(async () => (await events("monitor.hang_suspected", "orders")).map((e) => [e.data.check_started_at, e.data.confirming_check]), { timeout: 10_000 }).toEqual([
        [iso(first), true],
        [iso(confirmingAt), false],
      ]);
      expect((await events("monitor.degraded", "orders")).map((e) => e.data.region)).toEqual(["eu-west"]);
    }, 60_000);
  });
}
