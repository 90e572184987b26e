import { describe, expect, it } from "vitest";
import type { MessageKind, NotificationMessage } from "../types.ts";
import { SilenceSchema, type Silence } from "./config.ts";
import { muteReason, silenceActive } from "./mute.ts";

const t = (hhmmss: string): Date => new Date(`2026-01-01T${hhmmss}Z`);

const message = (kind: MessageKind, componentIds: string[] = ["orders-db"]): NotificationMessage => ({
  kind,
  eventId: "ev-1",
  at: t("10:00:00"),
  site: { name: "Shop", url: "https://status.example.com" },
  severity: "major",
  title: "",
  text: "",
  markdown: null,
  url: "https://status.example.com",
  dedupKey: "incident:inc-1",
  incident: null,
  components: componentIds.map((id) => ({ id, name: id, group: null, status: "major_outage", previousStatus: "operational" })),
  labels: { region: "eu" },
});

const silence = (id: string, matchers: Record<string, unknown>, from: string, to: string, comment = "drill"): Silence =>
  SilenceSchema.parse({ id, matchers, starts_at: t(from), ends_at: t(to), created_by: "ana", comment });

describe("silenceActive", () => {
  const s = silence("s1", { kind: "*" }, "10:00:00", "12:00:00");
  it.each<[string, boolean]>([
    ["09:59:59", false],
    ["10:00:00", true],
    ["11:59:59", true],
    ["12:00:00", false],
  ])("at %s", (now, expected) => {
    expect(silenceActive(s, t(now))).toBe(expected);
  });
});

describe("muteReason, silences", () => {
  const silences = [
    silence("db-drill", { component: "orders-db" }, "10:00:00", "12:00:00"),
    silence("eu-pages", { labels: { region: "eu" }, kind: "monitor.*" }, "11:00:00", "11:30:00", ""),
  ];

  it.each<[string, NotificationMessage, string, string | null]>([
    ["before the window", message("incident.created"), "09:59:59", null],
    ["at the start (included)", message("incident.created"), "10:00:00", "silenced by db-drill until 2026-01-01T12:00:00.000Z (ana: drill)"],
    ["inside", message("incident.created"), "11:15:00", "silenced by db-drill until 2026-01-01T12:00:00.000Z (ana: drill)"],
    ["just before the end", message("incident.created"), "11:59:59.999", "silenced by db-drill until 2026-01-01T12:00:00.000Z (ana: drill)"],
    ["at the end (excluded)", message("incident.created"), "12:00:00", null],
    ["matchers do not match", message("incident.created", ["api"]), "11:15:00", null],
    ["a resolution is silenced too", message("incident.resolved"), "11:15:00", "silenced by db-drill until 2026-01-01T12:00:00.000Z (ana: drill)"],
    ["the second silence, without comment", message("monitor.down", ["api"]), "11:15:00", "silenced by eu-pages until 2026-01-01T11:30:00.000Z (ana)"],
    ["the second silence, kind not matched", message("incident.created", ["api"]), "11:15:00", null],
    ["the first matching silence in order", message("monitor.down"), "11:15:00", "silenced by db-drill until 2026-01-01T12:00:00.000Z (ana: drill)"],
    ["a message neither silence matches", message("test", []), "11:15:00", null],
  ])("%s", (_name, msg, now, expected) => {
    expect(muteReason(msg, { silences, maintenanceComponentIds: [], now: t(now) })).toBe(expected);
  });

  it("a kind: * silence mutes everything, tests included", () => {
    const all = [silence("all", { kind: "*" }, "10:00:00", "11:00:00")];
    expect(muteReason(message("test", []), { silences: all, maintenanceComponentIds: [], now: t("10:30:00") })).toBe(
      "silenced by all until 2026-01-01T11:00:00.000Z (ana: drill)",
    );
  });
});

describe("muteReason, maintenance", () => {
  it.each<[string, NotificationMessage, string[], string | null]>([
    ["its only component under maintenance", message("monitor.down"), ["orders-db"], "every component is under maintenance: orders-db"],
    ["every component under maintenance", message("incident.created", ["orders-db", "api"]), ["api", "orders-db", "web"], "every component is under maintenance: api, orders-db"],
    ["one component of two under maintenance", message("incident.created", ["orders-db", "api"]), ["orders-db"], null],
    ["nothing under maintenance", message("incident.created"), [], null],
    ["a resolution", message("incident.resolved"), ["orders-db"], "every component is under maintenance: orders-db"],
    ["a message without components", message("incident.updated", []), ["orders-db"], null],
    ["maintenance.scheduled is never muted by maintenance", message("maintenance.scheduled"), ["orders-db"], null],
    ["maintenance.in_progress", message("maintenance.in_progress"), ["orders-db"], null],
    ["maintenance.completed", message("maintenance.completed"), ["orders-db"], null],
    ["test", message("test"), ["orders-db"], null],
    ["an action run waiting for approval is never muted by maintenance", message("action.approval_requested"), ["orders-db"], null],
    ["an action's approval not given in time", message("action.approval_timed_out"), ["orders-db"], null],
    ["a recovery ramp aborted", message("action.ramp_aborted"), ["orders-db"], null],
    ["window.closed is", message("window.closed"), ["orders-db"], "every component is under maintenance: orders-db"],
  ])("%s", (_name, msg, maintained, expected) => {
    expect(muteReason(msg, { silences: [], maintenanceComponentIds: new Set(maintained), now: t("10:00:00") })).toBe(expected);
  });

  it("says a silence before maintenance", () => {
    const silences = [silence("s1", { component: "orders-db" }, "09:00:00", "11:00:00")];
    expect(muteReason(message("monitor.down"), { silences, maintenanceComponentIds: ["orders-db"], now: t("10:00:00") })).toBe(
      "silenced by s1 until 2026-01-01T11:00:00.000Z (ana: drill)",
    );
  });
});
