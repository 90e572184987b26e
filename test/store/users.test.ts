// Console users, sessions and set-password links: the same tests on PGlite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";

const t0 = new Date("2026-11-25T12:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`users store on ${backend.name}`, () => {
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

    it("creates users, finds them by email whatever its case, lists them oldest first", async () => {
      await store.users.create({ id: "usr_one", email: "Ada@Example.com", role: "owner", createdAt: at(1) });
      await store.users.create({ id: "usr_two", email: "bob@example.com", role: "viewer", createdAt: at(2) });
      expect(await store.users.get("usr_one")).toEqual({
        id: "usr_one", email: "Ada@Example.com", role: "owner", passwordHash: null, createdAt: at(1), updatedAt: at(1), disabledAt: null,
      });
      expect((await store.users.byEmail("ada@example.COM"))?.id).toBe("usr_one");
      expect(await store.users.byEmail("nobody@example.com")).toBeUndefined();
      expect((await store.users.list()).map((u) => u.id)).toEqual(["usr_one", "usr_two"]);
    });

    it("refuses a second user with the same email in another case as a conflict, and an unknown role", async () => {
      const error = await store.users.create({ id: "usr_three", email: "ADA@example.com", role: "admin", createdAt: at(3) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("conflict");
      await expect(store.users.create({ id: "usr_four", email: "x@example.com", role: "root" as "owner", createdAt: at(3) })).rejects.toThrow();
    });

    it("sets a password hash and disables a user", async () => {
      expect(await store.users.setPassword("usr_two", "$argon2id$v=19$m=19456,t=2,p=1$abc$def", at(5))).toBe(true);
      expect(await store.users.setPassword("usr_missing", "x", at(5))).toBe(false);
      expect(await store.users.get("usr_two")).toMatchObject({ passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$abc$def", updatedAt: at(5) });
      expect(await store.users.setDisabled("usr_two", at(6), at(6))).toBe(true);
      expect((await store.users.get("usr_two"))?.disabledAt).toEqual(at(6));
      await store.users.setDisabled("usr_two", null, at(7));
      expect((await store.users.get("usr_two"))?.disabledAt).toBeNull();
    });

    it("keeps sessions by hash, touches forward only, ends one or all of a user's, prunes expired and idle ones", async () => {
      const session = (idHash: string, userId: string, seconds: number, expires: number) => ({
        idHash, userId, createdAt: at(seconds), lastSeenAt: at(seconds), expiresAt: at(expires), address: "192.0.2.1", userAgent: "Mozilla/5.0",
      });
      await store.sessions.create(session("a".repeat(64), "usr_one", 10, 1000));
      await store.sessions.create(session("b".repeat(64), "usr_one", 11, 1000));
      await store.sessions.create(session("c".repeat(64), "usr_two", 12, 1000));
      expect(await store.sessions.get("a".repeat(64))).toEqual(session("a".repeat(64), "usr_one", 10, 1000));
      await store.sessions.touch("a".repeat(64), at(50));
      await store.sessions.touch("a".repeat(64), at(40));
      expect((await store.sessions.get("a".repeat(64)))?.lastSeenAt).toEqual(at(50));

      expect(await store.sessions.remove("c".repeat(64))).toBe(true);
      expect(await store.sessions.remove("c".repeat(64))).toBe(false);
      expect(await store.sessions.removeAllOf("usr_one")).toBe(2);
      expect(await store.sessions.get("a".repeat(64))).toBeUndefined();

      await store.sessions.create(session("d".repeat(64), "usr_one", 100, 200)); // absolute end at 200
      await store.sessions.create(session("e".repeat(64), "usr_one", 100, 9000)); // idle since 100
      await store.sessions.create(session("f".repeat(64), "usr_one", 300, 9000)); // active
      expect(await store.sessions.prune(at(250), at(150))).toBe(2);
      expect(await store.sessions.get("f".repeat(64))).toBeDefined();
    });

    it("uses a set-password link once, and never after it expired", async () => {
      await store.passwordLinks.create({ tokenHash: "1".repeat(64), userId: "usr_one", createdAt: at(0), expiresAt: at(100) });
      await store.passwordLinks.create({ tokenHash: "2".repeat(64), userId: "usr_one", createdAt: at(0), expiresAt: at(100) });
      expect(await store.passwordLinks.get("1".repeat(64))).toEqual({ tokenHash: "1".repeat(64), userId: "usr_one", createdAt: at(0), expiresAt: at(100), usedAt: null, purpose: "password" });
      const [first, second] = await Promise.all([store.passwordLinks.use("1".repeat(64), at(10)), store.passwordLinks.use("1".repeat(64), at(10))]);
      expect([first, second].filter((u) => u !== undefined)).toEqual(["usr_one"]);
      expect((await store.passwordLinks.get("1".repeat(64)))?.usedAt).toEqual(at(10));
      expect(await store.passwordLinks.use("2".repeat(64), at(100))).toBeUndefined();
      expect(await store.passwordLinks.use("9".repeat(64), at(10))).toBeUndefined();
    });

    it("keeps invitation links apart, tells who has one open until when, and spends a user's open links at once", async () => {
      await store.users.create({ id: "usr_inv", email: "inv@example.com", role: "viewer", createdAt: at(0) });
      await store.passwordLinks.create({ tokenHash: "3".repeat(64), userId: "usr_inv", createdAt: at(0), expiresAt: at(50), purpose: "invite" });
      await store.passwordLinks.create({ tokenHash: "4".repeat(64), userId: "usr_inv", createdAt: at(1), expiresAt: at(60), purpose: "invite" });
      expect((await store.passwordLinks.get("3".repeat(64)))?.purpose).toBe("invite");
      expect((await store.passwordLinks.openUntil("invite")).get("usr_inv")).toEqual(at(60));
      expect(await store.passwordLinks.revokeAllOf("usr_inv", at(2))).toBe(2);
      expect((await store.passwordLinks.openUntil("invite")).has("usr_inv")).toBe(false);
      expect(await store.passwordLinks.use("4".repeat(64), at(3))).toBeUndefined();
    });

    it("enrols a second factor from its pending secret once, accepts each time step once, spends a recovery code once", async () => {
      const sf = store.secondFactors;
      expect(await sf.get("usr_two")).toBeUndefined();
      expect(await sf.begin("usr_two", "PENDINGONE")).toBe(true);
      expect(await sf.begin("usr_two", "PENDINGTWO")).toBe(true);
      expect(await sf.enable("usr_two", "PENDINGONE", at(5), 100, ["a".repeat(64)])).toBe(false);
      expect(await sf.useStep("usr_two", 101)).toBe(false);
      expect(await sf.enable("usr_two", "PENDINGTWO", at(5), 100, ["a".repeat(64), "b".repeat(64)])).toBe(true);
      expect(await sf.get("usr_two")).toEqual({ userId: "usr_two", secret: "PENDINGTWO", pendingSecret: null, enabledAt: at(5), lastStep: 100 });
      expect(await sf.begin("usr_two", "PENDINGTHREE")).toBe(false);
      expect([...(await sf.enabledUserIds())]).toEqual(["usr_two"]);
      expect(await sf.useStep("usr_two", 100)).toBe(false);
      expect(await sf.useStep("usr_two", 99)).toBe(false);
      const [x, y] = await Promise.all([sf.useStep("usr_two", 101), sf.useStep("usr_two", 101)]);
      expect([x, y].filter(Boolean)).toHaveLength(1);
      expect(await sf.recoveryCodesLeft("usr_two")).toBe(2);
      const [p, q] = await Promise.all([sf.useRecoveryCode("usr_two", "a".repeat(64), at(6)), sf.useRecoveryCode("usr_two", "a".repeat(64), at(6))]);
      expect([p, q].filter(Boolean)).toHaveLength(1);
      expect(await sf.useRecoveryCode("usr_one", "b".repeat(64), at(6))).toBe(false);
      expect(await sf.recoveryCodesLeft("usr_two")).toBe(1);
      expect(await sf.remove("usr_two")).toBe(true);
      expect(await sf.get("usr_two")).toBeUndefined();
      expect(await sf.recoveryCodesLeft("usr_two")).toBe(0);
      expect(await sf.remove("usr_two")).toBe(false);
    });

    it("keeps sign-in challenges by hash, ends each once, prunes the ended ones", async () => {
      await store.loginChallenges.create({ idHash: "c".repeat(64), userId: "usr_one", createdAt: at(0), expiresAt: at(300) });
      await store.loginChallenges.create({ idHash: "d".repeat(64), userId: "usr_one", createdAt: at(0), expiresAt: at(100) });
      expect(await store.loginChallenges.get("c".repeat(64))).toEqual({ idHash: "c".repeat(64), userId: "usr_one", createdAt: at(0), expiresAt: at(300) });
      expect(await store.loginChallenges.prune(at(100))).toBe(1);
      expect(await store.loginChallenges.get("d".repeat(64))).toBeUndefined();
      const [a, b] = await Promise.all([store.loginChallenges.remove("c".repeat(64)), store.loginChallenges.remove("c".repeat(64))]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
    });

    it("refuses a session for a user that does not exist", async () => {
      await expect(store.sessions.create({ idHash: "8".repeat(64), userId: "usr_nobody", createdAt: at(1), lastSeenAt: at(1), expiresAt: at(99), address: null, userAgent: null })).rejects.toThrow();
    });
  });
}
