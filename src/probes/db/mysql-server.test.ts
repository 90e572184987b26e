import { describe, expect, it } from "vitest";
import { mysqlIdentity, mysqlRole, replicaFacts, replicaStatusStatement, transactionFacts } from "./mysql-server.ts";
import { postgresServerFacts } from "./postgres-server.ts";

describe("mysql server facts", () => {
  it.each([
    ["10.11.18-MariaDB-0+deb12u1", "SHOW REPLICA STATUS"],
    ["10.5.1-MariaDB", "SHOW REPLICA STATUS"],
    ["10.5.0-MariaDB", "SHOW SLAVE STATUS"],
    ["10.4.32-MariaDB-log", "SHOW SLAVE STATUS"],
    ["8.0.22", "SHOW REPLICA STATUS"],
    ["8.4.3", "SHOW REPLICA STATUS"],
    ["8.0.21-log", "SHOW SLAVE STATUS"],
    ["5.7.44-log", "SHOW SLAVE STATUS"],
    ["", "SHOW SLAVE STATUS"],
  ])("asks %j for replica status with %s", (version, statement) => {
    expect(replicaStatusStatement(version)).toBe(statement);
  });

  it.each<[string, Record<string, unknown>[] | undefined, Record<string, unknown>]>([
    ["refused", undefined, { replicating: null, replicationRunning: null, replicationLagS: null }],
    ["not a replica", [], { replicating: false, replicationRunning: null, replicationLagS: null }],
    ["MariaDB, running", [{ Slave_IO_Running: "Yes", Slave_SQL_Running: "Yes", Seconds_Behind_Master: "12" }], { replicating: true, replicationRunning: true, replicationLagS: 12 }],
    ["MySQL 8, running", [{ Replica_IO_Running: "Yes", Replica_SQL_Running: "Yes", Seconds_Behind_Source: 3 }], { replicating: true, replicationRunning: true, replicationLagS: 3 }],
    ["SQL thread stopped", [{ Slave_IO_Running: "Yes", Slave_SQL_Running: "No", Seconds_Behind_Master: null }], { replicating: true, replicationRunning: false, replicationLagS: null }],
  ])("reads replica status: %s", (_name, rows, facts) => {
    expect(replicaFacts(rows)).toEqual(facts);
  });

  it("reads transactions, and none", () => {
    expect(transactionFacts({ oldest_s: 720, lock_waits: "3" })).toEqual({ oldestTransactionS: 720, lockWaits: 3 });
    expect(transactionFacts({ oldest_s: null, lock_waits: "0" })).toEqual({ oldestTransactionS: null, lockWaits: 0 });
    expect(transactionFacts(undefined)).toEqual({ oldestTransactionS: null, lockWaits: null });
  });

  it.each<[string, Record<string, string>, Record<string, unknown>, string]>([
    ["a MariaDB primary", { server_id: "1", hostname: "db-a", read_only: "OFF", innodb_read_only: "OFF" }, { serverId: "1", serverUuid: null, hostname: "db-a", writable: true }, "primary"],
    ["an Aurora reader", { server_id: "7", server_uuid: "3e11fa47-71ca-11e1-9e33-c80aa9429562", read_only: "OFF", innodb_read_only: "ON" }, { serverUuid: "3e11fa47-71ca-11e1-9e33-c80aa9429562", writable: false }, "replica"],
    ["a read-only replica", { server_id: "2", read_only: "ON", innodb_read_only: "OFF" }, { writable: false }, "replica"],
  ])("reads identity and role: %s", (_name, variables, facts, role) => {
    const identity = mysqlIdentity(new Map(Object.entries(variables)));
    expect(identity).toMatchObject(facts);
    expect(mysqlRole(identity)).toBe(role);
  });

  it("calls a writable server that replicates a replica", () => {
    expect(mysqlRole({ writable: true, replicating: true })).toBe("replica");
  });
});

describe("postgres server facts", () => {
  it("reads a standby's lag, a primary's none, and nothing when refused", () => {
    const row = { system_id: "7312345678901234567", timeline: 2, in_recovery: true, lag_s: 4.5678, oldest_s: 61.2, lock_waits: 1 };
    expect(postgresServerFacts(row)).toMatchObject({ serverId: "7312345678901234567", timeline: 2, writable: false, replicating: true, replicationLagS: 4.568, oldestTransactionS: 61.2, lockWaits: 1 });
    expect(postgresServerFacts({ ...row, in_recovery: false, lag_s: null })).toMatchObject({ writable: true, replicating: false, replicationLagS: null });
    expect(postgresServerFacts(undefined)).toMatchObject({ serverId: null, writable: null, lockWaits: null });
  });
});
