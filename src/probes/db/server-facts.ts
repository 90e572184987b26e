/**
 * Facts the mysql and postgres probes report about which server answers, its role, replication and
 * transactions; null when the server does not have it or the monitoring user may not read it.
 */
export const serverFactNames = [
  "serverId",
  "serverUuid",
  "hostname",
  "timeline",
  "writable",
  "replicating",
  "replicationRunning",
  "replicationLagS",
  "oldestTransactionS",
  "lockWaits",
] as const;

