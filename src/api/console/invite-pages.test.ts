import { describe, expect, it } from "vitest";
import type { UserRow } from "../../store/types.ts";
import { userStatus } from "./invite-pages.ts";

const now = new Date("2026-12-01T09:00:00Z");
const user = (over: Partial<UserRow>): UserRow => ({ id: "usr_a", email: "a@example.com", role: "viewer", passwordHash: null, createdAt: now, updatedAt: now, disabledAt: null, ...over });

describe("a user's status on the users page", () => {
  it.each([
    ["disabled", user({ passwordHash: "$argon2id$…", disabledAt: now }), undefined],
    ["active", user({ passwordHash: "$argon2id$…" }), undefined],
    ["no password yet", user({}), undefined],
    ["invited, until 2026-12-01T10:00:00.000Z", user({}), new Date("2026-12-01T10:00:00Z")],
    ["invitation expired", user({}), now],
  ])("reads %s", (status, row, invitedUntil) => {
    expect(userStatus(row, invitedUntil, now)).toBe(status);
  });
});
