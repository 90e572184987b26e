// How soon a responder hears, in a running Vigil with the default grouping (group_interval 1 min): a monitor checks a
// real local target that is made to fail and then to recover; the webhooks arrive at a real local receiver. The
// failure's messages go at once (group_wait 0), and so do the recovery's, the monitor's up and its incident's move to
// monitoring, although they come well within a group_interval of the failure's: a message that says the opposite of
// what was sent for its cause does not wait for the group's interval.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = (target: string, sink: string) => `
site: { name: Acme Status, url: "https://status.example.com" }
monitors:
  - { id: checkout-health, type: http, url: "${target}/health", interval: 2s, timeout: 1s }
components:
  - { id: checkout, name: Checkout, monitors: [checkout-health] }
notifications:
  channels:
    - { id: oncall, type: webhook, url: "${sink}/hook" }
`;

interface Hook {
  event: string;
  labels: Record<string, string>;
  incident: { id: string; status: string } | null;
}

describe("the webhooks of a failure and its recovery", () => {
  let sink: HttpSink;
  let test: TestVigil;
  let target: Server;
  let healthy = true;
  const hooks = () => sink.requests.filter((r) => r.path === "/hook").map((r) => ({ ...(r.body as Hook), at: r.at }));
  const hook = (match: (h: Hook) => boolean) => hooks().find(match);
  const monitorStatus = () => test.vigil.monitoring.status("checkout-health")?.status;
  /** When the monitor's latest `kind` event was appended (its confirmed change), in ms since the epoch. */
  const confirmedAt = async (kind: string) => {
    const [event] = await test.vigil.store.events.list({ kinds: [kind], newestFirst: true, limit: 1 });
    if (!event) throw new Error(`no ${kind} event`);
    return event.at.getTime();
  };

  beforeAll(async () => {
    target = createServer((_req, res) => void res.writeHead(healthy ? 200 : 500).end(healthy ? "ok" : "broken"));
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    sink = await startHttpSink();
    test = await startTestVigil(config(`http://127.0.0.1:${(target.address() as { port: number }).port}`, sink.url));
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
    await sink?.close();
    target?.closeAllConnections();
    await new Promise<void>((resolve) => target?.close(() => resolve()));
  });

  it("sends the down and the up webhooks each within 2 s of the confirmed change, the up well within the group interval", async () => {
    await expect.poll(monitorStatus, { timeout: 20_000, interval: 50 }).toBe("up");
    healthy = false;
    await expect.poll(monitorStatus, { timeout: 20_000, interval: 50 }).toBe("down");
    const down = await confirmedAt("monitor.down");
    await expect.poll(() => hook((h) => h.event === "monitor.down"), { timeout: 10_000, interval: 50 }).toBeDefined();
    await expect.poll(() => hook((h) => h.event === "incident.created"), { timeout: 10_000, interval: 50 }).toBeDefined();
    expect(hook((h) => h.event === "monitor.down")!.labels["monitor"]).toBe("checkout-health");
    const opened = hook((h) => h.event === "incident.created")!;
    expect(opened.at - down).toBeLessThan(2_000);

    healthy = true;
    await expect.poll(monitorStatus, { timeout: 20_000, interval: 50 }).toBe("up");
    const up = await confirmedAt("monitor.up");
    // The default group_interval is a minute: without the rule these would come a minute after the failure's.
    await expect.poll(() => hook((h) => h.event === "monitor.up"), { timeout: 10_000, interval: 50 }).toBeDefined();
    await expect.poll(() => hook((h) => h.incident?.status === "monitoring"), { timeout: 10_000, interval: 50 }).toBeDefined();
    const monitorUp = hook((h) => h.event === "monitor.up")!;
    const monitoring = hook((h) => h.incident?.status === "monitoring")!;
    expect(monitorUp.at - up).toBeLessThan(2_000);
    expect(monitoring.at - up).toBeLessThan(2_000);
    expect(monitoring.incident!.id).toBe(opened.incident!.id);
    expect(monitoring.event).toBe("incident.updated");
    // Within a group interval of the failure's webhooks: the recovery did not wait for it.
    expect(monitoring.at - opened.at).toBeLessThan(60_000);
    // Each message once, the failure's before the recovery's.
    // (The outage window's closing is told too: window.closed.)
    const events = hooks().map((h) => h.event).filter((e) => e !== "window.closed");
    expect([...events].sort()).toEqual(["incident.created", "incident.updated", "monitor.down", "monitor.up"]);
    expect(events.indexOf("monitor.down")).toBeLessThan(events.indexOf("monitor.up"));
    expect(events.indexOf("incident.created")).toBeLessThan(events.indexOf("incident.updated"));
  }, 60_000);
});
