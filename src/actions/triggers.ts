/**
 * Triggers: the incident events that ask for a run of an action by themselves, under conditions. Pure: from a
 * timeline event and the incident as it is now to the runs to ask for, each with an idempotency key that makes
 * `once_per` hold (the store keeps one run per key, across nodes and restarts). The follower that reads the timeline
 * and waits out delays is src/app/actions/triggers.ts.
 */
import { impacts, type Impact } from "../incidents/impact.ts";
import { isOpenStatus } from "../incidents/lifecycle.ts";

/** The events a trigger names, in the order the docs list them. */
export const triggerEventNames = ["incident.opened", "incident.impact_raised", "incident.monitoring", "incident.resolved", "window.closed", "region.isolated"] as const;
export type TriggerEventName = (typeof triggerEventNames)[number];

/** What a run is asked for once per; without it, once per event. */
export const oncePerScopes = ["incident", "window", "component"] as const;
export type OncePer = (typeof oncePerScopes)[number];

/** One trigger of an action, as the configuration reads it (`delay` in milliseconds). */
export interface Trigger {
  event: TriggerEventName;
  /** Any of these components must be the incident's (or the window's). */
  components?: string[];
  /** Only the incident's root components count (for `components`, and for `once_per: component`). */
  root?: boolean;
  impact_at_least?: Impact;
  delay: number;
  once_per?: OncePer;
}

/** An action's id and its triggers. */
export interface TriggeredAction {
  id: string;
  on?: Trigger[];
}

/** A timeline event, as the matcher reads it. */
export interface TriggerSourceEvent {
  id: string;
  at: Date;
  kind: string;
  subject: string | null;
  data: Record<string, unknown>;
}

/** An incident as it is now, as the matcher reads it. */
export interface TriggerIncident {
  id: string;
  status: string;
  impact: string;
  rootIds: string[];
  impactedIds: string[];
}

/** What a timeline event is to triggers: its trigger event, its incident, and the components it is about. */
export interface TriggerOccasion {
  event: TriggerEventName;
  incidentId: string | null;
  /** The window's component for `window.closed`; none for incident events (the incident's own count). */
  componentIds: string[];
  /** `window.closed`: `<component>@<start>`. */
  windowId: string | null;
  /** `window.closed`: the window's component and start (ISO 8601), which the run is asked with (its `params.window`). */
  window: { component: string; start: string } | null;
  /** `region.isolated`: the region. */
  region: string | null;
}

/** A run to ask for: when, with which key, and why (the event that fired it). */
export interface TriggerMatch {
  actionId: string;
  /** Its index among the action's triggers. */
  trigger: number;
  incidentId: string | null;
  idempotencyKey: string;
  /** The event's time plus the trigger's delay: the run is asked for then, if the conditions still hold. */
  dueAt: Date;
  reason: { trigger: TriggerEventName; event: string; event_kind: string };
  /** The components that made it match (for `once_per: component`, the one it is for). */
  componentIds: string[];
  /** `window.closed`: the window the run is for (its component and start), asked with as `params.window`. */
  window: { component: string; start: string } | null;
}

/** The timeline event kinds a trigger may follow from (a region's reconnection names no trigger: it ends its isolation's delay). */
export const triggerSourceKinds = ["incident.created", "incident.reopened", "incident.signal_joined", "incident.edited", "incident.updated", "incident.resolved", "window.closed", "region.isolated", "region.reconnected"] as const;

/** What a timeline event is to triggers: none for an event no trigger names, two for an incident's opening (it opened, and at an impact). */
export function occasionOf(event: TriggerSourceEvent): TriggerOccasion[] {
  const incident = (name: TriggerEventName): TriggerOccasion => ({ event: name, incidentId: event.subject, componentIds: [], windowId: null, window: null, region: null });
  switch (event.kind) {
    case "incident.created":
      // An incident that opens at an impact has reached it.
      return [incident("incident.opened"), incident("incident.impact_raised")];
    case "incident.reopened":
      return [incident("incident.opened")];
    case "incident.signal_joined":
      return [incident("incident.impact_raised")];
    case "incident.edited":
      return event.data["impact_override"] !== undefined ? [incident("incident.impact_raised")] : [];
    case "incident.updated":
      return event.data["status"] === "monitoring" ? [incident("incident.monitoring")] : [];
    case "incident.resolved":
      return [incident("incident.resolved")];
    case "window.closed": {
      const component = typeof event.data["component"] === "string" ? event.data["component"] : event.subject;
      if (component === null) return [];
      const incidents = Array.isArray(event.data["incidents"]) ? event.data["incidents"].filter((i): i is string => typeof i === "string") : [];
      const start = event.data["start"];
      return [{ event: "window.closed", incidentId: incidents[0] ?? null, componentIds: [component], windowId: `${component}@${String(start)}`, window: typeof start === "string" ? { component, start } : null, region: null }];
    }
    case "region.isolated":
      return event.subject === null ? [] : [{ event: "region.isolated", incidentId: null, componentIds: [], windowId: null, window: null, region: event.subject }];
    default:
      return [];
  }
}

