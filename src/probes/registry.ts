import { dnsProbe } from "./dns.ts";
import { heartbeatProbe } from "./heartbeat.ts";
import { httpProbe } from "./http.ts";
import { mysqlProbe } from "./mysql.ts";
import { postgresProbe } from "./postgres.ts";
import { redisProbe } from "./redis.ts";
import { tcpProbe } from "./tcp.ts";
import { tlsProbe } from "./tls.ts";
import type { Probe } from "./types.ts";

/** The monitor types Vigil knows, in the order the docs list them. */
export const monitorTypeNames = ["http", "tcp", "dns", "tls", "mysql", "postgres", "redis", "heartbeat"] as const;
export type MonitorType = (typeof monitorTypeNames)[number];

/** Every probe by type; exhaustive, so a type without a probe fails to compile. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const probeRegistry: Record<MonitorType, Probe<any>> = {
  http: httpProbe,
  tcp: tcpProbe,
  dns: dnsProbe,
  tls: tlsProbe,
  mysql: mysqlProbe,
  postgres: postgresProbe,
  redis: redisProbe,
  heartbeat: heartbeatProbe,
};

/** The keys a probe's config schema knows (its schema is a zod object). */
export function probeKeys(probe: Probe<unknown>): string[] {
  const shape = (probe.configSchema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
