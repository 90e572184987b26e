// Vigil as a cluster, as real processes on a real PostgreSQL: three `vigil serve` nodes share the checks and one
// leads. A target goes down while the leader is killed with SIGKILL at a random point (several seeds): one
// incident, every expected webhook delivered at least once (repeats only across the failover, with the same
// idempotency key, and counted), the outage window right. A clean stop (SIGTERM) hands over long before the lease
// would have run out, and a heartbeat pinged through any node keeps its monitor up.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { seeded, startCluster, startTarget, type Target, type TestCluster } from "../helpers/cluster.ts";
import { storeBackends } from "../helpers/stores.ts";
import { startTcpProxy } from "../helpers/tcp-proxy.ts";
import { runVigil } from "../helpers/cli.ts";

const postgres = storeBackends().find((b) => b.name === "postgres")!;
const seeds = (process.env.VIGIL_CLUSTER_SEEDS ?? "1,2").split(",").map(Number);
const heartbeatSecret = "hb-secret-0123456789abcdef";

const config = (target: string, hook: string, web: string) => `
site: { name: Acme Status, url: "https://status.example.com" }
# The test reads /metrics while a node is cut off from PostgreSQL (where API tokens are).
server: { metrics: { public: true } }
components:
  - { id: api, name: Production API, monitors: [api-health] }
  - { id: web, name: Website, monitors: [web-1, web-2, web-3, web-4, web-5, web-6] }
  - { id: jobs, name: Nightly jobs, monitors: [nightly] }
monitors:
  - { id: api-health, type: http, url: "${target}/health", interval: 1s, timeout: 500ms, recheck: 200ms }
${[1, 2, 3, 4, 5, 6].map((i) => `  - { id: web-${i}, type: http, url: "${web}/web-${i}", interval: 2s, timeout: 500ms }`).join("\n")}
  - { id: nightly, type: heartbeat, secret: "${heartbeatSecret}", interval: 3s, grace: 5s }
incidents: { publish: auto, monitor_after: 0s, resolve_after: 3s }
notifications:
  grouping: { group_wait: 0s, group_interval: 1s }
  channels:
    - { id: oncall, type: webhook, url: "${hook}/hook" }
  routes:
    - { channels: [oncall], match: { kind: "incident.*" } }
`;

interface Delivery {
  key: string;
  event: string;
  incident: string | undefined;
}

