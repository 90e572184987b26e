import { describe, expect, it } from "vitest";
import { buildGraph } from "../../incidents/graph.ts";
import type { MessageKind, NotificationMessage } from "../types.ts";
import { inhibitedBy, sentTo, type SentNotification } from "./inhibit.ts";

const hard = (id: string) => ({ id, soft: false });
const soft = (id: string) => ({ id, soft: true });

// orders-db → api → checkout, api ⇢ search (soft); diamond db → api-a, db → api-b, both → web; dns stands apart.
const graph = buildGraph([
  { id: "orders-db", dependsOn: [] },
  { id: "api", dependsOn: [hard("orders-db")] },
  { id: "checkout", dependsOn: [hard("api")] },
  { id: "search", dependsOn: [soft("api")] },
  { id: "db", dependsOn: [] },
  { id: "api-a", dependsOn: [hard("db")] },
  { id: "api-b", dependsOn: [hard("db")] },
  { id: "web", dependsOn: [hard("api-a"), hard("api-b")] },
  { id: "dns", dependsOn: [] },
]);

const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 10, minute));

const message = (kind: MessageKind, componentIds: string[], incidentId: string | null = "inc-1"): NotificationMessage => ({
  kind,
  eventId: "ev-9",
  at: at(30),
  site: { name: "Shop", url: "https://status.example.com" },
  severity: "major",
  title: "",
  text: "",
  markdown: null,
  url: "https://status.example.com",
  dedupKey: incidentId === null ? `monitor:${componentIds.join(",")}` : `incident:${incidentId}`,
  incident:
    incidentId === null
      ? null
      : { id: incidentId, name: "Outage", status: "investigating", impact: "major", startedAt: at(0), resolvedAt: null, rootIds: ["orders-db"], impactedIds: [] },
  components: componentIds.map((id) => ({ id, name: id, group: null, status: "major_outage", previousStatus: "operational" })),
  labels: {},
});

const sent = (kind: MessageKind, componentIds: string[], minute: number, incidentId: string | null = "inc-1", channelId = "pager"): SentNotification => ({
  incidentId,
  componentIds,
  kind,
  channelId,
  at: at(minute),
});

const dbPaged = [sent("incident.created", ["orders-db"], 0)];

