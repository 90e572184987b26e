import { describe, expect, it } from "vitest";
import {
  defaultMaintenancePolicy,
  maintenanceStatuses,
  maintenanceStep,
  manualMaintenanceMove,
  underMaintenance,
  validateWindow,
  type Maintenance,
  type MaintenancePolicy,
  type MaintenanceStatus,
} from "./maintenance.ts";

const t = (hhmmss: string): Date => new Date(`2024-05-01T${hhmmss}Z`);

// Planned from 02:00 to 03:00.
const maintenance = (over: Partial<Maintenance>): Maintenance => ({
  id: "mnt_1",
  componentIds: ["db"],
  scheduledFor: t("02:00:00"),
  scheduledUntil: t("03:00:00"),
  status: "scheduled",
  ...over,
});

describe("maintenanceStatuses and defaultMaintenancePolicy", () => {
  it("lists the statuses in lifecycle order", () => {
    expect(maintenanceStatuses).toEqual(["scheduled", "in_progress", "verifying", "completed"]);
  });

  it("verifies for at most fifteen minutes", () => {
    expect(defaultMaintenancePolicy).toEqual({ verifyMaxMs: 900_000 });
  });
});

describe("maintenanceStep, one step", () => {
  const short: MaintenancePolicy = { verifyMaxMs: 60_000 };

  it.each<[string, Partial<Maintenance>, string, boolean, MaintenancePolicy | undefined, MaintenanceStatus | null]>([
    ["scheduled, before the start", {}, "01:59:59", true, undefined, null],
    ["scheduled, at the start", {}, "02:00:00", true, undefined, "in_progress"],
    ["scheduled, during the window", {}, "02:30:00", false, undefined, "in_progress"],
    ["scheduled, whole window passed unseen", {}, "05:00:00", true, undefined, "in_progress"],
    ["in progress, before the end", { status: "in_progress" }, "02:59:59", true, undefined, null],
    ["in progress, at the end", { status: "in_progress" }, "03:00:00", false, undefined, "verifying"],
    ["in progress, long past the end", { status: "in_progress" }, "05:00:00", true, undefined, "verifying"],
    ["in progress, started early by a person", { status: "in_progress" }, "01:30:00", true, undefined, null],
    ["verifying, healthy", { status: "verifying" }, "03:00:00", true, undefined, "completed"],
    ["verifying, unhealthy, before verifyMaxMs", { status: "verifying" }, "03:14:59", false, undefined, null],
    ["verifying, unhealthy, at verifyMaxMs", { status: "verifying" }, "03:15:00", false, undefined, "completed"],
    ["verifying, unhealthy, at a shorter verifyMaxMs", { status: "verifying" }, "03:01:00", false, short, "completed"],
    ["verifying, unhealthy, zero verifyMaxMs", { status: "verifying" }, "03:00:00", false, { verifyMaxMs: 0 }, "completed"],
    ["verifying early by a person, healthy", { status: "verifying" }, "02:30:00", true, undefined, "completed"],
    ["verifying early by a person, unhealthy", { status: "verifying" }, "02:30:00", false, undefined, null],
    ["completed", { status: "completed" }, "05:00:00", true, undefined, null],
    ["cancelled, scheduled and due", { cancelled: true }, "02:30:00", true, undefined, null],
    ["cancelled, in progress and past the end", { status: "in_progress", cancelled: true }, "04:00:00", true, undefined, null],
    ["cancelled, verifying and healthy", { status: "verifying", cancelled: true }, "03:05:00", true, undefined, null],
    ["not cancelled (explicit false)", { cancelled: false }, "02:00:00", true, undefined, "in_progress"],
    ["scheduled, invalid start", { scheduledFor: new Date(Number.NaN) }, "02:30:00", true, undefined, null],
    ["in progress, invalid end", { status: "in_progress", scheduledUntil: new Date(Number.NaN) }, "04:00:00", true, undefined, null],
  ])("%s", (_name, over, at, healthy, policy, to) => {
    const step = maintenanceStep(maintenance(over), t(at), healthy, policy);
    expect(step?.to ?? null).toBe(to);
    if (step !== null) {
      expect(step.reason).not.toBe("");
      // Every automatic move is also one a person could make.
      expect(manualMaintenanceMove(over.status ?? "scheduled", step.to)).toBeNull();
    }
  });

  it.each<[string, Partial<Maintenance>, string, boolean, string]>([
    ["a start", {}, "02:00:00", true, "scheduled start 2024-05-01T02:00:00.000Z reached"],
    ["a missed window", {}, "05:00:00", true, "the whole window (until 2024-05-01T03:00:00.000Z) passed unseen; starting it to catch up"],
    ["an end", { status: "in_progress" }, "03:00:00", true, "scheduled end 2024-05-01T03:00:00.000Z reached"],
    ["healthy components", { status: "verifying" }, "03:01:00", true, "every component is healthy"],
    [
      "a verification timeout",
      { status: "verifying" },
      "03:15:00",
      false,
      "verification time ran out (verifyMaxMs 900000 past the scheduled end) with components still unhealthy",
    ],
  ])("gives the reason for %s", (_name, over, at, healthy, reason) => {
    expect(maintenanceStep(maintenance(over), t(at), healthy)?.reason).toBe(reason);
  });

  it.each<[MaintenancePolicy]>([[{ verifyMaxMs: -1 }], [{ verifyMaxMs: Number.NaN }], [{ verifyMaxMs: Number.POSITIVE_INFINITY }]])(
    "refuses the policy %j",
    (bad) => {
      expect(() => maintenanceStep(maintenance({}), t("02:00:00"), true, bad)).toThrow(RangeError);
    },
  );
});

