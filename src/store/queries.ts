import { sql } from "drizzle-orm";
import { catalogQueries, syncCatalog } from "./catalog.ts";
import { actionApprovalQueries, actionRunQueries } from "./actions.ts";
import { agentQueries } from "./agents.ts";
import { catalogEntryQueries } from "./catalog-entries.ts";
import { auditQueries } from "./audit.ts";
import { clusterQueries } from "./cluster.ts";
import type { Db } from "./db.ts";
import { eventQueries } from "./events.ts";
import { incidentQueries } from "./incidents.ts";
import { maintenanceQueries } from "./maintenances.ts";
import { outboxQueries } from "./outbox.ts";
import { silenceQueries } from "./silences.ts";
import { stateQueries } from "./state.ts";
import { statsQueries } from "./stats.ts";
import { subscriberQueries } from "./subscribers.ts";
import { resultQueries } from "./results.ts";
import { tokenQueries } from "./tokens.ts";
import { userQueries } from "./users.ts";
import type { Store } from "./types.ts";

/** The advisory-lock key that orders appends to the timeline on PostgreSQL ("VIGILEVT" as a bigint). */
export const eventsLockKey = 0x5649_4749_4c45_5654n;

/**
 * On PostgreSQL, every write transaction takes the timeline's lock first and holds it until it commits, and
 * so does every append made outside a transaction: events are then committed in the order of their ids,
 * and a reader that moves a cursor past the ids it read never skips one committed later behind it.
 * Taken first, before any row lock, so it can never be part of a deadlock. PGlite is one connection and
 * its transactions are already one at a time.
 */
async function lockTimeline(db: Db): Promise<void> {
  await db.execute(sql.raw(`select pg_advisory_xact_lock(${eventsLockKey})`));
}

/** The part of the store that is the same on every driver and inside a transaction. */
export type StoreQueries = Omit<Store, "kind" | "description" | "close" | "transaction" | "ping" | "migrationStatus" | "listen">;

/** Every repository over one drizzle handle (the database, or a transaction on it). */
export function queriesOver(db: Db): StoreQueries {
  return { tokens: tokenQueries(db), catalog: catalogQueries(db), catalogEntries: catalogEntryQueries(db), actionRuns: actionRunQueries(db), actionApprovals: actionApprovalQueries(db), events: eventQueries(db), incidents: incidentQueries(db), maintenances: maintenanceQueries(db), outbox: outboxQueries(db), subscribers: subscriberQueries(db), silences: silenceQueries(db), state: stateQueries(db), ...resultQueries(db), ...clusterQueries(db), agents: agentQueries(db), ...userQueries(db), audit: auditQueries(db), stats: statsQueries(db) };
}

