import type { MessageKind, NotificationMessage } from "../types.ts";
import type { Silence } from "./config.ts";
import { matches } from "./route.ts";

/** What muting needs to know at `now`: the silences (active or not) and the components under maintenance at `now`. */
export interface MuteContext {
  silences: readonly Silence[];
  maintenanceComponentIds: Iterable<string>;
  now: Date;
}

/**
 * Kinds maintenance never mutes: the maintenance's own announcements, a test message, which must always go out, and what
 * responders must act on about an action's run (someone asked for it, maintenance or not).
 */
const unmutedByMaintenance: ReadonlySet<MessageKind> = new Set([
  "maintenance.scheduled",
  "maintenance.in_progress",
  "maintenance.completed",
  "action.approval_requested",
  "action.approval_timed_out",
  "action.ramp_aborted",
  "test",
]);

/** Whether `silence` is in force at `now`: from `startsAt` (included) to `endsAt` (excluded). */
export function silenceActive(silence: Silence, now: Date): boolean {
  const t = now.getTime();
  return silence.startsAt.getTime() <= t && t < silence.endsAt.getTime();
}

/**
 * Why `message` is muted for every channel at `now`, or null: by the first silence (in the order given) that is active
 * (`startsAt ≤ now < endsAt`) and whose matchers match the message, resolutions included (as Alertmanager does); or
 * because every component of the message is under maintenance — unless the message has no components or its kind is
 * `maintenance.*`, `test` or an action run's, which maintenance never mutes.
 */
export function muteReason(message: NotificationMessage, ctx: MuteContext): string | null {
  for (const silence of ctx.silences) {
    if (!silenceActive(silence, ctx.now) || !matches(message, silence.matchers)) continue;
    const note = silence.comment.length > 0 ? `: ${silence.comment}` : "";
    return `silenced by ${silence.id} until ${silence.endsAt.toISOString()} (${silence.createdBy}${note})`;
  }
  if (unmutedByMaintenance.has(message.kind) || message.components.length === 0) return null;
  const maintained = new Set(ctx.maintenanceComponentIds);
  const ids = [...new Set(message.components.map((c) => c.id))].sort();
  if (!ids.every((id) => maintained.has(id))) return null;
  return `every component is under maintenance: ${ids.join(", ")}`;
}