describe("inhibitedBy", () => {
  it.each<[string, NotificationMessage, SentNotification[], string | null]>([
    // The chain orders-db → api → checkout.
    ["nothing sent yet", message("monitor.down", ["api"]), [], null],
    ["api after orders-db was paged", message("monitor.down", ["api"]), dbPaged, "api downstream of orders-db, already notified for incident inc-1"],
    ["checkout, two hops down", message("monitor.down", ["checkout"]), dbPaged, "checkout downstream of orders-db, already notified for incident inc-1"],
    ["search, over a soft edge", message("monitor.down", ["search"]), dbPaged, "search downstream of orders-db, already notified for incident inc-1"],
    ["api and checkout together", message("incident.updated", ["checkout", "api"]), dbPaged, "api, checkout downstream of orders-db, already notified for incident inc-1"],
    ["checkout after api was paged", message("monitor.down", ["checkout"]), [sent("monitor.down", ["api"], 0)], "checkout downstream of api, already notified for incident inc-1"],
    ["upstream of what was paged", message("monitor.down", ["orders-db"]), [sent("monitor.down", ["api"], 0)], null],
    ["the paged component itself (an update)", message("incident.updated", ["orders-db"]), dbPaged, null],
    ["the root among the components", message("incident.updated", ["orders-db", "api", "checkout"]), dbPaged, null],
    ["one component not downstream", message("incident.updated", ["api", "dns"]), dbPaged, null],
    ["a message without components", message("incident.update_due", []), dbPaged, null],
    // Only the same incident inhibits.
    ["a different incident", message("incident.created", ["api"], "inc-2"), dbPaged, null],
    ["a page outside incidents", message("monitor.down", ["api"]), [sent("monitor.down", ["orders-db"], 0, null)], null],
    ["a message outside incidents", message("monitor.down", ["api"], null), [sent("monitor.down", ["orders-db"], 0, null)], null],
    // The diamond db → api-a, api-b → web.
    ["diamond: web after db", message("monitor.down", ["web"]), [sent("incident.created", ["db"], 0)], "web downstream of db, already notified for incident inc-1"],
    ["diamond: web after one side", message("monitor.down", ["web"]), [sent("monitor.down", ["api-a"], 0)], "web downstream of api-a, already notified for incident inc-1"],
    ["diamond: the other side after one side", message("monitor.down", ["api-b"]), [sent("monitor.down", ["api-a"], 0)], null],
    ["diamond: both sides after db", message("incident.updated", ["api-a", "api-b", "web"]), [sent("incident.created", ["db"], 0)], "api-a, api-b, web downstream of db, already notified for incident inc-1"],
    // A page ends with its recovery.
    ["orders-db recovered since its page", message("monitor.down", ["api"]), [...dbPaged, sent("monitor.up", ["orders-db"], 5)], null],
    ["orders-db paged again after recovering", message("monitor.down", ["api"]), [...dbPaged, sent("monitor.up", ["orders-db"], 5), sent("monitor.down", ["orders-db"], 6)], "api downstream of orders-db, already notified for incident inc-1"],
    ["the incident resolved and reopened", message("monitor.down", ["api"]), [...dbPaged, sent("incident.resolved", ["orders-db"], 5)], null],
    ["order is by time, not by list position", message("monitor.down", ["api"]), [sent("monitor.up", ["orders-db"], 5), ...dbPaged], null],
    // Resolutions.
    ["api up after its down was delivered", message("monitor.up", ["api"]), [...dbPaged, sent("monitor.down", ["api"], 1)], null],
    ["api up after its down was inhibited", message("monitor.up", ["api"]), dbPaged, "api downstream of orders-db, already notified for incident inc-1"],
    ["api up after orders-db recovered, its own down inhibited", message("monitor.up", ["api"]), [...dbPaged, sent("monitor.up", ["orders-db"], 5)], "api downstream of orders-db, already notified for incident inc-1"],
    ["api up, the delivered down was another incident's", message("monitor.up", ["api"]), [...dbPaged, sent("monitor.down", ["api"], 1, "inc-2")], "api downstream of orders-db, already notified for incident inc-1"],
    ["incident resolved after its page", message("incident.resolved", ["api"]), dbPaged, null],
    ["incident resolved, nothing sent", message("incident.resolved", ["api"]), [], null],
    // Kinds that are never inhibited.
    ["maintenance", message("maintenance.in_progress", ["api"]), dbPaged, null],
    ["test", message("test", ["api"]), dbPaged, null],
    ["window.closed", message("window.closed", ["api"]), dbPaged, null],
  ])("%s", (_name, msg, already, expected) => {
    expect(inhibitedBy(msg, already, graph)).toBe(expected);
  });
});

