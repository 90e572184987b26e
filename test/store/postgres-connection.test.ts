// A PostgreSQL connection that dies while Vigil holds it between two queries (a transaction waiting on its own work,
// a network that drops the connection, the server restarted): the transaction fails, the process lives on, and the
// next work gets a new connection. pg emits 'error' on a checked-out client with no query running; with no listener,
// that error ends the process.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";

const postgres = storeBackends().find((b) => b.name === "postgres")!;
const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;

describe.skipIf(!postgres.available)("a PostgreSQL connection lost in the middle of a transaction", () => {
  let target: StoreTarget;
  let store: Store;
  beforeAll(async () => {
    target = await freshTarget("postgres");
    store = await openStore({ url: target.url, dataDir: target.dataDir });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
  });

  it("fails that transaction, and the store goes on with a new connection", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let began!: () => void;
    const begun = new Promise<void>((resolve) => (began = resolve));
    const unhandled: unknown[] = [];
    const onUncaught = (error: unknown) => void unhandled.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      const held = store.transaction(async (tx) => {
        await tx.events.append({ at: new Date(), kind: "test.held", actor: "system", data: {} });
        began();
        await gate;
        await tx.events.append({ at: new Date(), kind: "test.held", actor: "system", data: { after: true } });
      });
      const outcome = held.then(
        () => "committed",
        (error: Error) => `failed: ${error.message}`,
      );
      await begun;
      const sockets = openSockets();
      // The server ends the session that sits in the transaction (as a restart, or a dropped link, would).
      const admin = new pg.Client({ connectionString: target.url });
      await admin.connect();
      const ended = await admin.query("select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = current_database() and state = 'idle in transaction' and pid <> pg_backend_pid()");
      await admin.end();
      expect(ended.rows.map((r) => r.ok)).toEqual([true]);
      // The held connection's socket is closed on this side too (the admin's is gone as well): the client heard of it
      // while no query ran.
      await expect.poll(openSockets, { timeout: 5_000, interval: 10 }).toBeLessThan(sockets);
      release();
      expect(await outcome).toMatch(/^failed: /);
      expect(unhandled).toEqual([]);
      // Nothing of the failed transaction was stored, and the store works on.
      expect(await store.events.list({ kind: "test.held" })).toEqual([]);
      await store.events.append({ at: new Date(), kind: "test.after", actor: "system", data: {} });
      expect((await store.events.list({ kind: "test.after" })).length).toBe(1);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });
});
