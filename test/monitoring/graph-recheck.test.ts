// The dependency graph checks itself: a database and four services behind it, checked every 40 s, all failing. The
// first monitor to confirm its failure brings its related monitors' checks forward, so the whole outage, root and
// impact, is confirmed within seconds of the first confirmation instead of one interval per monitor (first checks are
// spread over the interval, so without the rule the last would come up to 40 s later).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const services = ["api", "checkout", "search", "billing"];
const config = (sink: string) => `
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database, monitors: [orders-db-check] }
${services.map((s) => `  - { id: ${s}, name: ${s}, depends_on: [orders-db], monitors: [${s}-check] }`).join("\n")}
monitors:
${["orders-db", ...services].map((s) => `  - { id: ${s}-check, type: http, url: "${sink}/${s}", interval: 40s, timeout: 1s, recheck: 200ms }`).join("\n")}
`;

describe("graph re-checks", () => {
  let sink: HttpSink;
  let test: TestVigil;
  beforeAll(async () => {
    sink = await startHttpSink();
    sink.reply(() => ({ status: 500, body: "down" }));
    test = await startTestVigil(config(sink.url));
  }, 60_000);
  afterAll(async () => {
    await test?.dispose();
    await sink?.close();
  });

  it("confirms every related monitor within seconds of the first confirmed failure, and says why on the timeline", async () => {
    type Event = { id: string; at: string; kind: string; subject: string; data: { monitors?: string[] } };
    const events = async (kind: string): Promise<Event[]> => (await test.get(`/api/v1/events?kind=${kind}&limit=100`)).json.events;
    await expect.poll(async () => (await events("monitor.down")).length, { timeout: 70_000, interval: 200 }).toBe(5);
    const downs = (await events("monitor.down")).map((e) => ({ monitor: e.subject, at: Date.parse(e.at) }));
    const first = Math.min(...downs.map((d) => d.at));
    for (const d of downs) expect(d.at - first, d.monitor).toBeLessThan(5_000);
    // Every impacted service is confirmed within 3 s of the root's confirmation (or before it).
    const root = downs.find((d) => d.monitor === "orders-db-check")!.at;
    console.log(`graph re-check: downs after the first (ms): ${downs.map((d) => `${d.monitor} ${d.at - first}`).join(", ")}`);
    for (const d of downs) expect(d.at - root, d.monitor).toBeLessThan(3_000);

    // The first to confirm named the monitors it brought forward; each was checked early once, and counted.
    const rechecks = await events("monitor.graph_recheck");
    expect(rechecks.length).toBeGreaterThan(0);
    const firstDown = downs.find((d) => d.at === first)!.monitor;
    const byFirst = rechecks.find((e) => e.subject === firstDown)!;
    expect(byFirst.data.monitors!.length).toBeGreaterThan(0);
    expect(byFirst.data.monitors).not.toContain(firstDown);
    const metrics = await (await fetch(`${test.vigil.url}/metrics`, { headers: { authorization: `Bearer ${test.token}` } })).text();
    const early = Number(/^vigil_probe_early_checks_total\{reason="graph"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(early).toBe(rechecks.reduce((n, e) => n + e.data.monitors!.length, 0));
  }, 90_000);
});
