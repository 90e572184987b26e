// A crash after detection saved a monitor's "down" (its state and its timeline event) but before the incident
// engine handled it: at the next start the outage must still get its incident. The crash is reproduced
// exactly, on both stores: Vigil runs once with the target up (so the engine has a cursor), then the store is
// given what monitoring writes when it confirms the outage (the state, computed by detection itself, and the
// event), and nothing else, as a SIGKILL right there would leave it. The target stays down, so no later check
// makes a new transition: only the timeline can tell the engine.
import { createServer, type Server } from "node:net";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { startVigil, type RunningVigil } from "../../src/app/start.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { detect } from "../../src/detection/detect.ts";
import { resolvePolicy } from "../../src/detection/policy.ts";
import { restoreState } from "../../src/detection/state.ts";
import type { MonitorState } from "../../src/detection/types.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";

const silent = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

describe.each(storeBackends())("a crash between the monitor's state and its incident, on $name", ({ name, available, reason }) => {
  const targets: StoreTarget[] = [];
  afterAll(async () => {
    for (const t of targets) await t.dispose();
  });

  it.skipIf(!available)(`opens the incident at the next start${available ? "" : ` (${reason})`}`, async () => {
    const target = await freshTarget(name);
    targets.push(target);
    const server: Server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const yaml = `
components:
  - { id: orders-db, name: Orders database, monitors: [orders-db] }
monitors:
  - { id: orders-db, type: tcp, host: 127.0.0.1, port: ${port}, interval: 1s, timeout: 500ms }
incidents: { publish: auto }
`;
    const parsed = parseConfigText(yaml, "vigil.yaml", {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const start = () =>
      startVigil({ config: parsed.config, configFile: "vigil.yaml", env: {}, host: "127.0.0.1", port: 0, dataDir: target.dataDir, databaseUrl: target.url, logger: silent, version: "0.0.0-test" });

    // First run: the target is up, the engine takes its cursor.
    let vigil: RunningVigil = await start();
    await expect.poll(() => vigil.monitoring.status("orders-db")?.status, { timeout: 10_000, interval: 50 }).toBe("up");
    await vigil.stop("first run over");

    // The target goes down; monitoring confirms it and writes the state and the event, then the process dies.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const store = await openStore({ url: target.url, dataDir: target.dataDir });
    const row = (await store.monitorStates.load()).find((r) => r.monitorId === "orders-db");
    let state: MonitorState | undefined = row ? restoreState(row.state, "orders-db") : undefined;
    expect(state?.status).toBe("up");
    const policy = resolvePolicy(1_000);
    let at = Date.now();
    let events: { kind: string; at: Date; data: Record<string, unknown> }[] = [];
    for (let i = 0; i < 5 && !events.some((e) => e.kind === "monitor.down"); i++) {
      at += 1_000;
      const outcome = detect(state, { monitorId: "orders-db", region: "local", at: new Date(at), status: "down", latencyMs: 1, facts: {}, error: { kind: "connect", message: "connection refused" } }, policy, new Date(at));
      state = outcome.state;
      events = outcome.events;
    }
    expect(events.map((e) => e.kind)).toContain("monitor.down");
    await store.monitorStates.save([{ monitorId: "orders-db", status: state!.status, state: state as unknown as Record<string, unknown>, updatedAt: new Date(at) }]);
    for (const e of events) await store.events.append({ at: e.at, kind: e.kind, subject: "orders-db", actor: "system", data: { region: "local", ...e.data } });
    await store.close();

    // The next start: the outage has its incident, with its first update and its publication.
    vigil = await start();
    try {
      await expect.poll(async () => (await vigil.store.incidents.list({ openOnly: true, limit: 10 })).map((i) => i.rootIds), { timeout: 15_000, interval: 100 }).toEqual([["orders-db"]]);
      const [incident] = await vigil.store.incidents.list({ openOnly: true, limit: 10 });
      expect(incident!.publishedAt).not.toBeNull();
      expect((await vigil.store.incidents.updates(incident!.id)).map((u) => u.status)).toEqual(["investigating"]);
      // No second incident from the checks that follow.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await vigil.store.incidents.list({ limit: 10 })).toHaveLength(1);
    } finally {
      await vigil.stop("test over");
    }
  }, 60_000);
});
