/**
 * A per-key request limiter in bounded memory, for the public subscribe endpoint (per client, per
 * recipient, and in all: see SubscribeLimiter): at most `limit` requests per key in a fixed window of `windowMs` that starts at the key's
 * first request and restarts at its first request after the window ends. (A fixed window lets a
 * client make up to twice `limit` across a window boundary; for throttling sign-ups that is fine,
 * and it needs two numbers per key.) The clock is injected: `now` is passed to every call.
 */

/** How a RateLimiter is sized. */
export interface RateLimiterOptions {
  /** Requests allowed per key per window (at least 1). */
  limit: number;
  /** The window's length, in milliseconds (more than 0). */
  windowMs: number;
  /** Keys tracked at most (at least 1); beyond that the keys whose window started first are forgotten. */
  maxKeys: number;
}

/** Whether a request may go ahead, and if not how long until it may (whole milliseconds, 0 when allowed). */
export interface RateDecision {
  allowed: boolean;
  retryAfterMs: number;
}

interface Window {
  start: number;
  count: number;
}

/**
 * Fixed-window rate limiting per key, in memory bounded by `maxKeys`. Windows are kept in the order
 * they started, so expired ones are dropped from the front as new ones start, and when more than
 * `maxKeys` are still live the oldest is evicted: that key starts afresh, so under a flood of
 * distinct keys a limit is forgotten rather than memory growing.
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  // Insertion order is the order windows started (a restarted window is moved to the end).
  readonly #windows = new Map<string, Window>();

  constructor(opts: RateLimiterOptions) {
    if (!Number.isInteger(opts.limit) || opts.limit < 1) throw new RangeError("limit must be a whole number of at least 1");
    if (!Number.isFinite(opts.windowMs) || opts.windowMs <= 0) throw new RangeError("windowMs must be more than 0");
    if (!Number.isInteger(opts.maxKeys) || opts.maxKeys < 1) throw new RangeError("maxKeys must be a whole number of at least 1");
    this.#limit = opts.limit;
    this.#windowMs = opts.windowMs;
    this.#maxKeys = opts.maxKeys;
  }

  /** Keys tracked now (at most `maxKeys`). */
  get size(): number {
    return this.#windows.size;
  }

  /** Whether a request from `key` at `now` would be allowed, counting nothing. */
  peek(key: string, now: Date): RateDecision {
    const t = now.getTime();
    if (!Number.isFinite(t)) throw new RangeError("now is not a valid date");
    const window = this.#windows.get(key);
    if (window === undefined || !(t >= window.start && t < window.start + this.#windowMs) || window.count < this.#limit) return { allowed: true, retryAfterMs: 0 };
    return { allowed: false, retryAfterMs: Math.ceil(window.start + this.#windowMs - t) };
  }

  /** Counts a request from `key` at `now` if it is allowed; a refused request is not counted. Throws a RangeError for an invalid date. */
  take(key: string, now: Date): RateDecision {
    const t = now.getTime();
    if (!Number.isFinite(t)) throw new RangeError("now is not a valid date");
    let window = this.#windows.get(key);
    if (window !== undefined && !(t >= window.start && t < window.start + this.#windowMs)) {
      // Over (or the clock went back): start again, at the end of the order.
      this.#windows.delete(key);
      window = undefined;
    }
    if (window === undefined) {
      this.#dropExpired(t);
      window = { start: t, count: 0 };
      this.#windows.set(key, window);
      for (const oldest of this.#windows.keys()) {
        if (this.#windows.size <= this.#maxKeys) break;
        this.#windows.delete(oldest);
      }
    }
    if (window.count < this.#limit) {
      window.count += 1;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: Math.ceil(window.start + this.#windowMs - t) };
  }

  /** Drops windows over at `t` from the front of the order (amortised: each is dropped once). */
  #dropExpired(t: number): void {
    for (const [key, window] of this.#windows) {
      if (window.start + this.#windowMs > t) break;
      this.#windows.delete(key);
    }
  }
}

/** One limit: `requests` per window of `perMs`. */
export interface Limit {
  requests: number;
  perMs: number;
}

/** The subscribe endpoint's three limits. */
export interface SubscribeLimitSettings {
  /** Per client key (an IPv4 address or an IPv6 /64). */
  client: Limit;
  /** Per recipient (an e-mail address, or a webhook's host): what one inbox or endpoint can be sent. */
  recipient: Limit;
  /** Over all clients and recipients: what a crowd of addresses can make Vigil send. */
  global: Limit;
}

/** Which limit refused a request, and how long until it may go ahead. */
export type SubscribeDecision = { allowed: true } | { allowed: false; limit: "client" | "recipient" | "global"; retryAfterMs: number };

/** Client keys tracked at most: beyond that the oldest windows are forgotten (the other two limits still hold). */
export const maxTrackedClients = 100_000;

/**
 * The subscribe endpoint's limits, checked in order: the client's (counted whenever it is checked, so a client
 * refused by a later limit still uses its budget), then the recipient's and the global one (counted only when the
 * request goes ahead). A recipient's window is never forgotten: recipients are counted only in requests the global
 * limit allows, so the table holds at most the recipients of one recipient window's worth of global windows.
 */
export class SubscribeLimiter {
  readonly #client: RateLimiter;
  readonly #recipient: RateLimiter;
  readonly #global: RateLimiter;

  constructor(settings: SubscribeLimitSettings) {
    const globalWindows = Math.ceil(settings.recipient.perMs / settings.global.perMs) + 1;
    this.#client = new RateLimiter({ limit: settings.client.requests, windowMs: settings.client.perMs, maxKeys: maxTrackedClients });
    this.#recipient = new RateLimiter({ limit: settings.recipient.requests, windowMs: settings.recipient.perMs, maxKeys: settings.global.requests * globalWindows });
    this.#global = new RateLimiter({ limit: settings.global.requests, windowMs: settings.global.perMs, maxKeys: 1 });
  }

  /** Counts a request from `client` to `recipient` at `now`, or says which limit refuses it. */
  take(client: string, recipient: string, now: Date): SubscribeDecision {
    const byClient = this.#client.take(client, now);
    if (!byClient.allowed) return { allowed: false, limit: "client", retryAfterMs: byClient.retryAfterMs };
    const byRecipient = this.#recipient.peek(recipient, now);
    if (!byRecipient.allowed) return { allowed: false, limit: "recipient", retryAfterMs: byRecipient.retryAfterMs };
    const overall = this.#global.peek("all", now);
    if (!overall.allowed) return { allowed: false, limit: "global", retryAfterMs: overall.retryAfterMs };
    this.#recipient.take(recipient, now);
    this.#global.take("all", now);
    return { allowed: true };
  }
}