// Steps a maintenance repeatedly at explicit times (with the components' health then) and lists the moves.
function replay(steps: readonly [at: string, healthy: boolean][], start: Partial<Maintenance> = {}): string[] {
  let m = maintenance(start);
  const moves: string[] = [];
  for (const [at, healthy] of steps) {
    const step = maintenanceStep(m, t(at), healthy);
    if (step === null) continue;
    m = { ...m, status: step.to };
    moves.push(`${at} ${step.to}`);
  }
  return moves;
}

describe("maintenanceStep, timelines", () => {
  it.each<[string, [string, boolean][], string[]]>([
    [
      "on schedule, healthy at once after the work",
      [["01:59:00", true], ["02:00:00", true], ["02:59:00", false], ["03:00:00", false], ["03:01:00", true], ["03:02:00", true]],
      ["02:00:00 in_progress", "03:00:00 verifying", "03:01:00 completed"],
    ],
    [
      "components stay unhealthy: completed when verification runs out",
      [["02:00:00", true], ["03:00:00", false], ["03:10:00", false], ["03:15:00", false], ["03:20:00", false]],
      ["02:00:00 in_progress", "03:00:00 verifying", "03:15:00 completed"],
    ],
    [
      "whole window missed while Vigil was down: one status per step, none skipped",
      [["05:00:00", true], ["05:00:00", true], ["05:00:00", true], ["05:00:00", true]],
      ["05:00:00 in_progress", "05:00:00 verifying", "05:00:00 completed"],
    ],
    [
      "window missed, unhealthy on return: verification already ran out",
      [["05:00:00", false], ["05:00:01", false], ["05:00:02", false]],
      ["05:00:00 in_progress", "05:00:01 verifying", "05:00:02 completed"],
    ],
  ])("%s", (_name, steps, expected) => {
    expect(replay(steps)).toEqual(expected);
  });

  it("leaves a cancelled maintenance where it is for good", () => {
    expect(replay([["02:00:00", true], ["03:00:00", true], ["05:00:00", true]], { status: "in_progress", cancelled: true })).toEqual([]);
  });
});