describe.skipIf(!postgres.available)("three nodes on one PostgreSQL", () => {
  let sink: HttpSink;
  let target: Target;
  let web: Target;

  // Each test has its own sink and targets: a test that timed out leaves nothing that another one would count.
  beforeEach(async () => {
    sink = await startHttpSink();
    target = await startTarget();
    web = await startTarget();
  }, 60_000);
  afterEach(async () => {
    await sink?.close();
    await target?.close();
    await web?.close();
  });

  const deliveries = (): Delivery[] =>
    sink.requests
      .filter((r) => r.path === "/hook")
      .map((r) => ({ key: String(r.headers["idempotency-key"]), event: (r.body as { event: string }).event, incident: (r.body as { incident?: { id: string } }).incident?.id }));

  for (const seed of seeds) {
    it(`opens one incident and loses no notification when the leader is killed during an outage (seed ${seed})`, async () => {
      const random = seeded(seed);
      sink.reset();
      web.setUp(true);
      const cluster: TestCluster = await startCluster(config(target.url, sink.url, web.url));
      try {
        await cluster.start("n1");
        // The nightly job pings every second through a follower (n2 or n3 first, as a load balancer would pick any node),
        // falling back to the next node when that one is gone.
        let pings = 0;
        const ping = async () => {
          for (const id of ["n2", "n3", "n1"]) {
            const node = cluster.nodes.get(id);
            if (!node || node.child.exitCode !== null || node.child.signalCode !== null) continue;
            const answered = await fetch(`${node.url}/api/v1/heartbeat/nightly`, { method: "POST", headers: { authorization: `Bearer ${heartbeatSecret}` } }).catch(() => undefined);
            if (answered?.status === 200) return void pings++;
          }
        };
        await cluster.start("n2");
        await ping();
        const pinger = setInterval(() => void ping().catch(() => undefined), 1_000);
        try {
          await cluster.start("n3");
          await expect.poll(async () => (await cluster.get("n1", "/api/v1/cluster"))?.json.nodes?.length, { timeout: 15_000, interval: 200 }).toBe(3);
          const first = (await cluster.leader())!;
          expect(first.node).toBe("n1");
          // Checks are spread: every node checks some of the eight monitors (a node started last shows a rate after a few
          // rounds of its checks; on a loaded machine that takes longer than 20 s).
          await expect.poll(async () => ((await cluster.get("n1", "/api/v1/cluster"))?.json.nodes as { checks_per_second: number }[]).every((n) => n.checks_per_second > 0), { timeout: 45_000, interval: 500 }).toBe(true);
          expect(pings).toBeGreaterThan(0);

          // The outage, and the leader killed at a random point of its first seconds.
          const downAt = Date.now();
          target.setUp(false);
          await new Promise((resolve) => setTimeout(resolve, Math.round(random() * 3_000)));
          await cluster.nodes.get(first.node)!.stop("SIGKILL");
          const survivor = ["n1", "n2", "n3"].find((id) => id !== first.node)!;

          // A new leader, in a new term, within the failover bound.
          await expect.poll(async () => (await cluster.leader())?.node ?? first.node, { timeout: 15_000, interval: 100 }).not.toBe(first.node);
          const second = (await cluster.leader())!;
          expect(second.term).toBeGreaterThan(first.term);

          // One incident for the outage, alerted at least once.
          await expect.poll(async () => (await cluster.get(survivor, "/api/v1/incidents?limit=10"))?.json.incidents?.length, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(1);
          await new Promise((resolve) => setTimeout(resolve, 3_000));
          const opened = (await cluster.get(survivor, "/api/v1/incidents?limit=10"))!.json.incidents as { id: string; name: string; components: unknown }[];
          expect(opened.map((i) => i.name)).toEqual(["Production API outage"]);
          await expect.poll(() => deliveries().some((d) => d.event === "incident.created"), { timeout: 30_000, interval: 200 }).toBe(true);

          // The killed node comes back as a follower; then the recovery, and the new leader killed too, at a random
          // point while the incident resolves: the resolution is delivered all the same.
          await cluster.start(first.node);
          target.setUp(true);
          const upAt = Date.now();
          await new Promise((resolve) => setTimeout(resolve, Math.round(random() * 4_000)));
          await cluster.nodes.get(second.node)!.stop("SIGKILL");
          const last = ["n1", "n2", "n3"].find((id) => id !== second.node && id !== first.node)!;
          await expect.poll(async () => (await cluster.get(last, "/api/v1/cluster"))?.json.leader?.node ?? second.node, { timeout: 15_000, interval: 100 }).not.toBe(second.node);
          const third = (await cluster.get(last, "/api/v1/cluster"))!.json.leader;
          expect(third.term).toBeGreaterThan(second.term);
          await expect.poll(() => deliveries().some((d) => d.event === "incident.resolved"), { timeout: 40_000, interval: 200 }).toBe(true);
          const incidents = (await cluster.get(last, "/api/v1/incidents?limit=10"))!.json.incidents as { id: string; status: string }[];
          expect(incidents).toHaveLength(1);
          expect(incidents[0]!.status).toBe("resolved");
          const all = deliveries();
          expect(new Set(all.map((d) => d.incident))).toEqual(new Set([incidents[0]!.id]));
          // Repeats only of the same notification (the same key), and counted.
          const byKey = new Map<string, number>();
          for (const d of all) byKey.set(d.key, (byKey.get(d.key) ?? 0) + 1);
          const repeats = [...byKey.values()].reduce((n, c) => n + c - 1, 0);
          console.log(`seed ${seed}: leader ${first.node} killed in the outage, ${second.node} in the recovery; ${third.node} leads in term ${third.term}; ${all.length} webhooks (${all.map((d) => d.event).join(", ")}), ${byKey.size} distinct, ${repeats} repeated`);
          expect(new Set(all.filter((d) => d.event === "incident.created").map((d) => d.key)).size).toBe(1);

          // The window: the API's component was impaired from about the outage to about the recovery.
          const windows = (await cluster.get(last, "/api/v1/windows?component=api"))!.json.windows as { start: string; end: string | null }[];
          expect(windows).toHaveLength(1);
          expect(Date.parse(windows[0]!.start)).toBeGreaterThanOrEqual(downAt - 2_000);
          expect(Date.parse(windows[0]!.start)).toBeLessThan(downAt + 5_000);
          expect(windows[0]!.end).not.toBeNull();
          expect(Date.parse(windows[0]!.end!)).toBeGreaterThanOrEqual(upAt - 1_000);

          // The heartbeat pinged through a follower all along kept its monitor up, whichever node checks it.
          const nightly = (await cluster.get(last, "/api/v1/monitors/nightly"))!.json;
          expect(nightly.state.status).toBe("up");
          expect((await cluster.get(last, "/api/v1/incidents?limit=10"))!.json.incidents).toHaveLength(1);
        } finally {
          clearInterval(pinger);
        }
      } finally {
        await cluster.dispose();
      }
    }, 150_000);
  }

  it("hands over on SIGTERM long before the lease would have run out, and the old leader writes nothing after", async () => {
    sink.reset();
    target.setUp(true);
    const cluster = await startCluster(config(target.url, sink.url, web.url));
    try {
      await cluster.start("a");
      await cluster.start("b");
      await expect.poll(async () => (await cluster.get("b", "/api/v1/cluster"))?.json.nodes?.length, { timeout: 15_000, interval: 100 }).toBe(2);
      const first = (await cluster.leader())!;
      expect(first.node).toBe("a");
      const other = "b";
      // A healthy follower is ready for the load balancer, and the command line shows the cluster through it.
      expect((await fetch(`${cluster.nodes.get(other)!.url}/readyz`)).status).toBe(200);
      const status = await runVigil(["cluster", "status", "--url", cluster.nodes.get(other)!.url, "--token", cluster.token]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`leader: a (term ${first.term}, since `);
      expect(status.stdout).toMatch(/^a\s+leader\s+\S+\s+\d+\.\d\d$/m);
      expect(status.stdout).toMatch(/^b\s+follower\s+/m);
      const json = JSON.parse((await runVigil(["cluster", "status", "--json", "--url", cluster.nodes.get(other)!.url, "--token", cluster.token])).stdout);
      expect(json.nodes.map((n: { node: string; role: string }) => [n.node, n.role])).toEqual([["a", "leader"], ["b", "follower"]]);
      const stoppedAt = Date.now();
      const exit = cluster.nodes.get("a")!.stop("SIGTERM");
      await expect.poll(async () => (await cluster.get(other, "/api/v1/cluster"))?.json.leader?.node, { timeout: 10_000, interval: 25 }).toBe(other);
      const handover = Date.now() - stoppedAt;
      console.log(`SIGTERM handover: ${handover} ms`);
      // The lease lasts 6 s: a handover well under it was made by the release, not by the expiry.
      expect(handover).toBeLessThan(3_000);
      const code = await Promise.race([exit, new Promise<string>((resolve) => setTimeout(() => resolve("still running"), 40_000).unref())]);
      if (code !== 0) throw new Error(`the stopped leader ended with ${code}; its last lines:\n${cluster.nodes.get("a")!.output().split("\n").slice(-40).join("\n")}`);
      const metrics = await fetch(`${cluster.nodes.get(other)!.url}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text());
      expect(metrics).toMatch(/^vigil_cluster_leader 1$/m);
      expect(metrics).toMatch(new RegExp(`^vigil_cluster_term ${first.term + 1}$`, "m"));
      // The native API answers on the new leader, and the CLI's view shows it.
      expect((await cluster.get(other, "/api/v1/incidents"))?.status).toBe(200);
    } finally {
      await cluster.dispose();
    }
  }, 150_000);

  it("steps down a leader cut off from PostgreSQL before a follower takes over, and refuses its held writes when the link heals", async () => {
    sink.reset();
    target.setUp(true);
    const cluster = await startCluster(config(target.url, sink.url, web.url));
    const direct = new URL(cluster.target.url!);
    const proxy = await startTcpProxy(Number(direct.port));
    const proxied = new URL(cluster.target.url!);
    proxied.port = String(proxy.port);
    let pinger: NodeJS.Timeout | undefined;
    const leads = async (id: string) => /^vigil_cluster_leader 1$/m.test(await fetch(`${cluster.nodes.get(id)!.url}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text()));
    try {
      await cluster.start("x", proxied.toString());
      await cluster.start("y");
      const ping = () => fetch(`${cluster.nodes.get("y")!.url}/api/v1/heartbeat/nightly`, { method: "POST", headers: { authorization: `Bearer ${heartbeatSecret}` } }).catch(() => undefined);
      await ping();
      pinger = setInterval(() => void ping(), 1_000);
      await expect.poll(async () => (await cluster.get("y", "/api/v1/cluster"))?.json.nodes?.length, { timeout: 15_000, interval: 100 }).toBe(2);
      const first = (await cluster.get("y", "/api/v1/cluster"))!.json.leader;
      expect(first.node).toBe("x");

      // The partition: x hears nothing from the database, and the database nothing from x.
      const cutAt = Date.now();
      proxy.cut();
      let deposedAt = 0;
      await expect.poll(async () => ((await leads("x")) ? 0 : (deposedAt ||= Date.now())), { timeout: 15_000, interval: 50 }).toBeGreaterThan(0);
      await expect.poll(async () => (await cluster.get("y", "/api/v1/cluster"))?.json.leader?.node, { timeout: 15_000, interval: 50 }).toBe("y");
      const second = (await cluster.get("y", "/api/v1/cluster"))!.json.leader;
      expect(second.term).toBeGreaterThan(first.term);
      // x stopped acting as leader before y's term began, and y took over within the failover bound.
      expect(deposedAt).toBeLessThan(Date.parse(second.since));
      expect(Date.parse(second.since) - cutAt).toBeLessThan(10_000);
      console.log(`partition: x stepped down after ${deposedAt - cutAt} ms; y leads after ${Date.parse(second.since) - cutAt} ms`);

      // An outage while x is cut off: y alone handles it.
      target.setUp(false);
      await expect.poll(async () => (await cluster.get("y", "/api/v1/incidents?limit=10"))?.json.incidents?.length, { timeout: 30_000, interval: 200 }).toBe(1);
      await expect.poll(() => deliveries().some((d) => d.event === "incident.created"), { timeout: 30_000, interval: 200 }).toBe(true);

      // The link heals: whatever x held back reaches the database; as a leader's, it is refused. x follows y.
      proxy.restore();
      target.setUp(true);
      await expect.poll(() => deliveries().some((d) => d.event === "incident.resolved"), { timeout: 40_000, interval: 200 }).toBe(true);
      // x is back: it reports itself again (y lists it live) and follows y. Its connections recover as each held one
      // is answered or ended (the server ends those left idle in a transaction), which a loaded machine makes slow.
      try {
        await expect.poll(async () => ((await cluster.get("y", "/api/v1/cluster"))?.json.nodes as { node: string }[] | undefined)?.map((n) => n.node).join(","), { timeout: 45_000, interval: 250 }).toBe("x,y");
      } catch (error) {
        throw new Error(`x did not come back after the partition healed; its last lines:\n${cluster.nodes.get("x")!.output().split("\n").slice(-40).join("\n")}`, { cause: error });
      }
      expect(await leads("x")).toBe(false);
      expect((await cluster.get("y", "/api/v1/cluster"))!.json.leader.node).toBe("y");
      const incidents = (await cluster.get("y", "/api/v1/incidents?limit=10"))!.json.incidents as { status: string }[];
      expect(incidents.map((i) => i.status)).toEqual(["resolved"]);
      expect(new Set(deliveries().filter((d) => d.event === "incident.created").map((d) => d.key)).size).toBe(1);
    } finally {
      clearInterval(pinger);
      if (process.env.VIGIL_CLUSTER_LOGS) for (const [id, n] of cluster.nodes) (await import("node:fs")).writeFileSync(`${process.env.VIGIL_CLUSTER_LOGS}/${id}.log`, n.output());
      await cluster.dispose();
      await proxy.close();
    }
  }, 120_000);
});
