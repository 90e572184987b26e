import type { Graph } from "../../incidents/graph.ts";
import type { NotificationMessage } from "../types.ts";
import type { Route, Silence } from "./config.ts";
import { inhibitedBy, sentTo, type SentNotification } from "./inhibit.ts";
import { muteReason } from "./mute.ts";
import { routeMessage } from "./route.ts";

/** Everything routing a message needs; all of it passed in, nothing read. */
export interface PlanContext {
  /** `notifications.routes`, parsed. */
  routes: readonly Route[];
  /** Every configured channel id: the receivers when no routes are configured. */
  allChannels: readonly string[];
  silences: readonly Silence[];
  /** Components under maintenance at `now`. */
  maintenanceComponentIds: Iterable<string>;
  now: Date;
  /** Notifications already delivered, to every channel (each channel's are picked out). */
  alreadyNotified: readonly SentNotification[];
  graph: Graph;
  /** A merged incident's id → the incident it was merged into. */
  mergedInto?: Readonly<Record<string, string>>;
}

/** One channel to send the message to, and the route that chose it (null: the implicit catch-all); its grouping applies. */
export interface Delivery {
  channelId: string;
  routeIndex: number | null;
  route: Route;
}

/** What becomes of one message: the channels it goes to, why it is muted everywhere, and the channels that skip it. */
export interface DeliveryPlan {
  deliveries: Delivery[];
  muted: string | null;
  inhibited: { channelId: string; reason: string }[];
}

/**
 * Routes, mutes and inhibits `message`: the channels of the matching routes (see `routeMessage`), each once, taken with
 * the first route that names it, in route then channel order; when the message is muted (`muteReason`) no channel
 * receives it and `muted` says why; otherwise each channel for which `inhibitedBy` (with that channel's delivered
 * notifications) gives a reason moves to `inhibited`, the rest are `deliveries`. Grouping over time is the caller's,
 * with `groupStep` and each delivery's route.
 */
export function planDeliveries(message: NotificationMessage, ctx: PlanContext): DeliveryPlan {
  const candidates: Delivery[] = [];
  for (const { routeIndex, route } of routeMessage(message, ctx.routes, ctx.allChannels)) {
    for (const channelId of route.channels) {
      if (!candidates.some((d) => d.channelId === channelId)) candidates.push({ channelId, routeIndex, route });
    }
  }
  const plan: DeliveryPlan = { deliveries: [], muted: null, inhibited: [] };
  if (candidates.length === 0) return plan;
  plan.muted = muteReason(message, { silences: ctx.silences, maintenanceComponentIds: ctx.maintenanceComponentIds, now: ctx.now });
  if (plan.muted !== null) return plan;
  for (const delivery of candidates) {
    const reason = inhibitedBy(message, sentTo(delivery.channelId, ctx.alreadyNotified), ctx.graph, ctx.mergedInto);
    if (reason === null) plan.deliveries.push(delivery);
    else plan.inhibited.push({ channelId: delivery.channelId, reason });
  }
  return plan;
}
