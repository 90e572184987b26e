import type { Probe } from "./types.ts";

/** The monitor types Vigil knows, in the order the docs list them. */
export const monitorTypeNames = ["http", "tcp", "dns", "tls", "mysql", "postgres", "redis", "heartbeat"] as const;
export type MonitorType = (typeof monitorTypeNames)[number];

/**
 * Each type's probe, behind a dynamic import: a process loads a probe, and the driver it brings (mysql2, pg, ioredis),
 * only when it asks for it. A remote agent asks when a monitor of the type is assigned; the server asks for all of
 * them at start (registry.ts). Exhaustive, so a type without a probe fails to compile.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const probeModules: Record<MonitorType, () => Promise<Probe<any>>> = {
  http: async () => (await import("./http.ts")).httpProbe,
  tcp: async () => (await import("./tcp.ts")).tcpProbe,
  dns: async () => (await import("./dns.ts")).dnsProbe,
  tls: async () => (await import("./tls.ts")).tlsProbe,
  mysql: async () => (await import("./mysql.ts")).mysqlProbe,
  postgres: async () => (await import("./postgres.ts")).postgresProbe,
  redis: async () => (await import("./redis.ts")).redisProbe,
  heartbeat: async () => (await import("./heartbeat.ts")).heartbeatProbe,
};

/** True for a type this Vigil knows. */
export function isMonitorType(type: string): type is MonitorType {
  return Object.hasOwn(probeModules, type);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const loading = new Map<MonitorType, Promise<Probe<any>>>();

/** The probe of `type`, loaded on the first call. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadProbe(type: MonitorType): Promise<Probe<any>> {
  let probe = loading.get(type);
  if (probe === undefined) {
    probe = probeModules[type]();
    loading.set(type, probe);
  }
  return probe;
}
