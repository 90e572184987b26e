// The store contract: the same tests on the embedded PGlite and on a real PostgreSQL server.
import { cp, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.ts";
import { defaultMigrationsDir } from "../../src/store/migrate.ts";
import { openStore } from "../../src/store/open.ts";
import type { ActionRunRow, AgentReport, CatalogInput, NewAgentCheckResult, Store } from "../../src/store/types.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";

/** Every migration Vigil ships, in order: a new one is added here by hand, as the release notes would list it. */
const migrations = ["0001_foundation", "0002_results", "0003_incidents", "0004_maintenance_postmortem", "0005_outbox", "0006_subscribers_silences", "0007_cluster", "0008_token_publish_scope_expiry", "0009_agents", "0010_users", "0011_roles_audit", "0012_totp_invites", "0013_catalog_entries", "0014_action_runs", "0015_action_approvals", "0016_action_run_params", "0017_fanout_summary", "0018_retention"];

const t0 = new Date("2026-11-25T12:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const catalog = (overrides: Partial<CatalogInput> = {}): CatalogInput => ({
  components: [
    { id: "orders-db", name: "Orders database", group: "Infrastructure", description: null, position: 0, dependsOn: [], monitorIds: ["orders-db-mysql"], hidden: false },
    { id: "api", name: "Production API", group: null, description: "The API", position: 1, dependsOn: [{ id: "orders-db", soft: false }], monitorIds: [], hidden: false },
  ],
  monitors: [{ id: "orders-db-mysql", type: "mysql", name: null, intervalMs: 5000, timeoutMs: 2000, config: { url: "mysql://monitor@127.0.0.1:3306/", a: 1, b: { c: 2, d: 3 } } }],
  ...overrides,
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`store contract on ${backend.name}`, () => {
    let target: StoreTarget;
    let store: Store;

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      store = await openStore({ url: target.url, dataDir: target.dataDir });
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await target?.dispose();
    });

    it("is migrated on open and reports its kind", async () => {
      expect(store.kind).toBe(backend.name);
      expect(await store.migrationStatus()).toEqual({ applied: migrations, pending: [] });
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe("audit log", () => {
      it("appends and reads newest first, filtered by actor, action or operation, time, and page", async () => {
        const entry = (n: number, actor: string, action: string, operation: string) => ({ at: at(n), actor, via: "token" as const, tokenId: null, action, operation, targetKind: "incidents", targetId: `inc_${n}`, status: 200, summary: { n }, clientAddress: null });
        await store.audit.append(entry(1, "ada@example.com", "incidents.write", "createIncident"));
        await store.audit.append(entry(2, "deploy-bot", "silences.write", "createSilence"));
        await store.audit.append(entry(3, "ada@example.com", "incidents.write", "resolveIncident"));
        const targets = (rows: { targetId: string | null }[]) => rows.map((row) => row.targetId);
        expect(targets(await store.audit.list({}, 10))).toEqual(["inc_3", "inc_2", "inc_1"]);
        expect(targets(await store.audit.list({ actor: "ada@example.com" }, 10))).toEqual(["inc_3", "inc_1"]);
        expect(targets(await store.audit.list({ action: "incidents.write" }, 10))).toEqual(["inc_3", "inc_1"]);
        expect(targets(await store.audit.list({ action: "createSilence" }, 10))).toEqual(["inc_2"]);
        expect(targets(await store.audit.list({ since: at(2), until: at(2) }, 10))).toEqual(["inc_2"]);
        const first = await store.audit.list({}, 2);
        expect(targets(first)).toEqual(["inc_3", "inc_2"]);
        expect(targets(await store.audit.list({}, 2, first.at(-1)?.id))).toEqual(["inc_1"]);
        expect((await store.audit.list({ actor: "deploy-bot" }, 1))[0]).toMatchObject({ via: "token", summary: { n: 2 }, status: 200 });
      });
    });

    describe("tokens", () => {
      it("creates, reads, lists newest first, touches forward only and revokes once", async () => {
        await store.tokens.create({ id: "tok_aaaaaaaaaaa1", name: "first", scope: "read", secretHash: "aa".repeat(32), createdAt: at(1) });
        await store.tokens.create({ id: "tok_aaaaaaaaaaa2", name: "second", scope: "publish", secretHash: "bb".repeat(32), createdAt: at(2), expiresAt: at(99) });
        expect(await store.tokens.get("tok_aaaaaaaaaaa1")).toEqual({
          id: "tok_aaaaaaaaaaa1", name: "first", scope: "read", role: "viewer", ownerUserId: null, secretHash: "aa".repeat(32), createdAt: at(1), lastUsedAt: null, revokedAt: null, expiresAt: null, region: null,
        });
        expect((await store.tokens.get("tok_aaaaaaaaaaa2"))?.expiresAt).toEqual(at(99));
        expect(await store.tokens.get("tok_missing00000")).toBeUndefined();
        expect((await store.tokens.list()).map((t) => t.id).slice(0, 2)).toEqual(["tok_aaaaaaaaaaa2", "tok_aaaaaaaaaaa1"]);

        await store.tokens.touch("tok_aaaaaaaaaaa1", at(10));
        await store.tokens.touch("tok_aaaaaaaaaaa1", at(5));
        expect((await store.tokens.get("tok_aaaaaaaaaaa1"))?.lastUsedAt).toEqual(at(10));

        expect(await store.tokens.revoke("tok_aaaaaaaaaaa1", at(20))).toBe(true);
        expect(await store.tokens.revoke("tok_aaaaaaaaaaa1", at(21))).toBe(false);
        expect((await store.tokens.get("tok_aaaaaaaaaaa1"))?.revokedAt).toEqual(at(20));
      });

      it("keeps an agent token's region, and the database refuses an agent token without one", async () => {
        await store.tokens.create({ id: "tok_agentagent01", name: "eu", scope: "agent", secretHash: "ee".repeat(32), createdAt: at(1), region: "eu-west" });
        expect(await store.tokens.get("tok_agentagent01")).toMatchObject({ scope: "agent", region: "eu-west" });
        await expect(store.tokens.create({ id: "tok_agentagent02", name: "no region", scope: "agent", secretHash: "ff".repeat(32), createdAt: at(1) })).rejects.toThrow();
        await expect(store.tokens.create({ id: "tok_agentagent03", name: "read with region", scope: "read", secretHash: "ab".repeat(32), createdAt: at(1), region: "eu-west" })).rejects.toThrow();
      });

      it("refuses a duplicate id as a conflict", async () => {
        await store.tokens.create({ id: "tok_dupdupdupdup", name: "a", scope: "read", secretHash: "cc".repeat(32), createdAt: at(1) });
        const error = await rejection(store.tokens.create({ id: "tok_dupdupdupdup", name: "b", scope: "read", secretHash: "dd".repeat(32), createdAt: at(2) }));
        expect(error.code).toBe("conflict");
      });
    });

    describe("agents", () => {
      const report = (over: Partial<AgentReport> = {}): AgentReport => ({
        id: "agt_one", region: "eu-west", tokenId: "tok_x", version: "1.0.0", hostname: "probe-1", startedAt: at(1), bufferResults: 0, bufferDropped: 0, checksPerSecond: 2, ...over,
      });
      const result = (seq: number, agent = "agt_one"): NewAgentCheckResult => ({
        agent, seq, monitorId: "api", region: "eu-west", at: at(seq), status: seq % 2 === 0 ? "down" : "up", latencyMs: seq, facts: { status: 200 }, ...(seq % 2 === 0 ? { error: { kind: "connect", message: "refused" }, warning: "slow" } : {}),
      });

      it("stores each (agent, seq) once, reads them back by id after a cursor, and keeps the agent's latest report", async () => {
        const cursor = await store.agents.cursorSince(new Date(Date.now() - 60_000));
        expect(await store.transaction((tx) => tx.agents.ingest([result(1), result(2)], report()))).toBe(2);
        // The same batch again (an acknowledgement lost on the way back), and one more result: only that one is new.
        expect(await store.transaction((tx) => tx.agents.ingest([result(1), result(2), result(3)], report({ bufferResults: 7 })))).toBe(1);
        // Another agent may use the same sequence numbers.
        expect(await store.transaction((tx) => tx.agents.ingest([result(1, "agt_two")], report({ id: "agt_two" })))).toBe(1);
        const rows = await store.agents.resultsAfter(cursor, 10);
        expect(rows.map((r) => [r.agent, r.seq])).toEqual([["agt_one", 1], ["agt_one", 2], ["agt_one", 3], ["agt_two", 1]]);
        expect(rows[1]).toMatchObject({ monitorId: "api", region: "eu-west", status: "down", error: { kind: "connect", message: "refused" }, warning: "slow", facts: { status: 200 } });
        expect(rows[0]?.error).toBeUndefined();
        expect(await store.agents.resultsAfter(rows[1]!.id, 1)).toEqual([rows[2]]);
        // Ordinary results of the server's own checks are not agents' results.
        await store.results.insertMany([{ monitorId: "api", region: "local", at: at(9), status: "up", latencyMs: 1, facts: {} }]);
        expect(await store.agents.resultsAfter(rows[3]!.id, 10)).toEqual([]);
        const agents = await store.agents.list();
        expect(agents.find((a) => a.id === "agt_one")).toMatchObject({ region: "eu-west", bufferResults: 7, lastSeq: 3, version: "1.0.0" });
        // A cursor from a moment in the future reads nothing that is already there.
        expect(await store.agents.resultsAfter(await store.agents.cursorSince(new Date(Date.now() + 60_000)), 10)).toEqual([]);
      });
    });

    describe("catalog", () => {
      it("adds, leaves alone, changes, removes and brings back entries, recording each sync that changed something", async () => {
        expect(await store.catalog.sync(catalog(), at(0), "system")).toEqual({
          added: ["component:orders-db", "component:api", "monitor:orders-db-mysql"], changed: [], removed: [],
        });
        const components = await store.catalog.components();
        expect(components.map((c) => c.id)).toEqual(["orders-db", "api"]);
        expect(components[1]).toMatchObject({ dependsOn: [{ id: "orders-db", soft: false }], description: "The API", createdAt: at(0), removedAt: null });
        expect(await store.catalog.monitor("orders-db-mysql")).toEqual((await store.catalog.monitors())[0]);
        expect(await store.catalog.monitor("nope")).toBeUndefined();
        expect((await store.catalog.monitors())[0]).toMatchObject({ type: "mysql", intervalMs: 5000, config: { url: "mysql://monitor@127.0.0.1:3306/", a: 1, b: { c: 2, d: 3 } } });

        // The same catalog again, with JSON keys in another order: nothing changed, no event.
        const reordered = catalog();
        reordered.monitors[0]!.config = { b: { d: 3, c: 2 }, a: 1, url: "mysql://monitor@127.0.0.1:3306/" };
        const eventsBefore = (await store.events.list({ kind: "catalog.synced" })).length;
        expect(await store.catalog.sync(reordered, at(10), "system")).toEqual({ added: [], changed: [], removed: [] });
        expect(await store.events.list({ kind: "catalog.synced" })).toHaveLength(eventsBefore);

        const renamed = catalog();
        renamed.components[1]!.name = "Public API";
        renamed.components = [renamed.components[1]!];
        renamed.components[0]!.dependsOn = [];
        const diff = await store.catalog.sync(renamed, at(20), "token:tok_x");
        expect(diff).toEqual({ added: [], changed: ["component:api"], removed: ["component:orders-db"] });
        expect((await store.catalog.components()).map((c) => c.id)).toEqual(["api"]);
        const all = await store.catalog.components({ includeRemoved: true });
        expect(all.find((c) => c.id === "orders-db")?.removedAt).toEqual(at(20));
        expect(all.find((c) => c.id === "api")).toMatchObject({ name: "Public API", createdAt: at(0), updatedAt: at(20) });
        const event = (await store.events.list({ kind: "catalog.synced" })).at(-1);
        expect(event).toMatchObject({ actor: "token:tok_x", at: at(20), data: diff });

        expect(await store.catalog.sync(catalog(), at(30), "system")).toEqual({ added: ["component:orders-db"], changed: ["component:api"], removed: [] });
        expect((await store.catalog.components()).find((c) => c.id === "orders-db")).toMatchObject({ createdAt: at(0), removedAt: null });
      });
    });

    describe("events", () => {
      it("appends and pages by id, filtering by kind and subject", async () => {
        const appended = [];
        for (let i = 0; i < 5; i++) {
          appended.push(await store.events.append({ at: at(100 + i), kind: i % 2 ? "test.odd" : "test.even", subject: `s${i % 2}`, actor: "system", data: { i } }));
        }
        expect(appended[0]).toMatchObject({ at: at(100), kind: "test.even", subject: "s0", actor: "system", data: { i: 0 } });
        expect(appended.map((e) => BigInt(e.id))).toEqual([...appended.map((e) => BigInt(e.id))].sort((a, b) => (a < b ? -1 : 1)));
        const odd = await store.events.list({ kind: "test.odd" });
        expect(odd.map((e) => e.data["i"])).toEqual([1, 3]);
        const page = await store.events.list({ afterId: appended[1]!.id, limit: 2 });
        expect(page.map((e) => e.id)).toEqual([appended[2]!.id, appended[3]!.id]);
        expect((await store.events.list({ subject: "s0", afterId: appended[0]!.id })).map((e) => e.data["i"])).toEqual([2, 4]);
        const noSubject = await store.events.append({ at: at(200), kind: "test.bare", actor: "system" });
        expect(noSubject).toMatchObject({ subject: null, data: {} });
      });

      it("leaves out the kinds that start with a prefix, in the database", async () => {
        const [before] = await store.events.list({ newestFirst: true, limit: 1 });
        await store.events.appendMany(["test.kept", "skipped.one", "skipped.two", "test.kept_too", "skippedx.kept"].map((kind, i) => ({ at: at(300 + i), kind, subject: "p", actor: "system" })));
        const after = before?.id ?? "0";
        const read = await store.events.list({ afterId: after, exceptKindPrefix: "skipped." });
        expect(read.map((e) => e.kind)).toEqual(["test.kept", "test.kept_too", "skippedx.kept"]);
        // A prefix is literal: "_" and "%" match only themselves.
        expect((await store.events.list({ afterId: after, exceptKindPrefix: "test.kept_" })).map((e) => e.kind)).toEqual(["test.kept", "skipped.one", "skipped.two", "skippedx.kept"]);
      });

      it("hands a cursor reader every event exactly once while many writers commit concurrently", async () => {
        // The dispatcher and the incident engine read `afterId: cursor` and move the cursor to the last id read.
        // Ids are taken when a transaction appends, not when it commits: the store must make them visible in order.
        const writers = 8;
        const perWriter = 40;
        let writing = true;
        const seen = new Map<string, number>();
        const start = (await store.events.list({ newestFirst: true, limit: 1 }))[0]?.id ?? "0";
        const reader = (async () => {
          let cursor = start;
          for (;;) {
            const done = !writing;
            const page = await store.events.list({ afterId: cursor, kind: "test.concurrent", limit: 50 });
            for (const e of page) seen.set(String(e.data["key"]), (seen.get(String(e.data["key"])) ?? 0) + 1);
            const next = (await store.events.list({ afterId: cursor, limit: 50 })).at(-1)?.id;
            // The cursor moves over every kind, as the dispatcher's does, but only as far as this page read.
            if (page.length > 0) cursor = page.at(-1)!.id;
            else if (next !== undefined && done) cursor = next;
            if (done && page.length === 0) return;
          }
        })();
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < perWriter; i++) {
              await store.transaction(async (tx) => {
                await tx.events.append({ at: at(300), kind: "test.concurrent", actor: "system", data: { key: `${w}:${i}` } });
                // Hold the transaction open a little, as a real one does between its append and its commit.
                await new Promise((resolve) => setTimeout(resolve, (w * 7 + i * 3) % 5));
              });
            }
          }),
        );
        writing = false;
        await reader;
        expect(seen.size).toBe(writers * perWriter);
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
      });

      it("reads the status changes of the outage windows overlapping a time range, per component", async () => {
        const change = (component: string, seconds: number, from: string, to: string) => ({ at: at(1000 + seconds), kind: "component.status_changed", subject: component, actor: "system", data: { component, from, to } });
        await store.events.appendMany([
          change("wa", 10, "operational", "major_outage"),
          change("wa", 20, "major_outage", "operational"),
          change("wa", 30, "operational", "partial_outage"),
          change("wb", 35, "operational", "degraded_performance"),
          change("wa", 40, "partial_outage", "major_outage"),
          change("wa", 50, "major_outage", "operational"),
          change("wb", 55, "degraded_performance", "operational"),
          change("wa", 60, "operational", "major_outage"),
        ]);
        const read = async (query: { componentIds?: string[]; from?: number; to?: number }) =>
          (await store.events.statusChanges({ ...(query.componentIds ? { componentIds: query.componentIds } : {}), ...(query.from !== undefined ? { from: at(1000 + query.from) } : {}), ...(query.to !== undefined ? { to: at(1000 + query.to) } : {}) }))
            .map((e) => `${e.subject}@${(e.at.getTime() - at(1000).getTime()) / 1000}`);
        expect(await read({ componentIds: ["wa"], from: 45, to: 55 })).toEqual(["wa@30", "wa@40", "wa@50"]);
        expect(await read({ componentIds: ["wa"], from: 65 })).toEqual(["wa@60"]);
        expect(await read({ componentIds: ["wa"], to: 35 })).toEqual(["wa@10", "wa@20", "wa@30", "wa@40", "wa@50"]);
        expect(await read({ componentIds: ["wa", "wb"], from: 45, to: 55 })).toEqual(["wa@30", "wb@35", "wa@40", "wa@50", "wb@55"]);
        expect(await read({ componentIds: [] })).toEqual([]);
        expect((await read({})).filter((e) => e.startsWith("wa@") || e.startsWith("wb@"))).toHaveLength(8);
      });

      it("reads each component's status change in force at a time and the changes since, nothing older", async () => {
        const change = (component: string, seconds: number, from: string, to: string) => ({ at: at(2000 + seconds), kind: "component.status_changed", subject: component, actor: "system", data: { component, from, to } });
        await store.events.appendMany([
          change("sa", 10, "operational", "major_outage"),
          change("sa", 20, "major_outage", "operational"),
          change("sb", 25, "operational", "degraded_performance"),
          change("sa", 30, "operational", "partial_outage"),
          { at: at(2031), kind: "component.status_overridden", subject: "sa", actor: "system", data: {} },
          change("sa", 40, "partial_outage", "operational"),
          change("sc", 45, "operational", "major_outage"),
          change("sb", 50, "degraded_performance", "operational"),
        ]);
        const read = async (from: number, ids: string[]) =>
          (await store.events.statusChangesSince(at(2000 + from), ids)).map((e) => `${e.subject}@${(e.at.getTime() - at(2000).getTime()) / 1000}`);
        // sa: its change at 30 is in force at 35; sb: its change at 25; sc has none before 35.
        expect(await read(35, ["sa", "sb", "sc"])).toEqual(["sb@25", "sa@30", "sa@40", "sc@45", "sb@50"]);
        expect(await read(35, ["sa"])).toEqual(["sa@30", "sa@40"]);
        expect(await read(60, ["sa", "sb", "sc", "unknown"])).toEqual(["sa@40", "sc@45", "sb@50"]);
        expect(await read(0, ["sa", "sa"])).toEqual(["sa@10", "sa@20", "sa@30", "sa@40"]);
        expect(await read(35, [])).toEqual([]);
      });

      it("reads the newest event of a kind per subject, however old", async () => {
        await store.events.append({ at: at(1), kind: "test.latest", subject: "old", actor: "system", data: { n: 1 } });
        await store.events.appendMany(Array.from({ length: 30 }, (_, i) => ({ at: at(2 + i), kind: "test.latest", subject: i % 2 ? "odd" : "even", actor: "system", data: { n: 2 + i } })));
        const latest = await store.events.latestPerSubject("test.latest");
        expect(latest.map((e) => [e.subject, e.data["n"]])).toEqual([["old", 1], ["even", 30], ["odd", 31]]);
      });

      it("rejects a bad cursor or limit as a bad request", async () => {
        expect((await rejection(store.events.list({ afterId: "x" }))).code).toBe("bad_request");
        expect((await rejection(store.events.list({ afterId: "99999999999999999999" }))).code).toBe("bad_request");
        expect((await rejection(store.events.list({ limit: 0 }))).code).toBe("bad_request");
      });
    });

    describe("check results, rollups and detection state", () => {
      const result = (monitorId: string, seconds: number, status: "up" | "degraded" | "down", latencyMs: number) => ({
        monitorId, region: "local", at: at(seconds), status, latencyMs, facts: { status: 200 }, ...(status === "down" ? { error: { kind: "timeout", message: "no response" } } : {}),
      });

      it("writes results in batches and reads them back newest first within a window", async () => {
        await store.results.insertMany([result("r1", 0, "up", 10), result("r1", 30, "down", 2000), result("r1", 60, "up", 12), result("r2", 30, "up", 5)]);
        await store.results.insertMany([]);
        const all = await store.results.list("r1", { limit: 10 });
        expect(all.map((r) => r.at)).toEqual([at(60), at(30), at(0)]);
        expect(all[1]).toMatchObject({ status: "down", latencyMs: 2000, error: { kind: "timeout", message: "no response" }, facts: { status: 200 } });
        expect(all[0]?.error).toBeNull();
        expect((await store.results.list("r1", { from: at(30), to: at(60), limit: 10 })).map((r) => r.at)).toEqual([at(30)]);
        expect(await store.results.list("r1", { limit: 1 })).toHaveLength(1);
      });

      it("writes a batch larger than one statement can carry (65,535 parameters)", async () => {
        const rows = Array.from({ length: 10_000 }, (_, i) => result("big", i, "up", 1));
        await store.results.insertMany(rows);
        expect(await store.results.list("big", { limit: 10_000 })).toHaveLength(10_000);
      });

      it("saves more detection states at once than one statement can carry (shutdown with 20,000 monitors)", async () => {
        const rows = Array.from({ length: 20_000 }, (_, i) => ({ monitorId: `m${i}`, status: "up", state: { n: i }, updatedAt: at(0) }));
        await store.monitorStates.save(rows);
        expect(await store.monitorStates.load()).toHaveLength(20_000);
        expect((await store.monitorStates.load({ monitorIds: ["m7", "m19999", "nope"] })).map((r) => r.monitorId).sort()).toEqual(["m19999", "m7"]);
      });

      it("finds the buckets of results stored after a cursor whose check time is older than a bound, and rolls up only given monitors", async () => {
        const { upToId: cursor } = await store.results.lateSince("0", at(0));
        expect((await store.results.lateSince(cursor, at(100_000))).buckets).toEqual([]);
        await store.results.insertMany([result("late-a", -7200, "down", 1), result("late-a", -7170, "up", 1), result("late-b", -7140, "up", 1), result("late-a", 10, "up", 1), result("late-b", -30, "up", 1)]);
        const late = await store.results.lateSince(cursor, at(-60));
        expect(late.buckets.map((b) => [b.monitorId, b.minute.toISOString()])).toEqual([
          ["late-a", "2026-11-25T10:00:00.000Z"],
          ["late-b", "2026-11-25T10:01:00.000Z"],
        ]);
        expect(BigInt(late.upToId)).toBeGreaterThan(BigInt(cursor));
        expect(await store.results.lateSince(late.upToId, at(100_000))).toEqual({ upToId: late.upToId, buckets: [] });

        await store.rollups.compute("minute", at(-7200), at(0), ["late-a"]);
        expect((await store.rollups.list("late-a", "minute", at(-7200), at(0))).map((m) => [m.checks, m.failures])).toEqual([[2, 1]]);
        expect(await store.rollups.list("late-b", "minute", at(-7200), at(0))).toEqual([]);
        expect(await store.rollups.compute("minute", at(-7200), at(0), [])).toBe(0);
      });

      it("reuses the space of rollups recomputed again and again once vacuumed, instead of growing with every round", async () => {
        const monitors = Array.from({ length: 3000 }, (_, i) => `vac${i}`);
        await store.results.insertMany(monitors.map((id, i) => result(id, 200_000 + (i % 50), "up", 1)));
        const size = async () => (await store.stats.tables()).find((t) => t.name === "check_rollups")!.bytes;
        const rounds = async (n: number) => {
          for (let i = 0; i < n; i++) await store.rollups.compute("minute", at(200_000), at(200_060), monitors);
          await store.stats.vacuum();
          return size();
        };
        // The table and its index settle after a few cycles (an index page emptied by one vacuum is reused after the next).
        await rounds(4);
        await rounds(4);
        const settled = await rounds(4);
        // Each further cycle rewrites every row four more times (without a vacuum the table grew by a third each time).
        for (let i = 0; i < 3; i++) expect(await rounds(4)).toBeLessThanOrEqual(settled);
      });

      it("prunes results and rollups in statements of a given size until none is left past the cutoff", async () => {
        await store.results.insertMany(Array.from({ length: 7 }, (_, i) => result("pb", -90_000 - i * 60, "up", 1)));
        await store.results.insertMany([result("pb", 10, "up", 1)]);
        await store.rollups.compute("minute", at(-100_000), at(100), ["pb"]);
        await store.rollups.compute("hour", at(-100_000), at(3600), ["pb"]);
        expect(await store.results.prune(at(-80_000), 2)).toBe(7);
        expect((await store.results.list("pb", { limit: 10 })).map((r) => r.at)).toEqual([at(10)]);
        // Per bucket: the minutes before the cutoff go, the hours stay.
        expect(await store.rollups.prune({ minute: at(-80_000), hour: at(-200_000), day: at(-200_000) }, 2)).toBe(7);
        expect((await store.rollups.list("pb", "hour", at(-100_000), at(100))).map((r) => r.checks)).toEqual([6, 1, 1]);
        expect(await store.rollups.prune(at(-80_000), 2)).toBe(2);
        expect((await store.rollups.list("pb", "minute", at(-100_000), at(100))).map((r) => r.start)).toEqual([at(0)]);
      });

      it("rolls results up per minute, hour and day, idempotently, and prunes by age", async () => {
        // 2026-11-25T12:00:00Z is the start of a minute, an hour and a day bucket's hour.
        const rows = [];
        for (let i = 0; i < 20; i++) rows.push(result("ru", i * 3, i % 10 === 0 ? "down" : i % 5 === 0 ? "degraded" : "up", i + 1));
        rows.push(result("ru", 90, "up", 100));
        await store.results.insertMany(rows);
        for (const bucket of ["minute", "hour", "day"] as const) {
          await store.rollups.compute(bucket, at(-3600 * 24), at(3600 * 24));
          await store.rollups.compute(bucket, at(-3600 * 24), at(3600 * 24));
        }
        const minutes = await store.rollups.list("ru", "minute", at(0), at(3600));
        expect(minutes.map((m) => [m.start, m.checks, m.failures, m.degraded])).toEqual([
          [at(0), 20, 2, 2],
          [at(60), 1, 0, 0],
        ]);
        expect(minutes[0]?.latencyP50).toBeCloseTo(10.5, 5);
        expect(minutes[0]?.latencyP95).toBeCloseTo(19.05, 5);
        const hours = await store.rollups.list("ru", "hour", at(0), at(3600));
        expect(hours.map((h) => [h.checks, h.failures])).toEqual([[21, 2]]);
        const days = await store.rollups.list("ru", "day", at(-3600 * 12), at(3600 * 12));
        expect(days.map((d) => [d.start.toISOString(), d.checks])).toEqual([["2026-11-25T00:00:00.000Z", 21]]);

        expect(await store.results.prune(at(60))).toBeGreaterThanOrEqual(20);
        expect(await store.results.list("ru", { limit: 100 })).toHaveLength(1);
        expect(await store.rollups.prune(at(60))).toBeGreaterThanOrEqual(3);
        expect(await store.rollups.list("ru", "minute", at(0), at(3600))).toHaveLength(1);
      });

      it("saves and reloads detection state", async () => {
        await store.monitorStates.save([{ monitorId: "s1", status: "down", state: { regions: { local: { n: 2 } } }, updatedAt: at(1) }]);
        await store.monitorStates.save([{ monitorId: "s1", status: "up", state: { regions: { local: { n: 0 } } }, updatedAt: at(2) }]);
        const states = await store.monitorStates.load();
        expect(states.find((s) => s.monitorId === "s1")).toEqual({ monitorId: "s1", status: "up", state: { regions: { local: { n: 0 } } }, updatedAt: at(2) });
      });
    });

    describe("incidents", () => {
      const incident = (id: string, startedAt: Date, status = "investigating") => ({
        id, name: `Outage ${id}`, status, impact: "major", impactOverride: null, rootIds: ["orders-db"], impactedIds: ["api", "checkout"],
        startedAt, earliestPossibleStart: new Date(startedAt.getTime() - 5000), monitoringAt: null, resolvedAt: null, publishedAt: null,
        manual: false, hold: false, publishAt: null, postmortemBody: null, postmortemPublishedAt: null, createdAt: startedAt, updatedAt: startedAt,
      });

      it("creates, reads, lists newest first (open ones alone on request) and updates incidents", async () => {
        await store.incidents.create(incident("inc_a", at(1000)));
        await store.incidents.create(incident("inc_b", at(2000)));
        await store.incidents.create(incident("inc_c", at(500), "resolved"));
        expect(await store.incidents.get("inc_a")).toEqual(incident("inc_a", at(1000)));
        expect(await store.incidents.get("inc_none")).toBeUndefined();
        expect((await store.incidents.list({ limit: 10 })).map((i) => i.id)).toEqual(["inc_b", "inc_a", "inc_c"]);
        expect((await store.incidents.list({ openOnly: true, limit: 10 })).map((i) => i.id)).toEqual(["inc_b", "inc_a"]);
        const updated = await store.incidents.update("inc_a", { status: "monitoring", monitoringAt: at(1100), rootIds: ["dns"], updatedAt: at(1100) });
        expect(updated).toMatchObject({ id: "inc_a", status: "monitoring", monitoringAt: at(1100), rootIds: ["dns"], impactedIds: ["api", "checkout"] });
        expect((await rejection(store.incidents.update("inc_none", { status: "resolved" }))).code).toBe("not_found");
        expect((await rejection(store.incidents.create(incident("inc_a", at(3000))))).code).toBe("conflict");
      });

      it("keeps an incident's updates in order, and refuses one for an unknown incident", async () => {
        await store.incidents.create(incident("inc_u", at(4000)));
        const update = (id: string, s: number, status: string) => ({
          id, incidentId: "inc_u", status, body: `**${status}**`, actor: "system", deliverNotifications: true, displayAt: at(s), createdAt: at(s),
          affectedComponents: [{ code: "api", name: "Production API", old_status: "operational", new_status: "major_outage" }],
        });
        await store.incidents.addUpdate(update("upd_2", 4010, "identified"));
        await store.incidents.addUpdate(update("upd_1", 4000, "investigating"));
        expect((await store.incidents.updates("inc_u")).map((u) => [u.id, u.status])).toEqual([["upd_1", "investigating"], ["upd_2", "identified"]]);
        expect((await store.incidents.updates("inc_u"))[0]?.affectedComponents[0]).toEqual({ code: "api", name: "Production API", old_status: "operational", new_status: "major_outage" });
        expect((await rejection(store.incidents.addUpdate({ ...update("upd_x", 4020, "resolved"), incidentId: "inc_none" }))).code).toBe("not_found");
        expect((await store.incidents.updatesOf(["inc_u", "inc_none"])).map((u) => u.id)).toEqual(["upd_1", "upd_2"]);
        expect(await store.incidents.updatesOf([])).toEqual([]);
      });

      it("filters incidents by status, component and the time they were open", async () => {
        await store.incidents.create({ ...incident("inc_f1", at(10_000)), rootIds: ["dns"], impactedIds: [] });
        await store.incidents.create({ ...incident("inc_f2", at(11_000), "resolved"), resolvedAt: at(12_000) });
        await store.incidents.create({ ...incident("inc_f3", at(20_000)), rootIds: ["cdn"], impactedIds: ["web"] });
        const ids = async (options: Parameters<typeof store.incidents.list>[0]) => (await store.incidents.list(options)).map((i) => i.id).filter((id) => id.startsWith("inc_f"));
        expect(await ids({ componentId: "web", limit: 50 })).toEqual(["inc_f3"]);
        expect(await ids({ componentId: "checkout", limit: 50 })).toEqual(["inc_f2"]);
        expect(await ids({ statuses: ["resolved"], limit: 50 })).toEqual(["inc_f2"]);
        // Open at some time in [from, to): f2 ended at 12 000, f3 began at 20 000.
        expect(await ids({ from: at(12_500), to: at(19_000), limit: 50 })).toEqual(["inc_f1"]);
        expect(await ids({ from: at(12_000), to: at(20_001), limit: 50 })).toEqual(["inc_f3", "inc_f2", "inc_f1"]);
      });
    });

    describe("outbox", () => {
      const delivery = (eventId: string, destination: string, orderKey: string, next = 0) => ({
        eventId, destination, idempotencyKey: `${eventId}:${destination}`, orderKey, nextAttemptAt: at(next), message: { kind: "incident.created", n: Number(eventId) }, createdAt: at(0),
      });

      it("keeps a named cursor, moving it by upsert", async () => {
        expect(await store.outbox.cursor("notifier")).toBeNull();
        await store.outbox.setCursor("notifier", "41", at(1));
        await store.outbox.setCursor("notifier", "42", at(2));
        expect(await store.outbox.cursor("notifier")).toBe("42");
      });

      it("enqueues once per idempotency key, and hands out only the oldest pending delivery of each order key", async () => {
        expect(await store.outbox.enqueue([delivery("10", "oncall", "oncall:inc_a"), delivery("11", "oncall", "oncall:inc_a"), delivery("12", "oncall", "oncall:inc_b", 5)])).toBe(3);
        expect(await store.outbox.enqueue([delivery("10", "oncall", "oncall:inc_a"), delivery("13", "mail", "mail:inc_a")])).toBe(1);
        const due = await store.outbox.due(at(1), 10);
        expect(due.map((d) => [d.eventId, d.destination])).toEqual([["10", "oncall"], ["13", "mail"]]);
        expect(due[0]).toMatchObject({ status: "pending", attempts: 0, idempotencyKey: "10:oncall", message: { kind: "incident.created", n: 10 } });
        await store.outbox.update(due[0]!.id, { status: "delivered", attempts: 1, deliveredAt: at(1), updatedAt: at(1) });
        expect((await store.outbox.due(at(10), 10)).map((d) => d.eventId)).toEqual(["11", "13", "12"]);
        await store.outbox.update(due[1]!.id, { status: "dead", attempts: 8, lastError: "gave up", updatedAt: at(2) });
        expect((await store.outbox.list({ status: "dead" })).map((d) => [d.eventId, d.lastError])).toEqual([["13", "gave up"]]);
        expect((await rejection(store.outbox.update("999999", { status: "dead" }))).code).toBe("not_found");
      });

      it("stores a message shared by many deliveries once, and gives it back with each", async () => {
        const shared = { id: "20:public", body: { kind: "incident.created", title: "Outage" } };
        const rows = ["sub_1", "sub_2"].map((id) => ({ ...delivery("20", `subscriber:${id}`, `subscriber:${id}:inc_c`), message: { shared: shared.id } }));
        expect(await store.outbox.enqueue(rows, [shared])).toBe(2);
        // A replay adds nothing and keeps the message.
        expect(await store.outbox.enqueue(rows, [{ ...shared, body: { kind: "changed" } }])).toBe(0);
        const due = (await store.outbox.due(at(1), 50)).filter((d) => d.destination.startsWith("subscriber:"));
        expect(due.map((d) => [d.destination, d.message])).toEqual([
          ["subscriber:sub_1", shared.body],
          ["subscriber:sub_2", shared.body],
        ]);
        await store.outbox.complete([
          { id: due[0]!.id, status: "delivered", attempts: 1, nextAttemptAt: null, lastError: null, updatedAt: at(2), deliveredAt: at(2) },
          { id: due[1]!.id, status: "pending", attempts: 1, nextAttemptAt: at(60), lastError: "SMTP 451", updatedAt: at(2), deliveredAt: null },
        ]);
        const listed = await store.outbox.list({ destination: "subscriber:sub_2" });
        expect(listed[0]).toMatchObject({ status: "pending", attempts: 1, nextAttemptAt: at(60), lastError: "SMTP 451", message: shared.body });
        expect((await store.outbox.list({ destination: "subscriber:sub_1" }))[0]).toMatchObject({ status: "delivered", deliveredAt: at(2) });
      });

      it("tells a fan-out's progress: open until summarized, waiting for first attempts, counted by receiver kind", async () => {
        await store.subscribers.confirm({ id: "sub_fe", kind: "email", address: "fe@example.com", componentIds: null, format: null, confirmedAt: at(0), createdAt: at(0) });
        await store.subscribers.confirm({ id: "sub_fw", kind: "webhook", address: "https://hooks.example.com/fw", componentIds: null, format: "vigil", confirmedAt: at(0), createdAt: at(0) });
        const fanout = (eventId: string, ids: string[]) =>
          store.outbox.enqueue(
            ids.map((id) => ({ ...delivery(eventId, `subscriber:${id}`, `subscriber:${id}:inc_f`), message: { shared: `${eventId}:public` } })),
            [{ id: `${eventId}:public`, body: { kind: "incident.created" } }],
          );
        await fanout("70", ["sub_fe", "sub_fw", "sub_gone", "sub_fe2"]);
        await fanout("71", ["sub_fe"]);
        expect(await store.outbox.openFanouts()).toEqual(expect.arrayContaining([{ messageId: "70:public", eventId: "70" }, { messageId: "71:public", eventId: "71" }]));
        expect(await store.outbox.fanoutUnattempted("70:public")).toBe(true);
        expect(await store.outbox.fanoutUnattempted("71:public")).toBe(true);
        const rows = await store.outbox.list({ limit: 1000 });
        const row = (eventId: string, destination: string) => rows.find((r) => r.eventId === eventId && r.destination === destination)!;
        expect(row("70", "subscriber:sub_fe").messageId).toBe("70:public");
        expect(row("70", "subscriber:sub_fe").message).toEqual({ kind: "incident.created" });
        await store.outbox.complete([
          { id: row("70", "subscriber:sub_fe").id, status: "pending", attempts: 1, nextAttemptAt: at(60), lastError: "SMTP 451", updatedAt: at(3), deliveredAt: null },
          { id: row("70", "subscriber:sub_fw").id, status: "delivered", attempts: 1, nextAttemptAt: null, lastError: null, updatedAt: at(3), deliveredAt: at(3) },
          { id: row("70", "subscriber:sub_gone").id, status: "dead", attempts: 1, nextAttemptAt: null, lastError: "gone", updatedAt: at(4), deliveredAt: null },
        ]);
        expect(await store.outbox.fanoutUnattempted("70:public")).toBe(true);
        await store.outbox.complete([{ id: row("70", "subscriber:sub_fe2").id, status: "delivered", attempts: 2, nextAttemptAt: null, lastError: null, updatedAt: at(9), deliveredAt: at(9) }]);
        expect(await store.outbox.fanoutUnattempted("70:public")).toBe(false);
        // 71's one delivery waits behind 70's to the same subscriber, which is being retried: it is not waited for.
        expect(await store.outbox.fanoutUnattempted("71:public")).toBe(false);
        expect(await store.outbox.fanoutCounts("70:public")).toEqual([
          { kind: "email", status: "pending", failed: true, count: 1, firstDeliveredAt: null, lastDeliveredAt: null },
          { kind: "webhook", status: "delivered", failed: false, count: 1, firstDeliveredAt: at(3), lastDeliveredAt: at(3) },
          { kind: null, status: "dead", failed: true, count: 1, firstDeliveredAt: null, lastDeliveredAt: null },
          { kind: null, status: "delivered", failed: true, count: 1, firstDeliveredAt: at(9), lastDeliveredAt: at(9) },
        ]);
        expect(await store.outbox.summarizedFanouts(["70:public", "71:public", "none:public"])).toEqual(new Set());
        await store.outbox.markFanoutSummarized("70:public", at(10));
        expect(await store.outbox.summarizedFanouts(["70:public", "71:public"])).toEqual(new Set(["70:public"]));
        expect(await store.outbox.summarizedFanouts([])).toEqual(new Set());
        const open = await store.outbox.openFanouts();
        expect(open).toContainEqual({ messageId: "71:public", eventId: "71" });
        expect(open.map((f) => f.messageId)).not.toContain("70:public");
        // A message stored before any of its deliveries (a crash between the two) is not a fan-out yet.
        await store.outbox.enqueue([], [{ id: "72:public", body: {} }]);
        expect((await store.outbox.openFanouts()).map((f) => f.messageId)).not.toContain("72:public");
        // A team channel's delivery is no fan-out.
        await store.outbox.enqueue([delivery("73", "oncall-fanout", "oncall-fanout:inc_f")]);
        expect((await store.outbox.list({ destination: "oncall-fanout" }))[0]?.messageId).toBeNull();
        await store.subscribers.remove("sub_fe");
        await store.subscribers.remove("sub_fw");
      });

      it("reads one delivery, and retries a dead one once: due at once, attempts afresh; refuses any other", async () => {
        await store.outbox.enqueue([delivery("30", "retry", "retry:a"), delivery("31", "retry", "retry:b"), { ...delivery("32", "retry", "retry:c"), status: "muted", lastError: "silenced" }]);
        const [muted, live, dead] = await store.outbox.list({ destination: "retry" });
        await store.outbox.update(dead!.id, { status: "dead", attempts: 8, nextAttemptAt: at(5), lastError: "gave up after 8 attempts: 503", updatedAt: at(5) });
        expect(await store.outbox.get(dead!.id)).toMatchObject({ eventId: "30", status: "dead", attempts: 8, message: { kind: "incident.created", n: 30 } });
        expect(await store.outbox.get("999999")).toBeUndefined();
        expect(await store.outbox.get("d-1")).toBeUndefined();
        // Two retries at once: one moves the row, the other finds it pending.
        const both = await Promise.allSettled([store.outbox.retry(dead!.id, at(60)), store.outbox.retry(dead!.id, at(60))]);
        expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const refused = both.find((r) => r.status === "rejected")!.reason as AppError;
        expect([refused.code, refused.message]).toEqual(["conflict", `delivery ${dead!.id} is pending: only a dead (given up) delivery can be retried`]);
        const retried = await store.outbox.get(dead!.id);
        expect(retried).toMatchObject({ status: "pending", attempts: 0, nextAttemptAt: at(60), updatedAt: at(60), lastError: "gave up after 8 attempts: 503", createdAt: at(0), deliveredAt: null });
        expect((await store.outbox.due(at(60), 50)).map((d) => d.id)).toContain(dead!.id);
        await store.outbox.update(live!.id, { status: "delivered", attempts: 1, deliveredAt: at(2), updatedAt: at(2) });
        expect((await rejection(store.outbox.retry(live!.id, at(61)))).message).toBe(`delivery ${live!.id} is delivered: only a dead (given up) delivery can be retried`);
        expect((await rejection(store.outbox.retry(muted!.id, at(61)))).message).toMatch(/is muted: only a dead/);
        expect((await store.outbox.get(muted!.id))?.status).toBe("muted");
        expect((await rejection(store.outbox.retry("999999", at(61)))).code).toBe("not_found");
        expect((await rejection(store.outbox.retry("d-1", at(61)))).code).toBe("not_found");
      });
    });

    describe("action runs", () => {
      const run = (id: string, key: string, overrides: Partial<ActionRunRow> = {}): ActionRunRow => ({
        id, actionId: "scale-down", actionType: "webhook", incidentId: "inc_runs", idempotencyKey: key, status: "pending", attempts: 0, nextAttemptAt: at(1), deadlineAt: at(600),
        requestedBy: "user:ada", requestedByUser: null, approvalsRequired: 0, approvalDeadlineAt: null, params: null, output: null, lastError: null, createdAt: at(1), updatedAt: at(1), startedAt: null, finishedAt: null, ...overrides,
      });

      it("creates once per idempotency key, lists newest first with filters, and finds the due ones", async () => {
        const first = await store.actionRuns.create(run("run_a", "key-a"));
        expect(first).toEqual(run("run_a", "key-a"));
        // The same key again: nothing added, the run that has it comes back.
        expect((await store.actionRuns.create(run("run_a2", "key-a", { createdAt: at(2) }))).id).toBe("run_a");
        expect(await store.actionRuns.get("run_a2")).toBeUndefined();
        expect((await store.actionRuns.byKey("key-a"))?.id).toBe("run_a");
        expect(await store.actionRuns.byKey("key-none")).toBeUndefined();
        await store.actionRuns.create(run("run_b", "key-b", { createdAt: at(2), nextAttemptAt: at(50), actionId: "page-dba", incidentId: "inc_other" }));
        expect((await store.actionRuns.list()).map((r) => r.id).slice(0, 2)).toEqual(["run_b", "run_a"]);
        expect((await store.actionRuns.list({ incidentId: "inc_runs" })).map((r) => r.id)).toEqual(["run_a"]);
        expect((await store.actionRuns.list({ actionId: "page-dba" })).map((r) => r.id)).toEqual(["run_b"]);
        expect((await store.actionRuns.due(at(10), 10)).map((r) => r.id)).toEqual(["run_a"]);
        expect((await store.actionRuns.due(at(50), 10)).map((r) => r.id)).toEqual(["run_a", "run_b"]);
      });

      it("claims a pending run once, records attempts, and puts back runs left running", async () => {
        await store.actionRuns.create(run("run_c", "key-c"));
        const [one, two] = await Promise.all([store.actionRuns.claim("run_c", at(5)), store.actionRuns.claim("run_c", at(5))]);
        expect([one, two].filter((r) => r !== undefined)).toHaveLength(1);
        expect(await store.actionRuns.get("run_c")).toMatchObject({ status: "running", attempts: 1, startedAt: at(5), updatedAt: at(5) });
        expect(await store.actionRuns.due(at(100), 10).then((rows) => rows.map((r) => r.id))).not.toContain("run_c");
        // A leader that stopped mid-run: the run goes back to pending, due at once, its attempts kept.
        expect((await store.actionRuns.requeueRunning(at(7))).map((r) => r.id)).toEqual(["run_c"]);
        expect(await store.actionRuns.get("run_c")).toMatchObject({ status: "pending", attempts: 1, nextAttemptAt: at(7) });
        expect(await store.actionRuns.claim("run_c", at(8))).toMatchObject({ attempts: 2 });
        const done = await store.actionRuns.update("run_c", { status: "succeeded", nextAttemptAt: null, output: "ok", finishedAt: at(9), updatedAt: at(9) });
        expect(done).toMatchObject({ status: "succeeded", attempts: 2, output: "ok", startedAt: at(5), finishedAt: at(9) });
        expect(await store.actionRuns.claim("run_c", at(10))).toBeUndefined();
        expect(await store.actionRuns.update("run_missing", { updatedAt: at(10) })).toBeUndefined();
      });

      it("cancels a pending run only", async () => {
        await store.actionRuns.create(run("run_d", "key-d"));
        expect(await store.actionRuns.cancel("run_d", at(3))).toMatchObject({ status: "cancelled", nextAttemptAt: null, finishedAt: at(3), updatedAt: at(3) });
        expect(await store.actionRuns.cancel("run_d", at(4))).toBeUndefined();
        expect(await store.actionRuns.claim("run_d", at(4))).toBeUndefined();
        expect((await store.actionRuns.due(at(100), 100)).map((r) => r.id)).not.toContain("run_d");
        expect(await store.actionRuns.cancel("run_missing", at(4))).toBeUndefined();
      });

      it("holds a run waiting for approval, counts one decision per person, and finds the expired waits", async () => {
        const waiting = (id: string, deadline: number) => run(id, `key-${id}`, { status: "waiting_approval", nextAttemptAt: null, approvalsRequired: 2, approvalDeadlineAt: at(deadline), requestedByUser: "usr_rita" });
        expect(await store.actionRuns.create(waiting("run_w1", 60))).toMatchObject({ status: "waiting_approval", approvalsRequired: 2, approvalDeadlineAt: at(60), requestedByUser: "usr_rita" });
        await store.actionRuns.create(waiting("run_w2", 90));
        // Never due: a run waiting for approval is not attempted.
        expect((await store.actionRuns.due(at(1000), 100)).map((r) => r.id)).not.toContain("run_w1");
        expect(await store.actionRuns.claim("run_w1", at(2))).toBeUndefined();
        expect(await store.actionRuns.holdWaiting("run_w1", at(3))).toMatchObject({ id: "run_w1", updatedAt: at(3) });
        expect(await store.actionRuns.holdWaiting("run_a", at(3))).toBeUndefined();
        expect(await store.actionRuns.holdWaiting("run_missing", at(3))).toBeUndefined();
        const decision = (approver: string, decision: "approve" | "reject", seconds: number) => ({ runId: "run_w1", approver, actor: `token:${approver}`, decision, comment: null, at: at(seconds) });
        expect(await store.actionApprovals.add(decision("user:rick", "approve", 4))).toEqual(decision("user:rick", "approve", 4));
        // The same person again, even deciding otherwise: nothing added.
        expect(await store.actionApprovals.add(decision("user:rick", "reject", 5))).toBeUndefined();
        await store.actionApprovals.add({ ...decision("user:ada", "approve", 6), comment: "checked" });
        expect((await store.actionApprovals.list("run_w1")).map((a) => [a.approver, a.decision, a.comment])).toEqual([["user:rick", "approve", null], ["user:ada", "approve", "checked"]]);
        expect(await store.actionApprovals.list("run_w2")).toEqual([]);
        await expect(store.actionApprovals.add({ ...decision("user:ada", "approve", 6), runId: "run_missing" })).rejects.toBeInstanceOf(AppError);
        expect((await store.actionRuns.approvalsExpired(at(59), 10)).map((r) => r.id)).toEqual([]);
        expect((await store.actionRuns.approvalsExpired(at(90), 10)).map((r) => r.id)).toEqual(["run_w1", "run_w2"]);
        // Approved: pending, due, its deadline moved; it no longer waits.
        await store.actionRuns.update("run_w1", { status: "pending", nextAttemptAt: at(7), deadlineAt: at(700), updatedAt: at(7) });
        expect(await store.actionRuns.holdWaiting("run_w1", at(8))).toBeUndefined();
        expect((await store.actionRuns.approvalsExpired(at(90), 10)).map((r) => r.id)).toEqual(["run_w2"]);
        expect((await store.actionRuns.due(at(7), 100)).map((r) => r.id)).toContain("run_w1");
        // A run waiting for approval can be cancelled.
        expect(await store.actionRuns.cancel("run_w2", at(9))).toMatchObject({ status: "cancelled", finishedAt: at(9) });
        expect(await store.actionRuns.approvalsExpired(at(90), 10)).toEqual([]);
      });

      it("counts two decisions about one run made at once one after the other", async () => {
        await store.actionRuns.create(run("run_w3", "key-w3", { status: "waiting_approval", nextAttemptAt: null, approvalsRequired: 2, approvalDeadlineAt: at(60) }));
        const approve = (approver: string) =>
          store.transaction(async (tx) => {
            const held = await tx.actionRuns.holdWaiting("run_w3", at(5));
            if (held === undefined) return -1;
            await tx.actionApprovals.add({ runId: "run_w3", approver, actor: approver, decision: "approve", comment: null, at: at(5) });
            const count = (await tx.actionApprovals.list("run_w3")).length;
            if (count >= held.approvalsRequired) await tx.actionRuns.update("run_w3", { status: "pending", nextAttemptAt: at(5), updatedAt: at(5) });
            return count;
          });
        // Each sees the other's approval or none: one of them counts 2 and starts the run.
        expect((await Promise.all([approve("user:rick"), approve("user:ada")])).sort()).toEqual([1, 2]);
        expect((await store.actionRuns.get("run_w3"))?.status).toBe("pending");
      });
    });

    describe("maintenances", () => {
      const maintenance = (id: string, from: number, until: number) => ({
        id, name: `Upgrade ${id}`, body: "Database upgrade", componentIds: ["orders-db"], scheduledFor: at(from), scheduledUntil: at(until),
        status: "scheduled", source: "api" as const, startedAt: null, completedAt: null, cancelledAt: null, createdAt: at(0), updatedAt: at(0),
      });

      it("creates, lists by start and status, updates, and refuses duplicates and unknown ids", async () => {
        await store.maintenances.create(maintenance("mnt_b", 2000, 3000));
        await store.maintenances.create(maintenance("mnt_a", 1000, 2000));
        expect(await store.maintenances.get("mnt_a")).toEqual(maintenance("mnt_a", 1000, 2000));
        expect((await store.maintenances.list()).map((m) => m.id)).toEqual(["mnt_a", "mnt_b"]);
        await store.maintenances.update("mnt_a", { status: "in_progress", startedAt: at(1000), updatedAt: at(1000) });
        expect((await store.maintenances.list({ statuses: ["in_progress"] })).map((m) => m.id)).toEqual(["mnt_a"]);
        expect((await store.maintenances.list({ source: "config" })).map((m) => m.id)).toEqual([]);
        expect((await rejection(store.maintenances.create(maintenance("mnt_a", 0, 1)))).code).toBe("conflict");
        expect((await rejection(store.maintenances.update("mnt_none", { status: "completed" }))).code).toBe("not_found");
      });
    });

    describe("subscribers, silences and state", () => {
      const subscriber = (id: string, address: string, componentIds: string[] | null = null) => ({ id, kind: "email" as const, address, componentIds, format: null, confirmedAt: at(5), createdAt: at(5) });

      it("confirms once per kind and address, keeping the first id, and lists, finds, counts and removes", async () => {
        expect(await store.subscribers.confirm(subscriber("sub_b", "b@example.com"))).toEqual(subscriber("sub_b", "b@example.com"));
        await store.subscribers.confirm(subscriber("sub_a", "a@example.com", ["api"]));
        const again = await store.subscribers.confirm({ ...subscriber("sub_z", "a@example.com", ["api", "orders-db"]), confirmedAt: at(9) });
        expect(again).toMatchObject({ id: "sub_a", componentIds: ["api", "orders-db"], confirmedAt: at(5) });
        expect((await store.subscribers.list()).map((s) => s.id)).toEqual(["sub_a", "sub_b"]);
        expect((await store.subscribers.list({ afterId: "sub_a", limit: 5 })).map((s) => s.id)).toEqual(["sub_b"]);
        expect((await store.subscribers.find("email", "b@example.com"))?.id).toBe("sub_b");
        expect(await store.subscribers.find("webhook", "b@example.com")).toBeUndefined();
        expect(await store.subscribers.count()).toBe(2);
        expect(await store.subscribers.remove("sub_b")).toBe(true);
        expect(await store.subscribers.remove("sub_b")).toBe(false);
        expect(await store.subscribers.importMany([subscriber("sub_c", "c@example.com"), subscriber("sub_y", "a@example.com", null)])).toEqual({ added: 1, updated: 1 });
        expect((await store.subscribers.get("sub_a"))?.componentIds).toBeNull();
        expect(await store.subscribers.count()).toBe(2);
      });

      it("keeps silences, lists the ones still running, and expires one once", async () => {
        const silence = (id: string, from: number, until: number) => ({ id, matchers: { component: ["api"] }, startsAt: at(from), endsAt: at(until), createdBy: "alice", comment: "deploy", createdAt: at(0) });
        await store.silences.create(silence("sil_b", 20, 100));
        await store.silences.create(silence("sil_a", 10, 30));
        expect((await store.silences.list()).map((s) => s.id)).toEqual(["sil_a", "sil_b"]);
        expect((await store.silences.list({ endingAfter: at(50) })).map((s) => s.id)).toEqual(["sil_b"]);
        expect((await store.silences.expire("sil_b", at(60)))?.endsAt).toEqual(at(60));
        expect(await store.silences.expire("sil_b", at(70))).toBeUndefined();
        expect((await store.silences.get("sil_a"))?.matchers).toEqual({ component: ["api"] });
        expect((await rejection(store.silences.create(silence("sil_a", 0, 1)))).code).toBe("conflict");
      });

      it("keeps named state documents; putIfAbsent returns the first value", async () => {
        expect(await store.state.get("notifier.groups")).toBeUndefined();
        await store.state.put("notifier.groups", { groups: { a: 1 } }, at(1));
        await store.state.put("notifier.groups", { groups: {} }, at(2));
        expect(await store.state.get("notifier.groups")).toEqual({ groups: {} });
        expect(await store.state.putIfAbsent("key", "first", at(1))).toBe("first");
        expect(await store.state.putIfAbsent("key", "second", at(2))).toBe("first");
      });

      it("getForUpdate stores the empty value when absent and returns the stored one; bumps in concurrent transactions add up", async () => {
        const bump = () =>
          store.transaction(async (tx) => {
            const { n } = (await tx.state.getForUpdate("counter", { n: 0 }, at(1))) as { n: number };
            // Another query between the read and the write, where an unlocked read would let another bump in.
            await tx.state.get("counter");
            await tx.state.put("counter", { n: n + 1 }, at(2));
          });
        await Promise.all([bump(), bump(), bump(), bump()]);
        expect(await store.state.get("counter")).toEqual({ n: 4 });
        expect(await store.transaction((tx) => tx.state.getForUpdate("other", {}, at(3)))).toEqual({});
        expect(await store.state.get("other")).toEqual({});
        expect(await store.transaction((tx) => tx.state.getForUpdate("counter", { n: 0 }, at(3)))).toEqual({ n: 4 });
      });
    });

    describe("transactions", () => {
      it("commits what succeeds and rolls back everything when the function throws", async () => {
        await store.transaction(async (tx) => {
          await tx.events.append({ at: at(300), kind: "test.committed", actor: "system" });
        });
        await expect(
          store.transaction(async (tx) => {
            await tx.events.append({ at: at(301), kind: "test.rolled_back", actor: "system" });
            await tx.tokens.create({ id: "tok_rolledback00", name: "x", scope: "read", secretHash: "ee".repeat(32), createdAt: at(301) });
            throw new Error("boom");
          }),
        ).rejects.toThrow("boom");
        expect(await store.events.list({ kind: "test.committed" })).toHaveLength(1);
        expect(await store.events.list({ kind: "test.rolled_back" })).toHaveLength(0);
        expect(await store.tokens.get("tok_rolledback00")).toBeUndefined();
      });
    });

    describe("cluster: lease, fencing, membership, heartbeats", () => {
      const expire = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

      it("gives the lease to one node at a time, renews it in the same term, and a new term after it expires or is released", async () => {
        const a = await store.cluster.acquire("node-a", 60_000);
        expect(a).toMatchObject({ node: "node-a" });
        const term = a!.term;
        expect(await store.cluster.acquire("node-b", 60_000)).toBeNull();
        const renewed = await store.cluster.acquire("node-a", 60_000);
        expect(renewed).toMatchObject({ node: "node-a", term, since: a!.since });
        expect(renewed!.expiresAt.getTime()).toBeGreaterThanOrEqual(a!.expiresAt.getTime());
        expect(await store.cluster.leader()).toMatchObject({ node: "node-a", term, valid: true });
        await store.cluster.fence("node-a", term);
        expect((await rejection(store.cluster.fence("node-b", term))).code).toBe("conflict");

        // Released: another node takes it at once, in a new term; the old holder's writes are refused.
        expect(await store.cluster.release("node-a", term)).toBe(true);
        expect(await store.cluster.release("node-a", term)).toBe(false);
        const b = await store.cluster.acquire("node-b", 300);
        expect(b).toMatchObject({ node: "node-b", term: term + 1 });
        expect((await rejection(store.cluster.fence("node-a", term))).code).toBe("conflict");

        // Expired (the database's clock decides): taken by another in a new term; the late renewal gets nothing.
        // The wait is the lease's own duration: the expiry is the behaviour under test.
        await expire(400);
        expect(await store.cluster.leader()).toMatchObject({ node: "node-b", valid: false });
        expect(await store.cluster.acquire("node-a", 60_000)).toMatchObject({ node: "node-a", term: term + 2 });
        expect(await store.cluster.acquire("node-b", 60_000)).toBeNull();
        expect((await rejection(store.cluster.fence("node-b", term + 1))).code).toBe("conflict");
        await store.cluster.release("node-a", term + 2);
      });

      it.skipIf(backend.name !== "postgres")("holds back a new term until a fenced transaction of the old one has committed", async () => {
        const old = (await store.cluster.acquire("node-old", 300))!;
        const order: string[] = [];
        let takeover: Promise<unknown> | undefined;
        await store.transaction(async (tx) => {
          await tx.cluster.fence("node-old", old.term);
          // The lease expires while the transaction is open: a new node tries to take over.
          await expire(400);
          takeover = (async () => {
            for (;;) {
              const lease = await store.cluster.acquire("node-new", 60_000);
              if (lease) return order.push(`new term ${lease.term}`);
              await expire(20);
            }
          })();
          await expire(300);
          await tx.events.append({ at: at(500), kind: "test.fenced_write", actor: "system" });
          order.push("old term's write committed");
        });
        await takeover;
        expect(order).toEqual(["old term's write committed", `new term ${old.term + 1}`]);
        await store.cluster.release("node-new", old.term + 1);
      });

      it("lists the nodes that report themselves, live until they stop or fall silent", async () => {
        await store.cluster.seen({ node: "n1", url: "http://10.0.0.1:8080", checksPerSecond: 2.5 });
        await store.cluster.seen({ node: "n2", url: "http://10.0.0.2:8080", checksPerSecond: 0 });
        let nodes = await store.cluster.nodes(60_000);
        expect(nodes.filter((n) => n.node.startsWith("n")).map((n) => [n.node, n.live, n.checksPerSecond])).toEqual([["n1", true, 2.5], ["n2", true, 0]]);
        await store.cluster.stopped("n2");
        nodes = await store.cluster.nodes(60_000);
        expect(nodes.find((n) => n.node === "n2")).toMatchObject({ live: false });
        expect(nodes.find((n) => n.node === "n2")?.stoppedAt).toBeInstanceOf(Date);
        await store.cluster.seen({ node: "n2", url: "http://10.0.0.2:8080", checksPerSecond: 1 });
        expect((await store.cluster.nodes(60_000)).find((n) => n.node === "n2")).toMatchObject({ live: true, stoppedAt: null });
        await store.cluster.forget("n1");
        expect((await store.cluster.nodes(60_000)).map((n) => n.node)).not.toContain("n1");
      });

      it("keeps the latest heartbeat ping of a monitor, whichever node took it", async () => {
        expect(await store.heartbeats.last("cron")).toBeNull();
        await store.heartbeats.record("cron", at(10));
        await store.heartbeats.record("cron", at(5));
        expect(await store.heartbeats.last("cron")).toEqual(at(10));
        await store.heartbeats.record("cron", at(20));
        expect(await store.heartbeats.last("cron")).toEqual(at(20));
      });
    });

    describe("retention", () => {
      it("prunes events past retention in batches, keeping what the timeline's readers still need", async () => {
        // Before and after the cutoff, in 2025: the other tests' events are later and stay.
        const old = (day: number) => new Date(Date.UTC(2025, 0, day));
        const cutoff = new Date("2025-06-01T00:00:00Z");
        const recent = new Date("2025-07-01T00:00:00Z");
        const incident = (id: string, status: string, resolvedAt: Date | null) => ({
          id, name: id, status, impact: "major", impactOverride: null, rootIds: ["rc"], impactedIds: [], startedAt: old(1), earliestPossibleStart: null, monitoringAt: null,
          resolvedAt, publishedAt: null, manual: false, hold: false, publishAt: null, postmortemBody: null, postmortemPublishedAt: null, createdAt: old(1), updatedAt: old(1),
        });
        await store.incidents.create(incident("inc_ret_open", "identified", null));
        await store.incidents.create(incident("inc_ret_recent", "resolved", recent));
        await store.incidents.create(incident("inc_ret_gone", "postmortem", old(20)));
        const run = (id: string, status: ActionRunRow["status"]): ActionRunRow => ({
          id, actionId: "ramp", actionType: "ramp", incidentId: null, idempotencyKey: `key-${id}`, status, attempts: 0, nextAttemptAt: null, deadlineAt: recent,
          requestedBy: "system", requestedByUser: null, approvalsRequired: 0, approvalDeadlineAt: null, params: null, output: null, lastError: null, createdAt: old(1), updatedAt: old(1), startedAt: null, finishedAt: null,
        });
        await store.actionRuns.create(run("run_ret_live", "running"));
        await store.actionRuns.create(run("run_ret_done", "succeeded"));
        const event = (day: number | Date, kind: string, subject: string | null, data: Record<string, unknown> = {}) => ({ at: typeof day === "number" ? old(day) : day, kind, subject, actor: "system", data: { ...data, tag: "ret" } });
        const change = (day: number | Date, component: string, from: string, to: string) => event(day, "component.status_changed", component, { component, from, to });
        await store.events.appendMany([
          event(1, "incident.created", "inc_ret_open"), event(2, "incident.note", "inc_ret_open"),
          event(1, "incident.created", "inc_ret_recent"), event(2, "incident.note", "inc_ret_recent"),
          event(1, "incident.created", "inc_ret_gone"), event(2, "incident.note", "inc_ret_gone"), event(3, "incident.note", "inc_ret_gone"), event(20, "incident.resolved", "inc_ret_gone"),
          event(1, "action.ramp_step_started", "run_ret_live", { n: 1 }), event(2, "action.ramp_step_started", "run_ret_live", { n: 2 }),
          event(1, "action.run_retrying", "run_ret_done", { n: 1 }), event(2, "action.run_retrying", "run_ret_done", { n: 2 }), event(3, "action.run_succeeded", "run_ret_done"),
          event(1, "monitor.down", "mon_ret", { n: 1 }), event(2, "monitor.up", "mon_ret", { n: 2 }), event(3, "monitor.down", "mon_ret", { n: 3 }), event(4, "monitor.up", "mon_ret", { n: 4 }), event(recent, "monitor.down", "mon_ret", { n: 5 }),
          // cmp_ret_a: out at the cutoff since a3 (a4 worsens it), back after it; cmp_ret_b: out and back, long ago.
          change(1, "cmp_ret_a", "operational", "major_outage"), change(2, "cmp_ret_a", "major_outage", "operational"), change(3, "cmp_ret_a", "operational", "partial_outage"),
          change(4, "cmp_ret_a", "partial_outage", "major_outage"), change(recent, "cmp_ret_a", "major_outage", "operational"),
          change(1, "cmp_ret_b", "operational", "major_outage"), change(2, "cmp_ret_b", "major_outage", "operational"),
          event(1, "config.loaded", null), event(2, "config.loaded", null),
        ]);
        const windowsBefore = await store.events.statusChanges({ componentIds: ["cmp_ret_a", "cmp_ret_b"], from: cutoff });
        const latestBefore = (await store.events.latestPerSubject("component.status_changed")).filter((e) => e.subject?.startsWith("cmp_ret_"));
        // Appended behind a reader's cursor: old, but not processed yet.
        const cursorAt = (await store.events.list({ newestFirst: true, limit: 1 }))[0]!.id;
        await store.events.appendMany([event(5, "config.reloaded", null), event(6, "config.reloaded", null)]);
        // The outbox tests' cursor is further behind (a reader that stopped long ago): moved up to here too.
        const moveCursors = async (id: string) => {
          for (const name of ["retention-test", "notifier"]) await store.outbox.setCursor(name, id, recent);
        };
        await moveCursors(cursorAt);

        const label = (e: { kind: string; subject: string | null; at: Date; data: Record<string, unknown> }) => `${e.subject ?? "-"} ${e.kind} ${e.at.toISOString().slice(5, 10)}${e.data["n"] === undefined ? "" : ` #${String(e.data["n"])}`}`;
        const ours = async () => (await store.events.list({ limit: 10_000 })).filter((e) => e.data["tag"] === "ret").map(label);
        // Batches of two: the same result as one statement.
        expect(await store.events.prune(cutoff, 2)).toBe(12);
        expect(await ours()).toEqual([
          "inc_ret_open incident.created 01-01", "inc_ret_open incident.note 01-02",
          "inc_ret_recent incident.created 01-01", "inc_ret_recent incident.note 01-02",
          "run_ret_live action.ramp_step_started 01-01 #1", "run_ret_live action.ramp_step_started 01-02 #2",
          "run_ret_done action.run_retrying 01-02 #2", "run_ret_done action.run_succeeded 01-03",
          "mon_ret monitor.up 01-04 #4", "mon_ret monitor.down 07-01 #5",
          "cmp_ret_a component.status_changed 01-02", "cmp_ret_a component.status_changed 01-03", "cmp_ret_a component.status_changed 01-04", "cmp_ret_a component.status_changed 07-01",
          "cmp_ret_b component.status_changed 01-02",
          "- config.reloaded 01-05", "- config.reloaded 01-06",
        ]);
        // The outage windows read from the cutoff, and each component's latest change, are what they were.
        expect(await store.events.statusChanges({ componentIds: ["cmp_ret_a", "cmp_ret_b"], from: cutoff })).toEqual(windowsBefore);
        expect((await store.events.latestPerSubject("component.status_changed")).filter((e) => e.subject?.startsWith("cmp_ret_"))).toEqual(latestBefore);
        // Once the reader moved on, what it read may go; a second run finds nothing else.
        await moveCursors((await store.events.list({ newestFirst: true, limit: 1 }))[0]!.id);
        expect(await store.events.prune(cutoff)).toBe(2);
        expect(await store.events.prune(cutoff)).toBe(0);
        expect((await ours()).filter((e) => e.startsWith("-"))).toEqual([]);
        // The events of the other tests, later than the cutoff, are all there.
        expect((await store.events.list({ kind: "test.latest", limit: 100 })).length).toBe(31);
      });

      it("prunes finished deliveries past retention, never pending ones nor those about an open incident, then the shared messages no delivery uses", async () => {
        // Shared messages are dated by the wall clock when enqueued: the cutoff is in the future, and "recent" after it.
        const cutoff = new Date("2100-01-01T00:00:00Z");
        const old = new Date("2099-01-01T00:00:00Z");
        const recent = new Date("2100-06-01T00:00:00Z");
        await store.incidents.create({
          id: "inc_ret_paged", name: "paged", status: "investigating", impact: "major", impactOverride: null, rootIds: [], impactedIds: [], startedAt: old, earliestPossibleStart: null, monitoringAt: null,
          resolvedAt: null, publishedAt: null, manual: false, hold: false, publishAt: null, postmortemBody: null, postmortemPublishedAt: null, createdAt: old, updatedAt: old,
        });
        const row = (n: number, message: Record<string, unknown> = { kind: "monitor.down" }) => ({ eventId: String(900 + n), destination: `ret-${n}`, idempotencyKey: `ret:${n}`, orderKey: `ret:${n}`, nextAttemptAt: old, message, createdAt: old });
        await store.outbox.enqueue(
          [row(1), row(2), { ...row(3), status: "muted" as const, lastError: "silenced" }, row(4), row(5), row(6, { kind: "incident.created", incident: { id: "inc_ret_paged" } }), row(7, { shared: "ret:m1" }), row(8, { shared: "ret:m1" }), row(9, { shared: "ret:m2" }), row(10, { shared: "ret:m2" })],
          [{ id: "ret:m1", body: { kind: "incident.created" } }, { id: "ret:m2", body: { kind: "incident.resolved" } }],
        );
        const ids = new Map((await store.outbox.list({ limit: 1000 })).filter((d) => d.destination.startsWith("ret-")).map((d) => [d.destination, d.id]));
        const finish = (n: number, status: "delivered" | "dead", at = old) => ({ id: ids.get(`ret-${n}`)!, status, attempts: 1, nextAttemptAt: null, lastError: null, updatedAt: at, deliveredAt: status === "delivered" ? at : null });
        // 4 and 10 stay pending; 5 was delivered after the cutoff.
        await store.outbox.complete([finish(1, "delivered"), finish(2, "dead"), finish(5, "delivered", recent), finish(6, "delivered"), finish(7, "delivered"), finish(8, "dead"), finish(9, "delivered")]);

        const pruned = await store.outbox.prune(cutoff, 2);
        const left = (await store.outbox.list({ limit: 1000 })).filter((d) => d.destination.startsWith("ret-"));
        expect(left.map((d) => [d.destination, d.status]).sort()).toEqual([["ret-10", "pending"], ["ret-4", "pending"], ["ret-5", "delivered"], ["ret-6", "delivered"]]);
        // The message of a delivery still pending is still there; the other went with its deliveries.
        expect(left.find((d) => d.destination === "ret-10")?.message).toEqual({ kind: "incident.resolved" });
        // The other tests' finished deliveries (dated 2026) went too: at least these.
        expect(pruned.deliveries).toBeGreaterThanOrEqual(6);
        expect(pruned.messages).toBeGreaterThanOrEqual(1);
        expect(await store.outbox.prune(cutoff)).toEqual({ deliveries: 0, messages: 0 });
        // Once the pending one is delivered and old, its message goes with it.
        await store.outbox.complete([finish(10, "delivered"), finish(4, "dead")]);
        expect(await store.outbox.prune(cutoff)).toEqual({ deliveries: 2, messages: 1 });
      });

      it("tells each table's size on disk and its estimated rows", async () => {
        const tables = await store.stats.tables();
        const byName = new Map(tables.map((t) => [t.name, t]));
        expect([...byName.keys()]).toEqual(expect.arrayContaining(["events", "deliveries", "notification_messages", "check_results", "check_rollups", "audit_log", "action_runs"]));
        // With its indexes: at least a page of each.
        expect(byName.get("events")!.bytes).toBeGreaterThanOrEqual(8192);
        await expect.poll(async () => (await store.stats.tables()).find((t) => t.name === "events")?.rows, { timeout: 10_000 }).toBeGreaterThan(100);
        expect(tables.map((t) => t.name)).toEqual([...tables.map((t) => t.name)].sort());
      });
    });

    describe("migrations", () => {
      it("applies each migration once, and a second node starting at the same time applies nothing", async () => {
        const fresh = await freshTarget(backend.name);
        try {
          if (backend.name === "postgres") {
            const [a, b] = await Promise.all([openStore({ url: fresh.url, dataDir: fresh.dataDir }), openStore({ url: fresh.url, dataDir: fresh.dataDir })]);
            const events = await a.events.list();
            expect(events).toEqual([]);
            expect(await a.migrationStatus()).toEqual({ applied: migrations, pending: [] });
            expect(await b.migrationStatus()).toEqual({ applied: migrations, pending: [] });
            await Promise.all([a.close(), b.close()]);
          } else {
            // The embedded store has one opener at a time: the second is refused, not corrupted.
            const a = await openStore({ dataDir: fresh.dataDir });
            const error = await rejection(openStore({ dataDir: fresh.dataDir }));
            expect(error.code).toBe("data_dir_locked");
            expect(error.message).toContain(`process ${process.pid}`);
            await a.close();
          }
          const again = await openStore({ url: fresh.url, dataDir: fresh.dataDir });
          expect(await again.migrationStatus()).toEqual({ applied: migrations, pending: [] });
          await again.close();
        } finally {
          await fresh.dispose();
        }
      }, 60_000);

      it("keeps the power of write tokens made before the publish scope: they become publish tokens", async () => {
        const fresh = await freshTarget(backend.name);
        const dir = path.join(path.dirname(fresh.dataDir), "migrations-before-publish");
        await cp(defaultMigrationsDir(), dir, { recursive: true });
        try {
          // The tokens as they stood before the publish scope, written where the schema then ended.
          await rm(path.join(dir, "0008_token_publish_scope_expiry.sql"));
          const seed = `\n--> statement-breakpoint\nINSERT INTO "api_tokens" ("id", "name", "scope", "secret_hash", "created_at") VALUES ('tok_oldwriter0001', 'w', 'write', '${"0".repeat(64)}', now()), ('tok_oldreader0001', 'r', 'read', '${"0".repeat(64)}', now());\n`;
          await writeFile(path.join(dir, "0007_cluster.sql"), (await readFile(path.join(dir, "0007_cluster.sql"), "utf8")) + seed);
          await (await openStore({ url: fresh.url, dataDir: fresh.dataDir, migrationsDir: dir })).close();
          await cp(path.join(defaultMigrationsDir(), "0008_token_publish_scope_expiry.sql"), path.join(dir, "0008_token_publish_scope_expiry.sql"));
          const store = await openStore({ url: fresh.url, dataDir: fresh.dataDir, migrationsDir: dir });
          try {
            expect((await store.tokens.list()).map((t) => [t.id, t.scope, t.expiresAt]).sort()).toEqual([
              ["tok_oldreader0001", "read", null],
              ["tok_oldwriter0001", "publish", null],
            ]);
          } finally {
            await store.close();
          }
        } finally {
          await fresh.dispose();
        }
      }, 60_000);

      it("gives every token made before roles the role of its scope, keeping the scope as its ceiling", async () => {
        const fresh = await freshTarget(backend.name);
        const dir = path.join(path.dirname(fresh.dataDir), "migrations-before-roles");
        await cp(defaultMigrationsDir(), dir, { recursive: true });
        try {
          await rm(path.join(dir, "0011_roles_audit.sql"));
          const hash = "0".repeat(64);
          const seed = `\n--> statement-breakpoint\nINSERT INTO "api_tokens" ("id", "name", "scope", "secret_hash", "created_at", "region") VALUES ('tok_oldread00001', 'r', 'read', '${hash}', now(), null), ('tok_oldwrite0001', 'w', 'write', '${hash}', now(), null), ('tok_oldpubl00001', 'p', 'publish', '${hash}', now(), null), ('tok_oldadmin0001', 'a', 'admin', '${hash}', now(), null), ('tok_oldagent0001', 'g', 'agent', '${hash}', now(), 'eu-west');\n`;
          await writeFile(path.join(dir, "0010_users.sql"), (await readFile(path.join(dir, "0010_users.sql"), "utf8")) + seed);
          await (await openStore({ url: fresh.url, dataDir: fresh.dataDir, migrationsDir: dir })).close();
          await cp(path.join(defaultMigrationsDir(), "0011_roles_audit.sql"), path.join(dir, "0011_roles_audit.sql"));
          const store = await openStore({ url: fresh.url, dataDir: fresh.dataDir, migrationsDir: dir });
          try {
            expect((await store.tokens.list()).map((t) => [t.id, t.scope, t.role, t.ownerUserId]).sort()).toEqual([
              ["tok_oldadmin0001", "admin", "owner", null],
              ["tok_oldagent0001", "agent", null, null],
              ["tok_oldpubl00001", "publish", "responder", null],
              ["tok_oldread00001", "read", "viewer", null],
              ["tok_oldwrite0001", "write", "responder", null],
            ]);
          } finally {
            await store.close();
          }
        } finally {
          await fresh.dispose();
        }
      }, 60_000);

      it.each(["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log"])("refuses to change the audit log: %s", async (statement) => {
        const fresh = await freshTarget(backend.name);
        const dir = path.join(path.dirname(fresh.dataDir), "migrations-audit");
        await cp(defaultMigrationsDir(), dir, { recursive: true });
        try {
          const store = await openStore({ url: fresh.url, dataDir: fresh.dataDir, migrationsDir: dir });
          await store.audit.append({ at: at(1), actor: "ada@example.com", via: "token", tokenId: "tok_aaaaaaaaaaa1", action: "incidents.write", operation: "createIncident", targetKind: "incidents", targetId: "inc_1", status: 201, summary: { method: "POST" }, clientAddress: "192.0.2.1" });
          await store.close();
          // Even a migration, which runs as the table's owner, cannot rewrite it.
          await writeFile(path.join(dir, "0099_rewrite.sql"), `${statement};\n`);
          const refused = await rejection(openStore({ url: fresh.url, dataDir: fresh.dataDir, migrationsDir: dir }));
          expect(refused.message).toContain("the audit log is append-only");
          await rm(path.join(dir, "0099_rewrite.sql"));
          const again = await openStore({ url: fresh.url, dataDir: fresh.dataDir, migrationsDir: dir });
          try {
            expect((await again.audit.list({}, 10)).map((row) => row.actor)).toEqual(["ada@example.com"]);
          } finally {
            await again.close();
          }
        } finally {
          await fresh.dispose();
        }
      }, 60_000);

      it("refuses a migration edited after it was applied, and rolls back one that fails", async () => {
        const fresh = await freshTarget(backend.name);
        const dir = path.join(path.dirname(fresh.dataDir), "migrations");
        await cp(defaultMigrationsDir(), dir, { recursive: true });
        try {
          await writeFile(path.join(dir, "0099_broken.sql"), "CREATE TABLE half_done (id int);\nSELECT no_such_function();\n");
          const failed = await rejection(openStore({ url: fresh.url, dataDir: fresh.dataDir, migrationsDir: dir }));
          expect(failed.message).toContain("migration 0099_broken.sql failed");
          expect(failed.message).toContain("no_such_function");

          const first = await readFile(path.join(dir, "0001_foundation.sql"), "utf8");
          await writeFile(path.join(dir, "0099_broken.sql"), "CREATE TABLE half_done (id int);\n");
          const store2 = await openStore({ url: fresh.url, dataDir: fresh.dataDir, migrationsDir: dir });
          expect(await store2.migrationStatus()).toEqual({ applied: [...migrations, "0099_broken"], pending: [] });
          await store2.close();

          await writeFile(path.join(dir, "0001_foundation.sql"), first + "\n-- edited\n");
          const edited = await rejection(openStore({ url: fresh.url, dataDir: fresh.dataDir, migrationsDir: dir }));
          expect(edited.code).toBe("conflict");
          expect(edited.message).toContain("0001_foundation.sql was changed after it was applied");

          // A database migrated by a newer Vigil (with 0002) is not opened by one that ships only 0001.
          const newer = await rejection(openStore({ url: fresh.url, dataDir: fresh.dataDir }));
          expect(newer.code).toBe("conflict");
          expect(newer.message).toContain("does not ship (0099_broken)");
        } finally {
          await fresh.dispose();
        }
      }, 60_000);
    });
  });
}