// As messageFromEvent builds them: an incident's messages name its roots and impact, a monitor's name no incident.
describe("inhibitedBy, monitor messages outside incidents", () => {
  const incidentPaged = [sent("incident.created", ["orders-db", "api", "checkout", "search"], 0)];
  const diamondPaged = [sent("incident.created", ["db", "api-a", "api-b", "web"], 0, "inc-2")];
  const down = (ids: string[]) => message("monitor.down", ids, null);
  const up = (ids: string[]) => message("monitor.up", ids, null);

  it.each<[string, NotificationMessage, SentNotification[], string | null]>([
    ["api's monitor after the incident's page", down(["api"]), incidentPaged, "api downstream of orders-db, already notified for incident inc-1"],
    ["checkout's monitor", down(["checkout"]), incidentPaged, "checkout downstream of orders-db, already notified for incident inc-1"],
    ["the root's own monitor", down(["orders-db"]), incidentPaged, null],
    ["a monitor on the root and api", down(["orders-db", "api"]), incidentPaged, null],
    ["a monitor elsewhere", down(["dns"]), incidentPaged, null],
    ["nothing paged", down(["api"]), [], null],
    ["the incident resolved since", down(["api"]), [...incidentPaged, sent("incident.resolved", ["orders-db", "api", "checkout", "search"], 20)], null],
    ["the paging incident found among two", down(["web"]), [...incidentPaged, ...diamondPaged], "web downstream of db, already notified for incident inc-2"],
    ["a monitor page pages nothing", down(["api"]), [sent("monitor.down", ["orders-db"], 0, null)], null],
    // Resolutions.
    ["api up after its down was delivered", up(["api"]), [sent("monitor.down", ["api"], 1, null)], null],
    ["api up after its down was inhibited", up(["api"]), incidentPaged, "api downstream of orders-db, already notified for incident inc-1"],
    [
      "api up, its down inhibited, the incident resolved since",
      up(["api"]),
      [...incidentPaged, sent("incident.resolved", ["orders-db", "api", "checkout", "search"], 20)],
      "api downstream of orders-db, already notified for incident inc-1",
    ],
    [
      "api up, its latest down inhibited though an older one was delivered",
      up(["api"]),
      [sent("monitor.down", ["api"], 1, null), sent("monitor.up", ["api"], 2, null), ...incidentPaged],
      "api downstream of orders-db, already notified for incident inc-1",
    ],
    ["root up after its down was delivered", up(["orders-db"]), [...incidentPaged, sent("monitor.down", ["orders-db"], 1, null)], null],
    ["the root up, its down never delivered", up(["orders-db"]), incidentPaged, null],
  ])("%s", (_name, msg, already, expected) => {
    expect(inhibitedBy(msg, already, graph)).toBe(expected);
  });
});

describe("inhibitedBy, merged incidents", () => {
  const merged = { "inc-2": "inc-1" };

  it.each<[string, NotificationMessage, SentNotification[], string | null]>([
    ["a message about the merged incident", message("monitor.down", ["api"], "inc-2"), [], "incident inc-2 was merged into incident inc-1"],
    ["its resolution, nothing of it delivered", message("incident.resolved", ["api"], "inc-2"), dbPaged, "incident inc-2 was merged into incident inc-1"],
    ["its resolution after its page", message("incident.resolved", ["api"], "inc-2"), [sent("incident.created", ["api"], 0, "inc-2")], null],
    ["the survivor, downstream of the merged one's page", message("monitor.down", ["checkout"]), [sent("incident.created", ["api"], 0, "inc-2")], "checkout downstream of api, already notified for incident inc-1"],
    ["the merged one's resolution does not end the survivor's page", message("monitor.down", ["api"]), [...dbPaged, sent("incident.resolved", ["api"], 3, "inc-2")], "api downstream of orders-db, already notified for incident inc-1"],
    ["an unrelated incident", message("monitor.down", ["api"], "inc-3"), dbPaged, null],
  ])("%s", (_name, msg, already, expected) => {
    expect(inhibitedBy(msg, already, graph, merged)).toBe(expected);
  });

  it("follows a chain of merges", () => {
    expect(inhibitedBy(message("monitor.down", ["dns"], "inc-3"), [], graph, { "inc-3": "inc-2", "inc-2": "inc-1" })).toBe("incident inc-3 was merged into incident inc-1");
  });
});

describe("sentTo", () => {
  it("keeps one channel's notifications, so a page on one channel never inhibits another", () => {
    const all = [sent("incident.created", ["orders-db"], 0, "inc-1", "pager"), sent("incident.created", ["orders-db"], 0, "inc-1", "chat")];
    expect(sentTo("chat", all)).toEqual([all[1]]);
    expect(inhibitedBy(message("monitor.down", ["api"]), sentTo("email", all), graph)).toBe(null);
  });
});
