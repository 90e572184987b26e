import { downstreamOf, type Graph } from "../../incidents/graph.ts";
import type { MessageKind, NotificationMessage } from "../types.ts";

/** A notification already delivered to a channel: what inhibition remembers of it. */
export interface SentNotification {
  /** The message's incident; null for a message outside incidents. */
  incidentId: string | null;
  /** The ids of the message's components. */
  componentIds: readonly string[];
  kind: MessageKind;
  channelId: string;
  at: Date;
}

/** Kinds that say something is (still) wrong: what pages someone. */
export const triggerKinds: ReadonlySet<MessageKind> = new Set(["incident.created", "incident.updated", "incident.update_due", "monitor.down"]);

/** Kinds that say something recovered. */
export const resolutionKinds: ReadonlySet<MessageKind> = new Set(["incident.resolved", "monitor.up"]);

/** The sent notifications of one channel, in the form inhibition reads them. */
export function sentTo(channelId: string, sent: readonly SentNotification[]): SentNotification[] {
  return sent.filter((n) => n.channelId === channelId);
}

/**
 * Why `message` gets no notification of its own on a channel, or null. `alreadyNotified` is what was delivered to that
 * one channel (filter with {@link sentTo}: inhibition is per channel, so a page on one channel never silences another),
 * over a bounded recent span (say, the incidents still open or resolved within a day); `mergedInto` maps a merged
 * incident's id to the incident it was merged into. Only trigger and resolution kinds are ever inhibited
 * (maintenance, window and test messages never are); the rules, in order:
 *
 * 1. A resolution whose trigger was delivered is never inhibited, so a resolve always follows an alert. Its trigger:
 *    for `incident.resolved` any delivered trigger of the same incident; for `monitor.up` a `monitor.down` of the same
 *    incident (or of none) sharing a component, when it is the latest `monitor.*` delivered for those components.
 * 2. A message about a merged incident is inhibited: the incident it was merged into speaks for it.
 * 3. A message whose components are all downstream (transitively, over hard or soft edges; not the component itself)
 *    of components already paged in one incident is inhibited: no separate page for `api` when its root `orders-db`
 *    was paged. The incident is the message's own (merged incidents count as the one they were merged into); for a
 *    message outside incidents (a monitor's `monitor.down`/`monitor.up`), any incident paged on the channel, since
 *    correlation puts every failure downstream of an open incident's roots into that incident. A component is paged in
 *    an incident while its latest delivered notification there is a trigger (a later `monitor.up` naming it, or the
 *    incident's `incident.resolved`, ends that); for a resolution, any component a delivered trigger ever named counts,
 *    so that a recovery whose alert was inhibited is inhibited too. Notifications outside incidents page nothing here.
 *
 * A message without components is never inhibited by rule 3.
 */
export function inhibitedBy(
  message: NotificationMessage,
  alreadyNotified: readonly SentNotification[],
  graph: Graph,
  mergedInto: Readonly<Record<string, string>> = {},
): string | null {
  const isResolution = resolutionKinds.has(message.kind);
  if (!isResolution && !triggerKinds.has(message.kind)) return null;
  const incidentId = message.incident?.id ?? null;
  const ids = [...new Set(message.components.map((c) => c.id))].sort();

  if (isResolution && triggerDelivered(message.kind, incidentId, ids, alreadyNotified)) return null;

  if (incidentId !== null) {
    const survivor = canonical(incidentId, mergedInto);
    if (survivor !== incidentId) return `incident ${incidentId} was merged into incident ${survivor}`;
  }
  if (ids.length === 0) return null;

  const paged = pagedByIncident(alreadyNotified, mergedInto, isResolution);
  const candidates = incidentId === null ? [...paged.keys()].sort() : [canonical(incidentId, mergedInto)];
  for (const candidate of candidates) {
    const reason = downstreamReason(graph, ids, paged.get(candidate) ?? []);
    if (reason !== null) return `${reason}, already notified for incident ${candidate}`;
  }
  return null;
}

/**
 * "api, checkout downstream of orders-db" when every one of `ids` is downstream of one of `paged`, naming for each the
 * furthest upstream of the paged components it depends on; otherwise null.
 */
function downstreamReason(graph: Graph, ids: readonly string[], paged: readonly string[]): string | null {
  const below = new Map(paged.map((p) => [p, downstreamOf(graph, p)]));
  const upstream = new Set<string>();
  for (const id of ids) {
    const causes = paged.filter((p) => p !== id && below.get(p)?.has(id) === true);
    const root = causes.find((c) => !causes.some((other) => other !== c && below.get(other)?.has(c) === true)) ?? causes[0];
    if (root === undefined) return null;
    upstream.add(root);
  }
  return `${ids.join(", ")} downstream of ${[...upstream].sort().join(", ")}`;
}

/** Whether the trigger of a resolution of `kind` about `incidentId` and the components `ids` was delivered (rule 1). */
function triggerDelivered(kind: MessageKind, incidentId: string | null, ids: readonly string[], sent: readonly SentNotification[]): boolean {
  const same = sent.filter((n) => n.incidentId === incidentId);
  if (kind === "incident.resolved") return same.some((n) => triggerKinds.has(n.kind));
  const latest = same
    .filter((n) => (n.kind === "monitor.down" || n.kind === "monitor.up") && n.componentIds.some((id) => ids.includes(id)))
    .reduce<SentNotification | null>((last, n) => (last === null || n.at.getTime() >= last.at.getTime() ? n : last), null);
  return latest?.kind === "monitor.down";
}

/**
 * The components paged per incident (merged incidents under the one they were merged into), each list sorted: per
 * incident, those whose latest delivered notification is a trigger, or, with `ever`, those named by any delivered trigger.
 */
function pagedByIncident(sent: readonly SentNotification[], mergedInto: Readonly<Record<string, string>>, ever: boolean): Map<string, string[]> {
  const byIncident = new Map<string, SentNotification[]>();
  for (const n of sent) {
    if (n.incidentId !== null) byIncident.set(n.incidentId, [...(byIncident.get(n.incidentId) ?? []), n]);
  }
  const paged = new Map<string, Set<string>>();
  for (const [incidentId, notifications] of byIncident) {
    const current = new Set<string>();
    for (const n of [...notifications].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      if (triggerKinds.has(n.kind)) for (const id of n.componentIds) current.add(id);
      else if (ever) continue;
      else if (n.kind === "incident.resolved") current.clear();
      else if (n.kind === "monitor.up") for (const id of n.componentIds) current.delete(id);
    }
    const survivor = canonical(incidentId, mergedInto);
    paged.set(survivor, new Set([...(paged.get(survivor) ?? []), ...current]));
  }
  return new Map([...paged].filter(([, ids]) => ids.size > 0).map(([id, ids]) => [id, [...ids].sort()]));
}

/** The incident `id` ends up in after following merges (a merge cycle stops where it would repeat). */
function canonical(id: string, mergedInto: Readonly<Record<string, string>>): string {
  const seen = new Set<string>();
  let current = id;
  while (Object.hasOwn(mergedInto, current) && !seen.has(current)) {
    seen.add(current);
    current = mergedInto[current] ?? current;
  }
  return current;
}