describe("store errors", () => {
  it("reports an unreachable PostgreSQL server as store_unavailable without its password", async () => {
    const error = await rejection(openStore({ url: "postgres://vigil:s3cr3t-pw@127.0.0.1:1/vigil", dataDir: "/nonexistent" }));
    expect(error.code).toBe("store_unavailable");
    expect(error.message).toContain("PostgreSQL at postgres://vigil:***@127.0.0.1:1/vigil is unavailable");
    expect(error.message).not.toContain("s3cr3t-pw");
    expect(String((error.cause as Error | undefined)?.message)).not.toContain("s3cr3t-pw");
  });

  it("creates the embedded store's data dir readable by its owner alone (subscribers, token hashes, the link-signing key)", async () => {
    const target = await freshTarget("pglite");
    try {
      const store = await openStore({ dataDir: target.dataDir });
      await store.close();
      expect((await stat(target.dataDir)).mode & 0o777).toBe(0o700);
    } finally {
      await target.dispose();
    }
  }, 60_000);

  it("reports a data dir that cannot be created", async () => {
    const target = await freshTarget("pglite");
    try {
      const file = path.join(path.dirname(target.dataDir), "a-file");
      await writeFile(file, "not a directory");
      const error = await rejection(openStore({ dataDir: path.join(file, "data") }));
      expect(error.code).toBe("store_unavailable");
      expect(error.message).toContain(`cannot create the data dir ${path.join(file, "data")}`);
    } finally {
      await target.dispose();
    }
  });
});
