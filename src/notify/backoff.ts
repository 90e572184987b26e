/** How deliveries are retried. */
export interface RetryPolicy {
  /** The first retry waits up to this long. */
  baseMs: number;
  /** No wait is longer than this. */
  capMs: number;
  /** After this many attempts the delivery is dead (none by default: age decides). */
  maxAttempts?: number;
  /** A delivery older than this is dead at its next failure, whatever its attempts. */
  maxAgeMs: number;
}

/**
 * The default: waits of up to 1 s, 2 s, 4 s … capped at one minute, for one day whatever the number of attempts:
 * a receiver that is down for an hour (a Slack or PagerDuty outage) gets the page within a minute of coming
 * back, one that is gone stops costing work within the day.
 */
export const defaultRetryPolicy: RetryPolicy = { baseMs: 1_000, capMs: 60_000, maxAgeMs: 24 * 3_600_000 };

/** What to do after a failed attempt. */
export type RetryDecision = { retry: true; atMs: number } | { retry: false; reason: string };

/**
 * After the `attempts`-th failed attempt (1 for the first) at `nowMs` of a delivery created at `createdMs`:
 * give up when it was not worth retrying, when `maxAttempts` (if any) is reached or it is older than `maxAgeMs`;
 * otherwise retry after a wait drawn uniformly from [0, min(cap, base × 2^(attempts − 1))] ("full jitter",
 * so that a thousand deliveries failing together do not retry together), or after the receiver's
 * Retry-After when it asked for longer. `random` returns [0, 1).
 */
export function nextAttempt(
  failure: { retryable: boolean; retryAfterMs?: number | undefined; error: string },
  attempts: number,
  createdMs: number,
  nowMs: number,
  policy: RetryPolicy = defaultRetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (!failure.retryable) return { retry: false, reason: `not retryable: ${failure.error}` };
  if (policy.maxAttempts !== undefined && attempts >= policy.maxAttempts) return { retry: false, reason: `gave up after ${attempts} attempts: ${failure.error}` };
  if (nowMs - createdMs >= policy.maxAgeMs) return { retry: false, reason: `gave up after ${Math.round((nowMs - createdMs) / 60_000)} min: ${failure.error}` };
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  const wait = Math.max(Math.floor(random() * ceiling), Math.min(failure.retryAfterMs ?? 0, policy.capMs));
  return { retry: true, atMs: nowMs + wait };
}