describe("underMaintenance", () => {
  const now = t("02:30:00");

  it.each<[string, Maintenance[], string[]]>([
    ["none", [], []],
    ["in progress", [maintenance({ status: "in_progress", componentIds: ["db", "api"] })], ["db", "api"]],
    ["scheduled and due by the clock (not by time alone)", [maintenance({})], []],
    ["verifying", [maintenance({ status: "verifying" })], []],
    ["completed", [maintenance({ status: "completed" })], []],
    ["in progress but cancelled", [maintenance({ status: "in_progress", cancelled: true })], []],
    ["in progress before its scheduled start (started early)", [maintenance({ status: "in_progress", scheduledFor: t("04:00:00"), scheduledUntil: t("05:00:00") })], ["db"]],
    ["in progress past its scheduled end (not yet stepped)", [maintenance({ status: "in_progress", scheduledUntil: t("02:10:00") })], ["db"]],
    [
      "several, overlapping components counted once",
      [
        maintenance({ id: "a", status: "in_progress", componentIds: ["db", "api"] }),
        maintenance({ id: "b", status: "in_progress", componentIds: ["api", "web"] }),
        maintenance({ id: "c", status: "verifying", componentIds: ["cdn"] }),
      ],
      ["db", "api", "web"],
    ],
  ])("%s", (_name, list, expected) => {
    expect([...underMaintenance(list, now)]).toEqual(expected);
  });
});

describe("validateWindow", () => {
  it.each<[string, Date, Date, string | null]>([
    ["an hour", t("02:00:00"), t("03:00:00"), null],
    ["one millisecond", t("02:00:00"), new Date(t("02:00:00").getTime() + 1), null],
    ["empty", t("02:00:00"), t("02:00:00"), "the end (2024-05-01T02:00:00.000Z) must be after the start (2024-05-01T02:00:00.000Z)"],
    ["reversed", t("03:00:00"), t("02:00:00"), "the end (2024-05-01T02:00:00.000Z) must be after the start (2024-05-01T03:00:00.000Z)"],
    ["invalid start", new Date("soon"), t("03:00:00"), "the start is not a valid date"],
    ["invalid end", t("02:00:00"), new Date(Number.NaN), "the end is not a valid date"],
    ["both invalid", new Date(Number.NaN), new Date(Number.NaN), "the start is not a valid date"],
  ])("%s", (_name, from, until, expected) => {
    expect(validateWindow(from, until)).toBe(expected);
  });
});

describe("manualMaintenanceMove", () => {
  it.each<[MaintenanceStatus, MaintenanceStatus, string | null]>([
    ["scheduled", "in_progress", null],
    ["in_progress", "verifying", null],
    ["in_progress", "completed", null],
    ["verifying", "completed", null],
    ["scheduled", "scheduled", "scheduled → scheduled: the maintenance is already in that status"],
    ["in_progress", "in_progress", "in_progress → in_progress: the maintenance is already in that status"],
    ["verifying", "verifying", "verifying → verifying: the maintenance is already in that status"],
    ["completed", "completed", "completed → completed: the maintenance is already in that status"],
    ["scheduled", "verifying", "scheduled → verifying: a maintenance must be in progress before it is verified"],
    ["scheduled", "completed", "scheduled → completed: a maintenance that has not started is cancelled, not completed"],
    ["in_progress", "scheduled", "in_progress → scheduled: a maintenance never moves backwards"],
    ["verifying", "scheduled", "verifying → scheduled: a maintenance never moves backwards"],
    ["verifying", "in_progress", "verifying → in_progress: a maintenance never moves backwards"],
    ["completed", "scheduled", "completed → scheduled: a completed maintenance is final"],
    ["completed", "in_progress", "completed → in_progress: a completed maintenance is final"],
    ["completed", "verifying", "completed → verifying: a completed maintenance is final"],
  ])("%s → %s", (from, to, expected) => {
    expect(manualMaintenanceMove(from, to)).toBe(expected);
  });
});
