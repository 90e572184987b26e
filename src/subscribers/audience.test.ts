import { describe, expect, it } from "vitest";
import { incidentOpened, incidentResolved, maintenanceStarted, monitorDown } from "../notify/channels/fixtures.test-helper.ts";
import type { MessageKind } from "../notify/types.ts";
import { audienceOf, subscriberKinds, type Audience } from "./audience.ts";

interface Subscriber extends Audience {
  address: string;
}

const everything: Subscriber = { id: "s-all", address: "all@example.com", components: null };
const orders: Subscriber = { id: "s-orders", address: "orders@example.com", components: ["orders-db"] };
const api: Subscriber = { id: "s-api", address: "api@example.com", components: ["search", "api"] };
const search: Subscriber = { id: "s-search", address: "search@example.com", components: ["search"] };
const nothing: Subscriber = { id: "s-none", address: "none@example.com", components: [] };
const subscribers = [search, everything, api, nothing, orders];
const ids = (list: Audience[]) => list.map((s) => s.id);

describe("audienceOf", () => {
  it("tell subscribers of every component and of a named one, in the order given", () => {
    expect(ids(audienceOf(incidentOpened(), subscribers, true))).toEqual(["s-all", "s-api", "s-orders"]);
  });

  it("return the subscribers themselves, with their other fields", () => {
    expect(audienceOf(incidentResolved(), subscribers, true)[0]).toBe(everything);
  });

  it("tell nobody about an incident that is not published", () => {
    for (const message of [incidentOpened(), incidentResolved()]) expect(audienceOf(message, subscribers, false)).toEqual([]);
  });

  it("tell subscribers about maintenance whether or not published is set", () => {
    expect(ids(audienceOf(maintenanceStarted(), subscribers, false))).toEqual(["s-all", "s-orders"]);
    expect(ids(audienceOf(maintenanceStarted(), subscribers, true))).toEqual(["s-all", "s-orders"]);
  });

  it("match the incident's root and impacted components even when the message lists none", () => {
    const base = incidentOpened();
    const message = { ...base, components: [], incident: { ...base.incident!, rootIds: ["search"], impactedIds: [] } };
    expect(ids(audienceOf(message, subscribers, true))).toEqual(["s-search", "s-all", "s-api"]);
    const impacted = { ...base, components: [], incident: { ...base.incident!, rootIds: [], impactedIds: ["orders-db"] } };
    expect(ids(audienceOf(impacted, subscribers, true))).toEqual(["s-all", "s-orders"]);
  });

  it("tell only subscribers of everything about a message naming no component", () => {
    const base = incidentOpened();
    const message = { ...base, components: [], incident: { ...base.incident!, rootIds: [], impactedIds: [] } };
    expect(ids(audienceOf(message, subscribers, true))).toEqual(["s-all"]);
  });

  it.each(["incident.update_due", "monitor.down", "monitor.up", "window.closed", "test"] satisfies MessageKind[])("tell nobody about %s", (kind) => {
    expect(audienceOf({ ...incidentOpened(), kind }, subscribers, true)).toEqual([]);
    expect(subscriberKinds.has(kind)).toBe(false);
  });

  it("tell nobody about a monitor going down, even when it names a followed component", () => {
    expect(audienceOf(monitorDown(), subscribers, true)).toEqual([]);
  });

  it("list exactly the incident and maintenance kinds", () => {
    expect([...subscriberKinds].sort()).toEqual(["incident.created", "incident.resolved", "incident.updated", "maintenance.completed", "maintenance.in_progress", "maintenance.scheduled"]);
  });
});
