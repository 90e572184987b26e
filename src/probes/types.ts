import type * as z from "zod";
import type { Clock } from "../core/clock.ts";

/** One observed value of a check: `status`, `latencyMs`, `certDaysLeft`, `uptimeS`, `connections`… */
export type Fact = number | string | boolean | null;

/**
 * Why a check failed, classified so that detection and humans can tell a timeout from a refusal. `saturated`: the
 * server answered but refused the connection because all of its connections are taken (MySQL error 1040, PostgreSQL
 * SQLSTATE 53300, Redis "max number of clients reached").
 */
export const errorKinds = ["timeout", "dns", "connect", "tls", "protocol", "auth", "saturated", "assertion"] as const;
export type ErrorKind = (typeof errorKinds)[number];

/** A classified failure with a message safe to show (no secrets, no full URLs with credentials). */
export interface ProbeError {
  kind: ErrorKind;
  message: string;
}

/**
 * The result of one check. An unhealthy target is data, never an exception: `down` with an error,
 * or `degraded` (it answered, but too slowly or with a warning such as a certificate about to expire).
 */
export interface ProbeOutcome {
  status: "up" | "degraded" | "down";
  latencyMs: number;
  facts: Record<string, Fact>;
  error?: ProbeError;
  /** Why it is degraded, when it is. */
  warning?: string;
  /** The response body (truncated), for assertions; never stored. */
  body?: string;
}

/** What a probe receives besides its configuration. */
export interface ProbeContext {
  /** Aborted when the check's timeout elapses (or Vigil stops): stop work and report a timeout. */
  signal: AbortSignal;
  clock: Clock;
  /** The region running the check, e.g. "local" or "eu-west". */
  region: string;
  timeoutMs: number;
  /** The monitor being checked. */
  monitorId?: string;
  /** The monitor's interval (a push monitor counts a missing ping from it). */
  intervalMs?: number;
  /** When the monitor last pushed a heartbeat (heartbeat monitors only). */
  lastHeartbeat?: () => Date | undefined;
}

/** A probe type: its own config schema (type-specific keys only), the facts it may produce, and its check. */
export interface Probe<Cfg = unknown> {
  type: string;
  /** Validates the type-specific keys of a monitor (not id, type, name, interval, timeout…). */
  configSchema: z.ZodType<Cfg>;
  /** True for a push type (the target calls Vigil, authenticated by the monitor's `secret`). */
  push?: true;
  /** Facts this probe can produce; an assertion on any other fact is a configuration error. */
  facts: readonly string[];
  /** Runs one check. Throws only for programmer errors; an unhealthy target is a `down` outcome. */
  run(config: Cfg, ctx: ProbeContext): Promise<ProbeOutcome>;
}

/** Milliseconds elapsed since `startedMs` (from performance.now()), rounded to 0.1 ms. */
export function elapsedSince(startedMs: number): number {
  return Math.round((performance.now() - startedMs) * 10) / 10;
}
