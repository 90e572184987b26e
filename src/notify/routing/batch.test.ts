import { describe, expect, it } from "vitest";
import type { MessageKind, NotificationMessage } from "../types.ts";
import { batchMessage } from "./batch.ts";
import type { Batch } from "./group.ts";

const msg = (eventId: string, kind: MessageKind, title: string, components: [string, string][] = [["orders-db", "major_outage"]]): NotificationMessage => ({
  kind,
  eventId,
  at: new Date("2026-01-01T00:00:00Z"),
  site: { name: "Shop", url: "https://status.example.com" },
  severity: kind === "incident.resolved" ? "none" : "major",
  title,
  text: `${title} text`,
  markdown: null,
  url: "https://status.example.com/incidents/inc-1",
  dedupKey: "inc-1",
  incident: null,
  components: components.map(([id, status]) => ({ id, name: id, group: null, status, previousStatus: null })),
  labels: {},
});

const batch = (reason: Batch["reason"], messages: NotificationMessage[]): Batch => ({ channelId: "pager", groupKey: '{"channel":"pager"}', reason, messages, firing: [], closed: false });

describe("batchMessage", () => {
  it("delivers a single new message unchanged", () => {
    const only = msg("1", "incident.created", "Outage");
    expect(batchMessage(batch("group_wait", [only]))).toBe(only);
  });

  it("delivers several as the latest, naming the earlier ones oldest first and every component", () => {
    const out = batchMessage(
      batch("group_interval", [msg("1", "incident.updated", "Identified", [["orders-db", "major_outage"]]), msg("2", "incident.updated", "Monitoring", [["api", "degraded_performance"]]), msg("3", "incident.resolved", "Resolved", [["orders-db", "operational"]])]),
    );
    expect(out.kind).toBe("incident.resolved");
    expect(out.eventId).toBe("3");
    expect(out.title).toBe("Resolved");
    expect(out.text).toBe("Resolved text\n\nAlso since the last notification (2):\n- Identified\n- Monitoring");
    expect(out.components.map((c) => `${c.id}=${c.status}`)).toEqual(["orders-db=operational", "api=degraded_performance"]);
  });

  it("names at most ten earlier messages and counts the rest", () => {
    const many = Array.from({ length: 14 }, (_, i) => msg(String(i), "monitor.down", `m${i}`));
    const lines = batchMessage(batch("group_interval", many)).text.split("\n");
    expect(lines.slice(2)).toEqual(["Also since the last notification (13):", "- … and 3 more", ...Array.from({ length: 10 }, (_, i) => `- m${i + 3}`)]);
  });

  it("marks a reminder as still open and lists the others still firing", () => {
    const out = batchMessage(batch("repeat_interval", [msg("1", "monitor.down", "[Down] a", [["a", "major_outage"]]), msg("2", "monitor.down", "[Down] b", [["b", "major_outage"]])]));
    expect(out.title).toBe("Still open: [Down] b");
    expect(out.text).toBe("[Down] b text\n\nAlso still open:\n- [Down] a");
    expect(out.components.map((c) => c.id)).toEqual(["a", "b"]);
    expect(batchMessage(batch("repeat_interval", [msg("1", "incident.created", "Outage")])).text).toBe("Outage text");
  });

  it("refuses an empty batch", () => {
    expect(() => batchMessage(batch("group_wait", []))).toThrow(RangeError);
  });
});
