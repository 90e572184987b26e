// A responder's update sent with notify false reaches no subscriber; the same update without it does.
import { describe, expect, it } from "vitest";
import { subscriberEvent } from "./subscriber-plan.ts";

describe("subscriberEvent and notify", () => {
  const publishedAt = new Date("2026-12-01T09:00:00Z");
  const update = (data: Record<string, unknown>) => ({ id: "evt_1", at: new Date("2026-12-01T09:05:00Z"), kind: "incident.updated", subject: "inc_0123456789abcdef", data });

  it("tells subscribers of a public update unless it was sent with notify false", () => {
    expect(subscriberEvent(update({ status: "identified" }), publishedAt)?.kind).toBe("incident.updated");
    expect(subscriberEvent(update({ status: "identified", notify: false }), publishedAt)).toBeNull();
    expect(subscriberEvent({ ...update({ status: "resolved", notify: false }), kind: "incident.resolved" }, publishedAt)).toBeNull();
  });
});
