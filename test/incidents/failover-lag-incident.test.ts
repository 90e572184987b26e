// A failover or a lagging replica reported while an incident is open is named first in the incident's evidence
// (GET /api/v1/incidents/:id) and in the postmortem draft written when the incident resolves. Detection's own
// observeServer turns a database check's facts into the events, which go on the timeline as monitoring writes them;
// the incident engine reads them there on a manual clock, so resolution comes without waiting.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { observeServer } from "../../src/detection/db-role.ts";
import type { CheckResult, DetectionEvent, ServerEvidence } from "../../src/detection/types.ts";
import type { Fact } from "../../src/probes/types.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

// A heartbeat monitor checks nothing by itself: the only events are those the test writes.
const configText = `
site: { name: Acme Status }
components:
  - { id: orders-db, name: Orders database, monitors: [orders-db] }
monitors:
  - { id: orders-db, type: heartbeat, secret: "heartbeat-0123456789abcdef", interval: 1h, grace: 5m }
incidents:
  resolve_after: 5m
`;

const limits = { saturation: 0.9, crashLoopRestarts: 3, crashLoopWindowMs: 10 * 60_000, maxReplicationLagMs: 2_000 };

describe("an incident's diagnosis of a failover and of a lagging replica", () => {
  let test: TestVigil;
  let clock: ManualClock;
  let timers: ManualTimers;
  let server: ServerEvidence | undefined;

  beforeEach(async () => {
    clock = new ManualClock("2026-01-01T13:20:00Z");
    timers = new ManualTimers(clock);
    server = undefined;
    test = await startTestVigil(configText, { clock, timers });
  }, 60_000);

  afterEach(async () => {
    await test?.dispose();
  });

  // As monitoring does: the events go on the timeline, and the engine is told to read them from there.
  const write = async (events: readonly { kind: DetectionEvent["kind"]; data: Record<string, unknown> }[]): Promise<void> => {
    const at = clock.now();
    await test.vigil.store.events.appendMany(events.map((e) => ({ at, kind: e.kind, subject: "orders-db", actor: "system", data: { region: "local", ...e.data } })));
    await test.vigil.incidents.detected();
  };
  /** One check of the database with these facts, through detection's evidence of the server behind the address. */
  const checked = async (status: CheckResult["status"], facts: Record<string, Fact>): Promise<void> => {
    const observed = observeServer(server, { monitorId: "orders-db", region: "local", at: clock.now(), status, latencyMs: 3, facts }, limits);
    server = observed.server;
    await write(observed.events);
  };
  const openIncident = async (): Promise<string> => {
    const { incidents } = (await test.get("/api/v1/incidents?open=true")).json as { incidents: { id: string }[] };
    expect(incidents).toHaveLength(1);
    return incidents[0]!.id;
  };
  const evidence = async (id: string): Promise<{ kind: string; text: string }[]> => (await test.get(`/api/v1/incidents/${id}`)).json.evidence;
  /** A responder resolves the incident; returns the postmortem draft written from its timeline then. */
  const resolvedPostmortem = async (id: string): Promise<string> => {
    expect((await test.send("POST", `/api/v1/incidents/${id}/updates`, { status: "resolved", body: "Fixed." })).status).toBe(201);
    const postmortem = await test.get(`/api/v1/incidents/${id}/postmortem`);
    expect(postmortem.status).toBe(200);
    return postmortem.json.body as string;
  };

  it("names a different server behind the address, now writable, as the failover", async () => {
    await checked("up", { serverId: "1", hostname: "db-a", writable: false });
    await timers.advance(10_000);
    await write([{ kind: "monitor.down", data: { error: { kind: "connect", message: "connect ECONNREFUSED 10.0.0.5:3306" } } }]);
    const id = await openIncident();
    expect((await evidence(id))[0]?.text).not.toMatch(/failover/);

    await timers.advance(10_000);
    await checked("up", { serverId: "2", hostname: "db-b", writable: true });
    const lines = await evidence(id);
    expect(lines[0]).toEqual({ kind: "diagnosis", component: "orders-db", text: "Orders database: failover: a different server (id 2, host db-b) answers since 13:20:20 UTC, now writable" });

    const body = await resolvedPostmortem(id);
    expect(body).toContain("Orders database: failover: a different server (id 2, host db-b) answers since 13:20:20 UTC, now writable");
  });

  it("names a replica behind its source as the lag", async () => {
    await checked("up", { serverId: "12", replicationLagS: 0, replicationRunning: true });
    await timers.advance(10_000);
    await write([{ kind: "monitor.degraded", data: { warning: "replica 40 s behind its source, above 2 s" } }]);
    const id = await openIncident();

    await timers.advance(10_000);
    await checked("degraded", { serverId: "12", replicationLagS: 40, replicationRunning: true });
    expect((await evidence(id))[0]).toEqual({ kind: "diagnosis", component: "orders-db", text: "Orders database: replica 40 s behind its source, above 2 s" });

    const body = await resolvedPostmortem(id);
    expect(body).toContain("Orders database: replica 40 s behind its source, above 2 s");
  });
});
