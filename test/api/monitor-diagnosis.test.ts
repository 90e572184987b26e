/**
 * The monitor API's diagnosis reads the whole current episode: a multi-region monitor that flaps records many
 * region re-checks, and those must not push an older restart out of what the diagnosis reads.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const configText = `
site: { name: Acme Status }
components:
  - id: orders-db
    name: Orders database
    monitors: [orders-db-tcp]
monitors:
  - id: orders-db-tcp
    type: tcp
    host: 127.0.0.1
    port: 9
    interval: 1h
    timeout: 2s
`;

for (const backend of storeBackends()) {
  let test: TestVigil;
  let target: StoreTarget;

  beforeAll(async () => {
    target = await freshTarget(backend.name);
    test = await startTestVigil(configText, { clock: new ManualClock("2026-11-25T12:00:00Z"), databaseUrl: target.url });
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
    await target?.dispose();
  });

  async function diagnosis(): Promise<{ diagnosis: string | null; evidence: { kind: string }[] }> {
    const response = await test.get("/api/v1/monitors/orders-db-tcp");
    expect(response.status).toBe(200);
    return response.json;
  }

  describe.skipIf(!backend.available)(`the monitor's diagnosis on ${backend.name}${backend.reason ? ` (skipped: ${backend.reason})` : ""}`, () => {
    it("still names a restart after more region re-checks than the evidence list shows", async () => {
      const at = (s: number) => new Date(Date.parse("2026-11-25T11:00:00Z") + s * 1000);
      const subject = "orders-db-tcp";
      await test.vigil.store.events.append({ at: at(0), kind: "monitor.up", subject, actor: "detection", data: {} });
      await test.vigil.store.events.append({
        at: at(10),
        kind: "monitor.restart",
        subject,
        actor: "detection",
        data: { restarted_at: at(8).toISOString(), last_seen_connections: 12, max_connections: 1000 },
      });
      await test.vigil.store.events.append({ at: at(11), kind: "monitor.down", subject, actor: "detection", data: { error: { kind: "connect", message: "connection refused" } } });
      // A flapping second region: one re-check per turn of its results, far more than the evidence list holds.
      await test.vigil.store.events.appendMany(
        Array.from({ length: 80 }, (_, i) => ({ at: at(20 + i), kind: "monitor.region_recheck", subject, actor: "detection", data: { region: "eu-west" } })),
      );
      const view = await diagnosis();
      expect(view.evidence.length).toBe(50);
      expect(view.evidence.some((e) => e.kind === "monitor.restart")).toBe(false);
      expect(view.diagnosis).toMatch(/restart/);
      expect(view.diagnosis).toMatch(/12 of 1,000/);
    });

    it("reads only the current episode: a recovery ends what the diagnosis says", async () => {
      await test.vigil.store.events.append({ at: new Date("2026-11-25T11:59:00Z"), kind: "monitor.up", subject: "orders-db-tcp", actor: "detection", data: {} });
      expect((await diagnosis()).diagnosis).toBeNull();
    });
  });
}
