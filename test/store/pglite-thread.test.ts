// The embedded database in its own thread: the client drizzle and the migrations use, and the store over it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "../../src/core/errors.ts";
import { translate } from "../../src/store/errors.ts";
import { openStore } from "../../src/store/open.ts";
import { startPgliteThread, threadStoppedMessage, type PgliteThreadClient } from "../../src/store/pglite-client.ts";
import { embeddedSettings } from "../../src/store/pglite.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-pglite-thread-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the embedded database thread's client", () => {
  let client: PgliteThreadClient;
  beforeAll(async () => {
    client = await startPgliteThread(path.join(dir, "client"), embeddedSettings);
    await client.exec("create table items (id int primary key, name text not null unique, at timestamptz, n bigint, bytes bytea)");
  }, 120_000);
  afterAll(async () => {
    await client?.close();
  });

  it("answers queries with rows in both row modes, values cloned as PGlite gives them", async () => {
    await client.query("insert into items (id, name, at, n, bytes) values ($1, $2, $3, $4, $5)", [1, "one", "2026-01-02T03:04:05.000Z", 9007199254740993n, new Uint8Array([1, 2, 3])]);
    const objects = await client.query<{ id: number; name: string; at: Date; n: bigint; bytes: Uint8Array }>("select * from items where id = $1", [1]);
    expect(objects.rows).toEqual([{ id: 1, name: "one", at: new Date("2026-01-02T03:04:05.000Z"), n: 9007199254740993n, bytes: new Uint8Array([1, 2, 3]) }]);
    expect(objects.fields.map((f) => f.name)).toEqual(["id", "name", "at", "n", "bytes"]);
    const arrays = await client.query("select id, name from items", [], { rowMode: "array" });
    expect(arrays.rows).toEqual([[1, "one"]]);
    const changed = await client.query("update items set name = 'uno' where id = 1");
    expect(changed.affectedRows).toBe(1);
  });

  it("runs the caller's parsers on the text of their types, as drizzle's driver asks", async () => {
    const seen: number[] = [];
    const result = await client.query<{ at: unknown; id: number }>("select at, id from items where id = 1", [], {
      parsers: {
        1184: (value, typeId) => {
          seen.push(typeId);
          return `parsed ${value}`;
        },
      },
    });
    expect(result.rows).toEqual([{ at: "parsed 2026-01-02 03:04:05+00", id: 1 }]);
    expect(seen).toEqual([1184]);
    expect(() => client.query("select 1", [], { onNotice: () => undefined } as never)).rejects.toThrow(/onNotice cannot reach the embedded database thread/);
  });

  it("keeps PostgreSQL's error fields", async () => {
    const error = await client.query("insert into items (id, name) values (2, 'uno')").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "23505", constraint: "items_name_key", message: expect.stringContaining("duplicate key"), detail: "Key (name)=(uno) already exists." });
    const syntax = await client.exec("selec 1").catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: "42601", position: "1" });
  });

  it("commits a transaction's queries together, and queries outside it wait until it ends", async () => {
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    await client.transaction(async (tx) => {
      await tx.query("insert into items (id, name) values (10, 'ten')");
      // Sent while the transaction is open: it must not run inside it, nor before it commits.
      outside = client.query<{ count: number }>("select count(*)::int as count from items where id >= 10").then((r) => order.push(`outside saw ${r.rows[0]!.count}`));
      await tx.query("insert into items (id, name) values (11, 'eleven')");
      const inside = await tx.query<{ count: number }>("select count(*)::int as count from items where id >= 10");
      order.push(`inside saw ${inside.rows[0]!.count}`);
    });
    order.push("committed");
    await outside;
    expect(order).toEqual(["inside saw 2", "committed", "outside saw 2"]);
  });

  it("rolls back when the callback throws, and when asked to", async () => {
    const thrown = await client
      .transaction(async (tx) => {
        await tx.query("insert into items (id, name) values (20, 'twenty')");
        throw new Error("changed my mind");
      })
      .catch((e: unknown) => e);
    expect(thrown).toMatchObject({ message: "changed my mind" });
    await client.transaction(async (tx) => {
      await tx.query("insert into items (id, name) values (21, 'twenty-one')");
      await tx.rollback();
      expect(tx.closed).toBe(true);
      await expect(tx.query("select 1")).rejects.toThrow("Transaction is closed");
    });
    const rows = await client.query("select id from items where id in (20, 21)");
    expect(rows.rows).toEqual([]);
    // Savepoints, as drizzle's nested transactions use them.
    await client.transaction(async (tx) => {
      await tx.query("insert into items (id, name) values (22, 'kept')");
      await tx.query("savepoint sp1");
      await tx.query("insert into items (id, name) values (23, 'undone')");
      await tx.query("rollback to savepoint sp1");
    });
    expect((await client.query("select id from items where id in (22, 23)")).rows).toEqual([{ id: 22 }]);
  });

  it("says a failed commit, as PGlite does", async () => {
    const error = await client
      .transaction(async (tx) => {
        await tx.query("insert into items (id, name) values (30, 'one more')");
        await tx.query("insert into items (id, name) values (30, 'again')").catch(() => undefined);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "25P02" });
    expect((await client.query("select id from items where id = 30")).rows).toEqual([]);
  });
});

describe("the store over the embedded database thread", () => {
  it("maps a conflict, closes, and refuses to be used after close", async () => {
    const store = await openStore({ dataDir: path.join(dir, "store") });
    expect(store.kind).toBe("pglite");
    const user = { id: "u1", email: "ada@example.com", role: "viewer" as const, createdAt: new Date(0) };
    await store.users.create(user);
    const conflict = await store.users.create({ ...user, id: "u2", email: "ADA@example.com" }).catch((e: unknown) => e);
    expect(isAppError(conflict) && conflict.code).toBe("conflict");
    await store.close();
    const after = await store.users.list().catch((e: unknown) => e);
    expect(isAppError(after) && after.code).toBe("store_unavailable");
    // The data dir's lock went with it: the store opens again, on the main thread this time, with the data.
    const again = await openStore({ dataDir: path.join(dir, "store"), embeddedThread: "main" });
    try {
      expect((await again.users.list()).map((u) => u.email)).toEqual(["ada@example.com"]);
    } finally {
      await again.close();
    }
  }, 120_000);

  it("says store_unavailable, and never hangs, when the thread dies", async () => {
    const client = await startPgliteThread(path.join(dir, "crash"), embeddedSettings);
    const slow = client.query("select count(*) from generate_series(1, 50000000)").catch((e: unknown) => e);
    const stopped = new Promise((resolve) => client.thread.once("exit", resolve));
    await client.thread.terminate();
    await stopped;
    const error = await slow;
    expect(error).toMatchObject({ message: expect.stringContaining(threadStoppedMessage) });
    expect(translate(error, { description: "PGlite at here", secrets: [] })).toMatchObject({ code: "store_unavailable", message: expect.stringContaining("PGlite at here is unavailable: the embedded database thread stopped: exited with code 1") });
    await expect(client.query("select 1")).rejects.toThrow(threadStoppedMessage);
    expect(client.closed).toBe(true);
    await client.close();
  }, 120_000);
});
