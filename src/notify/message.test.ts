import { describe, expect, it } from "vitest";
import { PublicNames } from "../incidents/public-names.ts";
import { messageFromEvent, statusBefore, type ComponentChange, type MessageContext } from "./message.ts";

const at = new Date("2026-11-27T13:20:06Z");
const ctx: MessageContext = {
  site: { name: "Acme Status", url: "https://status.example.com" },
  components: new Map([
    ["orders-db", { name: "Orders database", group: "Infrastructure", status: "major_outage" }],
    ["api", { name: "Production API", group: null, status: "major_outage" }],
  ]),
  incident: {
    id: "inc_1",
    name: "Orders database outage",
    status: "investigating",
    impact: "critical",
    startedAt: new Date("2026-11-27T13:20:05Z"),
    resolvedAt: null,
    rootIds: ["orders-db"],
    impactedIds: ["api"],
    publishedAt: at,
    latestBody: "We are **investigating**.",
  },
  componentsOfMonitor: (m) => (m === "db-check" ? ["orders-db"] : []),
};

describe("messageFromEvent", () => {
  it("makes an incident message with the latest update, the components and the incident as dedup key", () => {
    const message = messageFromEvent({ id: "7", at, kind: "incident.created", subject: "inc_1", data: {} }, ctx);
    expect(message).toEqual({
      eventId: "7",
      at,
      site: ctx.site,
      labels: {},
      kind: "incident.created",
      severity: "critical",
      title: "[Critical] Orders database outage: investigating",
      text: "We are **investigating**.\nAffected: Orders database, Production API.",
      markdown: "We are **investigating**.",
      url: "https://status.example.com/incidents/inc_1",
      dedupKey: "inc_1",
      incident: { id: "inc_1", name: "Orders database outage", status: "investigating", impact: "critical", startedAt: ctx.incident!.startedAt, resolvedAt: null, rootIds: ["orders-db"], impactedIds: ["api"] },
      components: [
        { id: "orders-db", name: "Orders database", group: "Infrastructure", status: "major_outage", previousStatus: null },
        { id: "api", name: "Production API", group: null, status: "major_outage", previousStatus: null },
      ],
    });
  });

  it("tells responders the vantage point may be cut off, with the evidence, and when it is no longer suspect", () => {
    const suspect = messageFromEvent({ id: "9", at, kind: "vantage.suspect", subject: "local", data: { summary: "31 of 40 monitors and 2 of 2 canaries failed within 10 s" } }, ctx);
    expect(suspect).toMatchObject({ kind: "vantage.suspect", severity: "major", title: "[Vantage] this server may be cut off", dedupKey: "vantage:local", incident: null, components: [], labels: { region: "local" } });
    expect(suspect?.text).toBe("31 of 40 monitors and 2 of 2 canaries failed within 10 s: this server's own network may be cut off, rather than the services. Incidents still open for responders, but nothing is published automatically until this ends or a responder publishes by hand.");
    const restored = messageFromEvent({ id: "10", at, kind: "vantage.restored", subject: "local", data: { reason: "canary dns answers" } }, ctx);
    expect(restored).toMatchObject({ kind: "vantage.restored", severity: "none", dedupKey: "vantage:local" });
    expect(restored?.text).toBe("This server's vantage point is no longer suspect (canary dns answers): automatic publication resumes for new incidents; those held meanwhile are left to responders.");
  });

  it("names the node of a cluster whose vantage point is suspect, and does not say publication is held when it does not lead", () => {
    const data = { summary: "3 of 4 monitors and 1 of 1 canary failed within 10 s", node: "vigil-2" };
    const follower = messageFromEvent({ id: "11", at, kind: "vantage.suspect", subject: "local", data: { ...data, leading: false } }, ctx);
    expect(follower).toMatchObject({ title: "[Vantage] node vigil-2 may be cut off", dedupKey: "vantage:local:vigil-2", labels: { region: "local", node: "vigil-2" } });
    expect(follower?.text).toBe("3 of 4 monitors and 1 of 1 canary failed within 10 s: node vigil-2's own network may be cut off, rather than the services. Incidents still open for responders; this node does not lead the cluster, and the leader, whose own vantage point decides publication, may still publish them.");
    const leader = messageFromEvent({ id: "12", at, kind: "vantage.suspect", subject: "local", data: { ...data, leading: true } }, ctx);
    expect(leader?.text).toMatch(/node vigil-2's own network may be cut off, rather than the services\. Incidents still open for responders, but nothing is published automatically/);
    const restored = messageFromEvent({ id: "13", at, kind: "vantage.restored", subject: "local", data: { node: "vigil-2", leading: false, reason: "canary dns answers" } }, ctx);
    expect(restored).toMatchObject({ title: "[Vantage] node vigil-2 reaches out again", dedupKey: "vantage:local:vigil-2" });
    expect(restored?.text).toBe("Node vigil-2's vantage point is no longer suspect (canary dns answers).");
  });

  it.each([
    ["incident.updated", { status: "identified" }, "incident.updated", "[Critical] Orders database outage: identified"],
    ["incident.reopened", { status: "investigating" }, "incident.updated", "[Critical] Orders database outage: investigating"],
    ["incident.resolved", { status: "resolved" }, "incident.resolved", "[Critical] Orders database outage: resolved"],
    ["incident.update_due", {}, "incident.update_due", "[Critical] Orders database outage: update due"],
  ])("%s → %s", (kind, data, expectedKind, title) => {
    const message = messageFromEvent({ id: "8", at, kind, subject: "inc_1", data }, ctx);
    expect(message?.kind).toBe(expectedKind);
    expect(message?.title).toBe(title);
  });

  it("reminds responders when the public last heard about an incident, and how to post an update", () => {
    const due = messageFromEvent({ id: "8", at, kind: "incident.update_due", subject: "inc_1", data: { last_public_update_at: new Date(at.getTime() - 32 * 60_000).toISOString() } }, ctx);
    expect(due?.text.split("\n")[0]).toBe(
      `Reminder: the public last heard about Orders database outage at ${new Date(at.getTime() - 32 * 60_000).toISOString().slice(11, 16)} UTC, 32 min ago. Post an update: vigil incident update inc_1 --body "…" (or POST /api/v1/incidents/inc_1/updates).`,
    );
    expect(messageFromEvent({ id: "8", at, kind: "incident.update_due", subject: "inc_1", data: {} }, ctx)?.text).toMatch(/^Reminder: the public last heard about Orders database outage a while ago\./);
  });

  it("tells responders of a likely upstream cause, with the provider's link, as an update of the incident", () => {
    const data = { upstream_id: "aws-rds", upstream_name: "Amazon RDS (Oregon)", via: "orders-db", title: "Increased error rates", url: "https://health.aws.example/rds", summary: "likely upstream: Amazon RDS (Oregon) — provider reports an incident since 13:18 UTC: Increased error rates" };
    const message = messageFromEvent({ id: "9", at, kind: "incident.upstream_attributed", subject: "inc_1", data }, ctx);
    expect(message).toMatchObject({ kind: "incident.updated", title: "[Critical] Orders database outage: likely upstream cause", dedupKey: "inc_1" });
    expect(message?.text.split("\n")[0]).toBe("Likely upstream: Amazon RDS (Oregon) — provider reports an incident since 13:18 UTC: Increased error rates. https://health.aws.example/rds");
  });

  it("warns responders when a provider turns degraded, naming what depends on it, unless the upstream says not to", () => {
    const withDependents = { ...ctx, dependentsOf: (id: string) => (id === "aws-rds" ? ["orders-db", "api"] : []) };
    const data = { name: "Amazon RDS (Oregon)", status: "partial_outage", previous: "operational", reason: "provider reports an incident: Increased error rates (since 13:18 UTC)", incident: { title: "Increased error rates", url: "https://health.aws.example/rds", started_at: "2026-11-27T13:18:00Z" }, warn: true };
    const degraded = messageFromEvent({ id: "10", at, kind: "upstream.degraded", subject: "aws-rds", data }, withDependents);
    expect(degraded).toMatchObject({
      kind: "upstream.degraded",
      severity: "minor",
      title: "[Provider] Amazon RDS (Oregon): partial outage",
      text: "The provider reports a problem before any of our checks fails: provider reports an incident: Increased error rates (since 13:18 UTC).\nDepending on it: Orders database, Production API.",
      url: "https://health.aws.example/rds",
      dedupKey: "upstream:aws-rds",
      incident: null,
      labels: { upstream: "aws-rds" },
    });
    expect(degraded?.components.map((c) => c.id)).toEqual(["orders-db", "api"]);
    expect(messageFromEvent({ id: "11", at, kind: "upstream.degraded", subject: "aws-rds", data: { ...data, warn: false } }, withDependents)).toBeNull();
    expect(messageFromEvent({ id: "12", at, kind: "upstream.recovered", subject: "aws-rds", data: { name: "Amazon RDS (Oregon)", status: "operational", warn: true } }, withDependents)).toMatchObject({ kind: "upstream.recovered", title: "[Provider] Amazon RDS (Oregon): recovered", severity: "none" });
    expect(messageFromEvent({ id: "13", at, kind: "upstream.recovered", subject: "aws-rds", data: { name: "Amazon RDS (Oregon)", status: "operational", warn: false } }, withDependents)).toBeNull();
  });

  it("makes monitor, maintenance and window messages, and none for other events or without the incident", () => {
    expect(messageFromEvent({ id: "9", at, kind: "monitor.down", subject: "db-check", data: { error: { kind: "refused", message: "connect ECONNREFUSED" } } }, ctx)).toMatchObject({
      kind: "monitor.down",
      severity: "major",
      title: "[Down] db-check",
      text: "Monitor db-check is down: connect ECONNREFUSED.",
      dedupKey: "monitor:db-check",
      components: [{ id: "orders-db" }],
    });
    expect(messageFromEvent({ id: "10", at, kind: "maintenance.in_progress", subject: "mnt_1", data: { name: "Upgrade", components: ["api"], scheduled_for: "a", scheduled_until: "b" } }, ctx)).toMatchObject({
      kind: "maintenance.in_progress",
      title: "[Maintenance] Upgrade: in progress",
      url: "https://status.example.com/maintenances/mnt_1",
      components: [{ id: "api" }],
    });
    expect(messageFromEvent({ id: "11", at, kind: "window.closed", subject: "api", data: { worst_status: "major_outage", start: "s", end: "e", margin_ms: 0, margin_from: "s", margin_to: "e", earliest_possible_start: null } }, ctx)).toMatchObject({
      kind: "window.closed",
      title: "[Window] Production API was impaired from s to e; reconcile s to e",
      dedupKey: "window:api",
    });
    expect(messageFromEvent({ id: "12", at, kind: "incident.signal_joined", subject: "inc_1", data: {} }, ctx)).toBeNull();
    expect(messageFromEvent({ id: "13", at, kind: "incident.created", subject: "inc_1", data: {} }, { ...ctx, incident: undefined })).toBeNull();
  });
});

describe("previous statuses", () => {
  const change = (componentId: string, time: string, from: string, to: string): ComponentChange => ({ componentId, at: new Date(`2026-11-27T${time}Z`), from, to });
  const changes = [change("orders-db", "13:00:00", "operational", "degraded_performance"), change("orders-db", "13:20:06", "degraded_performance", "major_outage"), change("api", "13:30:00", "operational", "major_outage")];

  it("tells a component's status just before an instant from its changes, operational when it never changed", () => {
    expect(statusBefore(changes, "orders-db", at)).toBe("degraded_performance"); // the change at that very instant is the event's
    expect(statusBefore(changes, "orders-db", new Date("2026-11-27T13:20:07Z"))).toBe("major_outage");
    expect(statusBefore(changes, "orders-db", new Date("2026-11-27T12:00:00Z"))).toBe("operational");
    expect(statusBefore(changes, "api", at)).toBe("operational");
    expect(statusBefore([change("cache", "13:40:00", "partial_outage", "operational")], "cache", at)).toBe("partial_outage"); // older changes not read
    expect(statusBefore(changes, "mail", at)).toBe("operational");
  });

  it("gives each component of a message the status it had before the event, when it changed", () => {
    const message = messageFromEvent({ id: "9", at, kind: "monitor.down", subject: "db-check", data: {} }, { ...ctx, statusBefore: (id, when) => statusBefore(changes, id, when) });
    expect(message?.components).toEqual([{ id: "orders-db", name: "Orders database", group: "Infrastructure", status: "major_outage", previousStatus: "degraded_performance" }]);
    const incident = messageFromEvent({ id: "10", at: new Date("2026-11-27T13:40:00Z"), kind: "incident.updated", subject: "inc_1", data: {} }, { ...ctx, statusBefore: (id, when) => statusBefore(changes, id, when) });
    // Unchanged since before the event: no previous status.
    expect(incident?.components.map((c) => c.previousStatus)).toEqual([null, null]);
  });

  it("attaches the status page's objects when asked, for the incident or maintenance and the components", () => {
    const refs: unknown[] = [];
    const statuspage = (ref: unknown) => {
      refs.push(ref);
      return { page: { id: "p1", status_indicator: "none" as const, status_description: "All Systems Operational" }, incident: null, components: [] };
    };
    expect(messageFromEvent({ id: "7", at, kind: "incident.created", subject: "inc_1", data: {} }, { ...ctx, statuspage })?.statuspage?.page.id).toBe("p1");
    messageFromEvent({ id: "8", at, kind: "maintenance.scheduled", subject: "mnt_1", data: { components: ["api"], name: "Upgrade" } }, { ...ctx, statuspage });
    expect(refs).toEqual([
      { incidentId: "inc_1", maintenanceId: null, componentIds: ["orders-db", "api"] },
      { incidentId: null, maintenanceId: "mnt_1", componentIds: ["api"] },
    ]);
  });

  it("names no hidden component in a message to the public: incident title, components and maintenance alike", () => {
    const publicNames = new PublicNames([
      { id: "orders-db", name: "Orders database", hidden: true, dependsOn: [] },
      { id: "api", name: "Production API", hidden: false, dependsOn: [{ id: "orders-db" }] },
    ]);
    const incident = messageFromEvent({ id: "7", at, kind: "incident.created", subject: "inc_1", data: {} }, { ...ctx, publicNames });
    expect(incident?.title).toBe("[Critical] Production API outage: investigating");
    expect(incident?.incident?.name).toBe("Production API outage");
    expect(incident?.components.map((c) => c.id)).toEqual(["api"]);
    expect(incident?.text).toBe("We are **investigating**.\nAffected: Production API.");
    const maintenance = messageFromEvent({ id: "8", at, kind: "maintenance.scheduled", subject: "mnt_1", data: { components: ["orders-db"], name: "Orders database upgrade" } }, { ...ctx, publicNames });
    expect(maintenance?.title).toBe("[Maintenance] Production API upgrade: scheduled");
    expect(maintenance?.components.map((c) => c.id)).toEqual(["api"]);
    // Responders' messages still name the root.
    expect(messageFromEvent({ id: "7", at, kind: "incident.created", subject: "inc_1", data: {} }, ctx)?.title).toBe("[Critical] Orders database outage: investigating");
  });
});
