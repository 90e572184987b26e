/**
 * Login rate limiting: failed attempts are counted per account (the e-mail as typed, lowercased, whether or not such a
 * user exists, so the answer tells nothing) and per client address, each in a sliding window. No I/O and no clock: the
 * state is a Map the caller owns (updated in place, so a flood costs O(1) per attempt), the time is given.
 */

/** How many failures a key may have within its window. */
export interface LimitRule {
  max: number;
  windowMs: number;
}

/** Per-account and per-address rules (config `console.login`). */
export interface LoginLimits {
  account: LimitRule;
  address: LimitRule;
}

/** The defaults: 5 failures per account and 20 per address in 15 minutes. */
export const defaultLoginLimits: LoginLimits = { account: { max: 5, windowMs: 15 * 60_000 }, address: { max: 20, windowMs: 15 * 60_000 } };

/** Failure times per key (`account:…`, `address:…`), oldest first. */
export type LimiterState = Map<string, readonly number[]>;

/** The most keys kept: past it the keys with the oldest last failure are forgotten, so a flood cannot grow memory without end. */
export const maxKeys = 10_000;

/** The keys an attempt is counted under. */
export function limitKeys(email: string, address: string): { account: string; address: string } {
  return { account: `account:${email.trim().toLowerCase()}`, address: `address:${address}` };
}

function recent(times: readonly number[] | undefined, rule: LimitRule, now: number): readonly number[] {
  return (times ?? []).filter((t) => t > now - rule.windowMs);
}

/** Whether an attempt may go ahead at `now`; if not, how long until the oldest counted failure leaves its window. */
export function checkLimit(state: LimiterState, limits: LoginLimits, keys: { account: string; address: string }, now: number): { allowed: true } | { allowed: false; retryAfterMs: number } {
  let wait = 0;
  for (const [key, rule] of [[keys.account, limits.account], [keys.address, limits.address]] as const) {
    const times = recent(state.get(key), rule, now);
    if (times.length >= rule.max) wait = Math.max(wait, (times[times.length - rule.max] as number) + rule.windowMs - now);
  }
  return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
}

/** Records a failed attempt at `now`. */
export function recordFailure(state: LimiterState, limits: LoginLimits, keys: { account: string; address: string }, now: number): void {
  const next = state;
  const times = new Map([[keys.account, state.get(keys.account)], [keys.address, state.get(keys.address)]]);
  for (const [key, rule] of [[keys.account, limits.account], [keys.address, limits.address]] as const) {
    next.delete(key); // re-inserted last: the Map's order is then the order of last failures
    next.set(key, [...recent(times.get(key), rule, now), now].slice(-rule.max));
  }
  while (next.size > maxKeys) next.delete(next.keys().next().value as string);
}

/**
 * Checks and counts an attempt in one step, with no await between them, so that attempts sent in parallel are all
 * counted before any of them is answered: each is a failure until the caller calls `recordSuccess` with the same
 * `now`. (Checking first and counting a failure after the password or code was verified let a burst of parallel
 * guesses all pass the check.)
 */
export function startAttempt(state: LimiterState, limits: LoginLimits, keys: { account: string; address: string }, now: number): { allowed: true } | { allowed: false; retryAfterMs: number } {
  const limit = checkLimit(state, limits, keys, now);
  if (limit.allowed) recordFailure(state, limits, keys, now);
  return limit;
}

/** Takes back the attempt started at `at` (`startAttempt`) from the account's and the address's counts: it did not fail. */
export function withdrawAttempt(state: LimiterState, keys: { account: string; address: string }, at: number): void {
  for (const key of [keys.account, keys.address]) {
    const times = state.get(key);
    const i = times === undefined ? -1 : times.lastIndexOf(at);
    if (times !== undefined && i >= 0) state.set(key, [...times.slice(0, i), ...times.slice(i + 1)]);
  }
}

/**
 * Records a successful sign-in: the account's failures are forgotten, the address's are kept, except the attempt
 * started at `startedAt` (`startAttempt`), which succeeded.
 */
export function recordSuccess(state: LimiterState, keys: { account: string; address: string }, startedAt: number): void {
  withdrawAttempt(state, keys, startedAt);
  state.delete(keys.account);
}
