import { describe, expect, it } from "vitest";
import { feedItem, guessImpact, guidBase, ItemFeedConfig, itemsSnapshot, maintenanceStatus, statusOfImpacts, titleKey, type FeedItem } from "./items.ts";

const now = new Date("2026-11-27T18:00:00Z");
const ctx = { now, url: "https://status.example.com/feed.rss" };
const config = ItemFeedConfig.parse({ url: ctx.url });

function item(key: string, title: string, minutesAgo: number, extra: Partial<FeedItem> = {}): FeedItem {
  const at = new Date(now.getTime() - minutesAgo * 60_000);
  return { key, title, text: "", url: null, publishedAt: at, updatedAt: at, maintenance: false, ...extra };
}

describe("thread keys", () => {
  it("takes status words and bracketed tags off titles", () => {
    expect(titleKey("Service is operating normally: [RESOLVED] Increased API Error Rates")).toBe("increased api error rates");
    expect(titleKey("Informational message: Increased API Error Rates")).toBe("increased api error rates");
    expect(titleKey("Performance issues: Increased API Error Rates")).toBe("increased api error rates");
    expect(titleKey("Resolved - Update: Login failures")).toBe("login failures");
    expect(titleKey("Amazon RDS: Login failures")).toBe("amazon rds: login failures");
  });

  it("takes an update counter off guids, and nothing else", () => {
    expect(guidBase("https://status.example.com/incidents/42#3")).toBe("https://status.example.com/incidents/42");
    expect(guidBase("urn:incident:42#update-12")).toBe("urn:incident:42");
    expect(guidBase("https://status.aws.amazon.com/#rds-us-west-2_1795785120")).toBe("https://status.aws.amazon.com/#rds-us-west-2_1795785120");
  });
});

describe("statuses", () => {
  it("maps open impacts to the worst component status", () => {
    expect(statusOfImpacts([])).toBe("operational");
    expect(statusOfImpacts(["none"])).toBe("operational");
    expect(statusOfImpacts(["minor"])).toBe("degraded_performance");
    expect(statusOfImpacts(["minor", "major"])).toBe("partial_outage");
    expect(statusOfImpacts(["critical", "minor"])).toBe("major_outage");
  });

  it("guesses impact from words", () => {
    expect(guessImpact("Increased latency")).toBe("minor");
    expect(guessImpact("Partial outage of EC2")).toBe("major");
    expect(guessImpact("Console unavailable")).toBe("major");
    expect(guessImpact("Network disruption")).toBe("major");
    expect(guessImpact("Throughput is down slightly")).toBe("minor");
  });

  it("reads a maintenance's status from its first label", () => {
    expect(maintenanceStatus("In progress · Scheduled for Nov 27 ...")).toBe("in_progress");
    expect(maintenanceStatus("Completed - The work is done. Scheduled - We will ...")).toBe("completed");
    expect(maintenanceStatus("Replacing a switch.")).toBe("scheduled");
  });
});

describe("feedItem", () => {
  it("skips an item with nothing to say, or with an unreadable date", () => {
    const raw = { key: "k", title: "", text: "", url: null, published: [], updated: [], maintenance: false };
    expect(feedItem(raw, now)).toBeUndefined();
    expect(feedItem({ ...raw, title: "T", published: ["not a date"] }, now)).toBeUndefined();
    expect(feedItem({ ...raw, title: "T" }, now)).toMatchObject({ key: "k", publishedAt: now, updatedAt: now });
  });

  it("falls back to the link, then the title, for a key", () => {
    const raw = { key: undefined, title: "T", text: "", url: "https://x.example/1", published: [], updated: [], maintenance: false };
    expect(feedItem(raw, now)?.key).toBe("https://x.example/1");
    expect(feedItem({ ...raw, url: null }, now)?.key).toBe("T");
  });
});

describe("itemsSnapshot", () => {
  it("threads items by title and guid, resolved by the newest", () => {
    const snapshot = itemsSnapshot(
      {
        title: "Example",
        items: [
          item("a1", "Informational message: Errors", 50),
          item("a2", "Service is operating normally: [RESOLVED] Errors", 10, { text: "resolved" }),
          item("b1", "Outage of the API", 30),
        ],
      },
      config,
      ctx,
    );
    expect(snapshot.incidents.map((i) => [i.id, i.status, i.impact])).toEqual([
      ["a1", "resolved", "minor"],
      ["b1", "investigating", "major"],
    ]);
    expect(snapshot.components).toEqual([{ id: "Example", name: "Example", group: null, status: "partial_outage" }]);
  });

  it("names the component by the feed's host when there is no title", () => {
    expect(itemsSnapshot({ title: "", items: [] }, config, ctx).components[0]?.name).toBe("status.example.com");
  });

  it("is under maintenance while a maintenance is in progress and nothing else is open", () => {
    const snapshot = itemsSnapshot({ title: "X", items: [item("m", "Upgrade", 5, { maintenance: true, text: "In progress - upgrading." })] }, config, ctx);
    expect(snapshot.incidents).toEqual([]);
    expect(snapshot.maintenances).toEqual([{ id: "m", title: "Upgrade", status: "in_progress", url: null, scheduledFor: null, scheduledUntil: null, components: ["X"] }]);
    expect(snapshot.components[0]?.status).toBe("under_maintenance");
  });
});
