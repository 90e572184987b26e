import type { NotificationMessage } from "../types.ts";
import { catchAllRoute, kindMatches, type Matcher, type Route } from "./config.ts";

/** A route a message matched: its index in the configured list (null for the implicit catch-all) and the route. */
export interface RouteMatch {
  routeIndex: number | null;
  route: Route;
}

/**
 * Whether `message` satisfies every condition `matcher` gives (an empty matcher matches every message):
 * `component` some component of the message has one of the ids; `group` some component is in one of the groups
 * (a component without a group is in none); `severity` the message's severity is listed; `kind` the message's kind
 * matches one of the patterns (`*` any run of characters); `labels` every label is on the message with that exact value.
 * A message without components matches no `component` or `group` condition.
 */
export function matches(message: NotificationMessage, matcher: Matcher): boolean {
  const { component, group, severity, kind, labels } = matcher;
  if (component !== undefined && !message.components.some((c) => component.includes(c.id))) return false;
  if (group !== undefined && !message.components.some((c) => c.group !== null && group.includes(c.group))) return false;
  if (severity !== undefined && !severity.includes(message.severity)) return false;
  if (kind !== undefined && !kind.some((pattern) => kindMatches(pattern, message.kind))) return false;
  if (labels !== undefined && !Object.entries(labels).every(([name, value]) => Object.hasOwn(message.labels, name) && message.labels[name] === value)) {
    return false;
  }
  return true;
}

/**
 * The routes `message` goes through, in configuration order: routes are tried in order, a matching route is taken, and
 * evaluation stops at the first matching route that does not have `continue: true` (Alertmanager's rule). With routes
 * configured and none matching, the message goes nowhere (end the list with a route without `match` to catch the
 * rest). With no routes configured at all, every channel receives every message: one match of the catch-all route
 * (default grouping) to `allChannels`, with `routeIndex` null.
 */
export function routeMessage(message: NotificationMessage, routes: readonly Route[], allChannels: readonly string[]): RouteMatch[] {
  if (routes.length === 0) return allChannels.length === 0 ? [] : [{ routeIndex: null, route: catchAllRoute(allChannels) }];
  const out: RouteMatch[] = [];
  for (const [routeIndex, route] of routes.entries()) {
    if (!matches(message, route.match)) continue;
    out.push({ routeIndex, route });
    if (!route.continue) break;
  }
  return out;
}
