/** When a console session ends: after an idle time without a request, or at an absolute end, whichever comes first. */

/** Session lifetimes (config `console.session`). */
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

/** The defaults: 12 hours idle (a responder's shift), 7 days at most. */
export const defaultSessionPolicy: SessionPolicy = { idleMs: 12 * 3_600_000, absoluteMs: 7 * 86_400_000 };

/** How often a session's last-seen time is written at most: a request per minute would otherwise be a write each. */
export const touchEveryMs = 60_000;

/** The times a session starts with. */
export function sessionTimes(policy: SessionPolicy, now: Date): { createdAt: Date; lastSeenAt: Date; expiresAt: Date } {
  return { createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + policy.absoluteMs) };
}

/** Whether a session is alive at `now`, and if not why; alive ones say whether their last-seen time is worth writing. */
export function sessionStatus(
  session: { lastSeenAt: Date; expiresAt: Date },
  policy: SessionPolicy,
  now: Date,
): { alive: true; touch: boolean } | { alive: false; reason: "absolute" | "idle" } {
  const t = now.getTime();
  if (t >= session.expiresAt.getTime()) return { alive: false, reason: "absolute" };
  if (t >= session.lastSeenAt.getTime() + policy.idleMs) return { alive: false, reason: "idle" };
  return { alive: true, touch: t - session.lastSeenAt.getTime() >= touchEveryMs };
}