/** A store over a drizzle handle; `sync` and `transaction` run in database transactions. */
export function storeOver(
  db: Db,
  shell: Pick<Store, "kind" | "description" | "close" | "migrationStatus" | "listen">,
  translate: (err: unknown) => unknown,
): Store {
  const guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (err) {
      throw translate(err);
    }
  };
  const queries = queriesOver(db);
  const serialised = shell.kind === "postgres";
  const inTransaction = <T>(fn: (tx: StoreQueries & Pick<Store, "ping" | "migrationStatus" | "kind" | "description">) => Promise<T>) =>
    db.transaction(async (tx) => {
      if (serialised) await lockTimeline(tx as unknown as Db);
      return fn({ ...queriesOver(tx as unknown as Db), ping, migrationStatus: shell.migrationStatus, kind: shell.kind, description: shell.description });
    });
  /** An append outside a transaction: in one of its own on PostgreSQL, so that it takes the timeline's lock. */
  const appending = <A extends unknown[], R>(fn: (q: StoreQueries["events"]) => (...args: A) => Promise<R>) =>
    serialised ? (...args: A) => inTransaction((tx) => fn(tx.events)(...args)) : fn(queries.events);
  const ping = guard(async () => {
    await db.execute(sql`select 1`);
  });
  return {
    kind: shell.kind,
    description: shell.description,
    ping,
    migrationStatus: guard(shell.migrationStatus),
    tokens: {
      create: guard(queries.tokens.create),
      get: guard(queries.tokens.get),
      list: guard(queries.tokens.list),
      revoke: guard(queries.tokens.revoke),
      touch: guard(queries.tokens.touch),
    },
    audit: { append: guard(queries.audit.append), list: guard(queries.audit.list) },
    catalog: {
      sync: guard((input, at, actor) =>
        db.transaction(async (tx) => {
          if (serialised) await lockTimeline(tx as unknown as Db);
          return syncCatalog(tx as unknown as Db, input, at, actor);
        }),
      ),
      components: guard(queries.catalog.components),
      monitors: guard(queries.catalog.monitors),
      monitor: guard(queries.catalog.monitor),
    },
    catalogEntries: {
      list: guard(queries.catalogEntries.list),
      get: guard(queries.catalogEntries.get),
      create: guard(queries.catalogEntries.create),
      update: guard(queries.catalogEntries.update),
      remove: guard(queries.catalogEntries.remove),
    },
    actionRuns: {
      create: guard(queries.actionRuns.create),
      get: guard(queries.actionRuns.get),
      byKey: guard(queries.actionRuns.byKey),
      list: guard(queries.actionRuns.list),
      due: guard(queries.actionRuns.due),
      claim: guard(queries.actionRuns.claim),
      cancel: guard(queries.actionRuns.cancel),
      update: guard(queries.actionRuns.update),
      requeueRunning: guard(queries.actionRuns.requeueRunning),
      holdWaiting: guard(queries.actionRuns.holdWaiting),
      approvalsExpired: guard(queries.actionRuns.approvalsExpired),
    },
    actionApprovals: { add: guard(queries.actionApprovals.add), list: guard(queries.actionApprovals.list) },
    events: { append: guard(appending((e) => e.append)), appendMany: guard(appending((e) => e.appendMany)), list: guard(queries.events.list), statusChanges: guard(queries.events.statusChanges), statusChangesSince: guard(queries.events.statusChangesSince), latestPerSubject: guard(queries.events.latestPerSubject), prune: guard(queries.events.prune) },
    results: { insertMany: guard(queries.results.insertMany), list: guard(queries.results.list), lateSince: guard(queries.results.lateSince), prune: guard(queries.results.prune) },
    rollups: { compute: guard(queries.rollups.compute), list: guard(queries.rollups.list), prune: guard(queries.rollups.prune) },
    monitorStates: { load: guard(queries.monitorStates.load), save: guard(queries.monitorStates.save) },
    incidents: {
      create: guard(queries.incidents.create),
      get: guard(queries.incidents.get),
      list: guard(queries.incidents.list),
      update: guard(queries.incidents.update),
      addUpdate: guard(queries.incidents.addUpdate),
      updates: guard(queries.incidents.updates),
      updatesOf: guard(queries.incidents.updatesOf),
    },
    maintenances: {
      create: guard(queries.maintenances.create),
      get: guard(queries.maintenances.get),
      list: guard(queries.maintenances.list),
      update: guard(queries.maintenances.update),
    },
    outbox: {
      cursor: guard(queries.outbox.cursor),
      setCursor: guard(queries.outbox.setCursor),
      enqueue: guard(queries.outbox.enqueue),
      due: guard(queries.outbox.due),
      update: guard(queries.outbox.update),
      complete: guard(queries.outbox.complete),
      list: guard(queries.outbox.list),
      get: guard(queries.outbox.get),
      retry: guard(queries.outbox.retry),
      openFanouts: guard(queries.outbox.openFanouts),
      summarizedFanouts: guard(queries.outbox.summarizedFanouts),
      fanoutUnattempted: guard(queries.outbox.fanoutUnattempted),
      fanoutCounts: guard(queries.outbox.fanoutCounts),
      markFanoutSummarized: guard(queries.outbox.markFanoutSummarized),
      prune: guard(queries.outbox.prune),
    },
    stats: { tables: guard(queries.stats.tables), vacuum: guard(queries.stats.vacuum) },
    subscribers: {
      confirm: guard(queries.subscribers.confirm),
      get: guard(queries.subscribers.get),
      getMany: guard(queries.subscribers.getMany),
      find: guard(queries.subscribers.find),
      list: guard(queries.subscribers.list),
      count: guard(queries.subscribers.count),
      remove: guard(queries.subscribers.remove),
      importMany: guard(queries.subscribers.importMany),
    },
    silences: { create: guard(queries.silences.create), get: guard(queries.silences.get), list: guard(queries.silences.list), expire: guard(queries.silences.expire) },
    state: { get: guard(queries.state.get), put: guard(queries.state.put), putIfAbsent: guard(queries.state.putIfAbsent), getForUpdate: guard(queries.state.getForUpdate) },
    cluster: {
      acquire: guard(queries.cluster.acquire),
      release: guard(queries.cluster.release),
      leader: guard(queries.cluster.leader),
      fence: guard(queries.cluster.fence),
      seen: guard(queries.cluster.seen),
      stopped: guard(queries.cluster.stopped),
      nodes: guard(queries.cluster.nodes),
      forget: guard(queries.cluster.forget),
      notify: guard(queries.cluster.notify),
    },
    heartbeats: { record: guard(queries.heartbeats.record), last: guard(queries.heartbeats.last) },
    agents: { ingest: guard(queries.agents.ingest), seen: guard(queries.agents.seen), list: guard(queries.agents.list), resultsAfter: guard(queries.agents.resultsAfter), cursorSince: guard(queries.agents.cursorSince) },
    users: {
      create: guard(queries.users.create),
      get: guard(queries.users.get),
      byEmail: guard(queries.users.byEmail),
      list: guard(queries.users.list),
      setPassword: guard(queries.users.setPassword),
      setDisabled: guard(queries.users.setDisabled),
      setRole: guard(queries.users.setRole),
    },
    sessions: {
      create: guard(queries.sessions.create),
      get: guard(queries.sessions.get),
      touch: guard(queries.sessions.touch),
      remove: guard(queries.sessions.remove),
      removeAllOf: guard(queries.sessions.removeAllOf),
      prune: guard(queries.sessions.prune),
    },
    passwordLinks: { create: guard(queries.passwordLinks.create), get: guard(queries.passwordLinks.get), use: guard(queries.passwordLinks.use), revokeAllOf: guard(queries.passwordLinks.revokeAllOf), openUntil: guard(queries.passwordLinks.openUntil) },
    secondFactors: {
      get: guard(queries.secondFactors.get),
      begin: guard(queries.secondFactors.begin),
      enable: guard(queries.secondFactors.enable),
      useStep: guard(queries.secondFactors.useStep),
      useRecoveryCode: guard(queries.secondFactors.useRecoveryCode),
      recoveryCodesLeft: guard(queries.secondFactors.recoveryCodesLeft),
      remove: guard(queries.secondFactors.remove),
      enabledUserIds: guard(queries.secondFactors.enabledUserIds),
    },
    loginChallenges: { create: guard(queries.loginChallenges.create), get: guard(queries.loginChallenges.get), remove: guard(queries.loginChallenges.remove), prune: guard(queries.loginChallenges.prune) },
    listen: shell.listen,
    transaction: guard((fn) => inTransaction(fn)),
    close: shell.close,
  };
}
