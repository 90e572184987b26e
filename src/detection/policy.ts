import type { DetectionPolicy } from "./types.ts";

/** Overrides of a policy, as configuration gives them; undefined values keep the default. */
export type PolicyOverrides = Partial<Omit<DetectionPolicy, "intervalMs" | "flap" | "evidence" | "suspect">> & {
  /** null turns hang suspicion off; undefined values keep the defaults. */
  suspect?: Partial<NonNullable<DetectionPolicy["suspect"]>> | null;
  flap?: Partial<DetectionPolicy["flap"]>;
  evidence?: Partial<DetectionPolicy["evidence"]>;
};

const minute = 60_000;

/**
 * The default detection policy for a monitor checked every `intervalMs`.
 *
 * - confirm 2 / recover 2: one failed check is often a blip (a lost packet, a GC pause); the second,
 *   a quick re-check ~1 s later, confirms within seconds instead of a whole interval. Same for recovery.
 * - quorum "majority": one region's network trouble must not page anyone; most regions must agree.
 * - staleAfterMs 3 × interval (at least 30 s): a region that missed three checks is not reporting,
 *   and 30 s covers short intervals where a slow check plus scheduling jitter exceeds 3 intervals.
 * - flap 6 changes in 10 min: three down/up cycles in ten minutes is more than a real incident makes;
 *   beyond that each notification is noise, so one "flapping" event replaces them.
 * - evidence: 90 % of max connections is where new clients start to be refused; two restarts in
 *   10 min is a crash loop rather than a deploy or a one-off restart.
 * - suspect 10 × p99, at least 1 s: an answer that slow is far outside the monitor's own spread (a long
 *   tail rarely reaches 10 × its p99), and 1 s keeps a fast target's jitter (GC, a busy event loop) from counting.
 */
export function defaultPolicy(intervalMs: number): DetectionPolicy {
  assertPositive("intervalMs", intervalMs);
  return {
    intervalMs,
    confirm: 2,
    recover: 2,
    quorum: "majority",
    staleAfterMs: Math.max(3 * intervalMs, 30_000),
    flap: { windowMs: 10 * minute, maxChanges: 6 },
    evidence: { saturation: 0.9, crashLoopRestarts: 2, crashLoopWindowMs: 10 * minute },
    suspect: { factor: 10, floorMs: 1_000 },
  };
}

/** The default policy for `intervalMs` with `overrides` applied; throws RangeError on values that make no sense. */
export function resolvePolicy(intervalMs: number, overrides: PolicyOverrides = {}): DetectionPolicy {
  const base = defaultPolicy(intervalMs);
  const policy: DetectionPolicy = {
    ...base,
    ...defined(overrides),
    intervalMs,
    flap: { ...base.flap, ...defined(overrides.flap ?? {}) },
    evidence: { ...base.evidence, ...defined(overrides.evidence ?? {}) },
    suspect: overrides.suspect === null ? null : { factor: 10, floorMs: 1_000, ...base.suspect, ...defined(overrides.suspect ?? {}) },
  };
  validatePolicy(policy);
  return policy;
}

/** Throws RangeError when a policy could never confirm, recover or damp anything. */
export function validatePolicy(policy: DetectionPolicy): void {
  assertPositive("intervalMs", policy.intervalMs);
  assertCount("confirm", policy.confirm);
  assertCount("recover", policy.recover);
  if (typeof policy.quorum === "number") assertCount("quorum", policy.quorum);
  else if (policy.quorum !== "majority" && policy.quorum !== "any") {
    const share = Number(policy.quorum.slice(0, -1));
    if (!policy.quorum.endsWith("%") || !(share > 0 && share <= 100)) throw new RangeError(`quorum must be a number, a share in (0%, 100%], any or majority, got ${policy.quorum}`);
  }
  assertPositive("staleAfterMs", policy.staleAfterMs);
  assertPositive("flap.windowMs", policy.flap.windowMs);
  assertCount("flap.maxChanges", policy.flap.maxChanges);
  const { saturation, crashLoopRestarts, crashLoopWindowMs } = policy.evidence;
  if (!(saturation > 0 && saturation <= 1)) throw new RangeError(`evidence.saturation must be in (0, 1], got ${saturation}`);
  assertCount("evidence.crashLoopRestarts", crashLoopRestarts);
  assertPositive("evidence.crashLoopWindowMs", crashLoopWindowMs);
  if (policy.suspect) {
    // Below 1 × p99 a check of ordinary speed would be suspect.
    if (!(Number.isFinite(policy.suspect.factor) && policy.suspect.factor >= 1)) throw new RangeError(`suspect.factor must be a number ≥ 1, got ${policy.suspect.factor}`);
    assertPositive("suspect.floorMs", policy.suspect.floorMs);
  }
}

/**
 * How many regions must agree when `reporting` regions count (the fresh ones with a confirmed status): "majority" is
 * floor(n/2)+1, "any" is 1, a share p% is ceil(p × n) (at least 1), a fixed number k is min(k, n).
 */
export function quorumOf(policy: Pick<DetectionPolicy, "quorum">, reporting: number): number {
  const n = Math.max(reporting, 1);
  const { quorum } = policy;
  if (quorum === "majority") return Math.floor(n / 2) + 1;
  if (quorum === "any") return 1;
  // Rounded to a millionth first, so that 3 × 33.333…% is not 1.0000000001 regions.
  if (typeof quorum === "string") return Math.max(1, Math.ceil(Math.round((Number(quorum.slice(0, -1)) / 100) * n * 1e6) / 1e6));
  // Capped so that regions going stale cannot make an outage impossible to report.
  return Math.min(quorum, n);
}

// Configuration maps absent optional keys to undefined; those must not erase a default.
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function assertPositive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
}

function assertCount(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 1)) throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
}