/** Whether an incident's status still fits the trigger event (opened and impact raised: open; monitoring; resolved). */
function statusFits(event: TriggerEventName, incident: TriggerIncident): boolean {
  switch (event) {
    case "incident.opened":
    case "incident.impact_raised":
      return isOpenStatus(incident.status);
    case "incident.monitoring":
      return incident.status === "monitoring";
    case "incident.resolved":
      return !isOpenStatus(incident.status);
    default:
      return true;
  }
}

/**
 * The components a trigger matched on this occasion with the incident as it is now; null when its conditions do not
 * hold (the incident's status no longer fits the event, its impact is below `impact_at_least`, none of `components`
 * is among its (root) components).
 */
export function conditionsHold(trigger: Trigger, occasion: TriggerOccasion, incident: TriggerIncident | undefined): string[] | null {
  if (trigger.event !== occasion.event) return null;
  if (occasion.event === "region.isolated") return [];
  const incidentEvent = occasion.event !== "window.closed";
  if (incidentEvent && incident === undefined) return null;
  if (incident !== undefined && incidentEvent && !statusFits(occasion.event, incident)) return null;
  if (trigger.impact_at_least !== undefined && (incident === undefined || impacts.indexOf(incident.impact as Impact) < impacts.indexOf(trigger.impact_at_least))) return null;
  const ofIncident = incident === undefined ? [] : trigger.root === true ? incident.rootIds : [...new Set([...incident.rootIds, ...incident.impactedIds])];
  let candidates: string[];
  if (incidentEvent) candidates = ofIncident;
  else if (trigger.root === true) candidates = occasion.componentIds.filter((c) => ofIncident.includes(c));
  else candidates = occasion.componentIds;
  const wanted = trigger.components;
  const matched = wanted === undefined ? candidates : candidates.filter((c) => wanted.includes(c));
  if (wanted !== undefined || trigger.root === true) return matched.length > 0 ? matched : null;
  return matched;
}

/**
 * The runs an event asks for: one per matching trigger (one per matched component with `once_per: component`), each
 * keyed `trigger:<action>:<event>:<scope>`, the scope being `incident:<id>`, `window:<component>@<start>`,
 * `component:<incident or ->:<component>`, or `event:<event id>` without `once_per`. Two triggers of one action that
 * give the same key ask for one run.
 */
export function matchTriggers(actions: readonly TriggeredAction[], event: TriggerSourceEvent, incident: TriggerIncident | undefined): TriggerMatch[] {
  const matches: TriggerMatch[] = [];
  const keys = new Set<string>();
  for (const occasion of occasionOf(event)) {
    for (const action of actions) {
      (action.on ?? []).forEach((trigger, index) => {
        const matched = conditionsHold(trigger, occasion, incident);
        if (matched === null) return;
        const scopes = scopesOf(trigger, occasion, matched, event);
        for (const { scope, components } of scopes) {
          const idempotencyKey = `trigger:${action.id}:${occasion.event}:${scope}`;
          if (keys.has(idempotencyKey)) continue;
          keys.add(idempotencyKey);
          matches.push({
            actionId: action.id,
            trigger: index,
            incidentId: occasion.incidentId,
            idempotencyKey,
            dueAt: new Date(event.at.getTime() + trigger.delay),
            reason: { trigger: occasion.event, event: event.id, event_kind: event.kind },
            componentIds: components,
            window: occasion.window,
          });
        }
      });
    }
  }
  return matches;
}

function scopesOf(trigger: Trigger, occasion: TriggerOccasion, matched: string[], event: TriggerSourceEvent): { scope: string; components: string[] }[] {
  switch (trigger.once_per) {
    case "incident":
      return occasion.incidentId === null ? [] : [{ scope: `incident:${occasion.incidentId}`, components: matched }];
    case "window":
      return occasion.windowId === null ? [] : [{ scope: `window:${occasion.windowId}`, components: matched }];
    case "component":
      return matched.map((c) => ({ scope: `component:${occasion.incidentId ?? "-"}:${c}`, components: [c] }));
    default:
      return [{ scope: `event:${event.id}`, components: matched }];
  }
}
