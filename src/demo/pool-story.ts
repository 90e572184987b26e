/**
 * The second story, the one the first was mistaken for: an analytics tool's nightly export opens connections to the
 * orders database and never gives them back, until the pool is exhausted and the Production API cannot log in. In the
 * story Vigil is built from, responders blamed exactly such a tool and lost half an hour while the database
 * crash-looped; here the tool is the cause, and Vigil's evidence says so, naming who holds the connections.
 * Replayed on a real MariaDB with a small pool, on a story clock running `speed` times faster than real time.
 */
import { createConnection, type Connection } from "mysql2/promise";
import type { StoryClock } from "./clock.ts";
import type { DemoMariadb } from "./mariadb.ts";
import type { Narrator } from "./narrator.ts";
import { sleep } from "./net.ts";

const minute = 60_000;

/** The story's timeline, in story time from the start of the replay. */
export const poolStory = {
  /** The server's `max_connections`: small, so that a handful of seconds fills it. */
  maxConnections: 40,
  /** Healthy, then the export starts. */
  exportStartsAt: 2 * minute,
  /** The share of the pool the export holds at each step, a step every `stepEvery`; then all of it. */
  steps: [0.5, 0.8, 0.95],
  stepEvery: 2 * minute,
  /** How long the pool stays full before a responder, who has read Vigil's diagnosis, stops the export. */
  fullFor: 20 * minute,
  /** The export's connections that run a query; the others sit idle, as a leaking pool's do. */
  busy: 2,
} as const;

/**
 * Real time, whatever the speed: each step lasts long enough for a check (every second) to see it; the full pool
 * long enough to be confirmed, opened as an incident and published. A responder stops the export only once the
 * diagnosis has named it, or after `diagnosisWaitMs` without one.
 */
export const poolRealTime = { minStepMs: 3_000, minFullMs: 8_000, diagnosisWaitMs: 60_000 } as const;

/** The analytics tool's MySQL account; the Production API logs in as `app`. */
export const analyticsUser = { user: "analytics", password: "analytics-pw" } as const;
export const appUser = { user: "app", password: "app-pw" } as const;

/** When the script's events happened, in wall time. */
export interface PoolMarks {
  exportStartedAt?: Date;
  /** The export holds every connection a client without the SUPER privilege may open. */
  poolFullAt?: Date;
  /** A responder stopped the export, and its connections closed. */
  stoppedAt?: Date;
  /** Connections the export held at its peak. */
  held: number;
}

export interface PoolScriptContext {
  clock: StoryClock;
  db: DemoMariadb;
  say: Narrator;
  /** Whether Vigil's diagnosis has named the cause yet: the responder acts on it. */
  diagnosed: () => boolean;
  signal?: AbortSignal;
}

/** Creates the accounts the story logs in with: the analytics tool's and the Production API's. */
export async function createPoolStoryUsers(db: DemoMariadb): Promise<void> {
  const root = await db.asRoot();
  try {
    for (const { user, password } of [analyticsUser, appUser]) await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    await root.query(`GRANT SELECT ON orders.* TO '${analyticsUser.user}'@'%'`);
    await root.query(`GRANT ALL ON orders.* TO '${appUser.user}'@'%'`);
  } finally {
    await root.end();
  }
}

/** Whether the Production API can log in to the database now (its health: a full pool refuses it). */
export async function canLogIn(db: DemoMariadb, timeoutMs = 500): Promise<boolean> {
  try {
    const connection = await createConnection({ host: "127.0.0.1", port: db.port, ...appUser, database: "orders", connectTimeout: timeoutMs });
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

/** MySQL's "Too many connections". */
const tooManyConnections = 1040;

/** The analytics tool: opens connections and keeps them, as a pool that never gives one back. */
class AnalyticsExport {
  readonly #db: DemoMariadb;
  readonly #signal: AbortSignal | undefined;
  readonly #held: Connection[] = [];

  constructor(db: DemoMariadb, signal?: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  get held(): number {
    return this.#held.length;
  }

  /**
   * Opens connections until it holds `count`. A refusal for a full pool is retried: a check's connection closing
   * frees a slot, which the export takes, as a busy pool does; so at `max_connections` nobody else gets in.
   */
  async growTo(count: number): Promise<void> {
    while (this.#held.length < count) {
      try {
        const connection = await createConnection({ host: "127.0.0.1", port: this.#db.port, ...analyticsUser, database: "orders", connectTimeout: 2_000 });
        this.#held.push(connection);
        // A few run the export's queries; the rest sit idle.
        if (this.#held.length <= poolStory.busy) connection.query("SELECT SLEEP(3600)").catch(() => undefined);
      } catch (error) {
        if ((error as { errno?: number }).errno !== tooManyConnections) throw error;
        await sleep(20, this.#signal);
      }
    }
  }

  /** Closes every connection at once (killing the running queries with them). */
  stop(): void {
    for (const connection of this.#held.splice(0)) connection.destroy();
  }
}

/** Plays the story from healthy to the export stopped; Vigil's side is watched elsewhere. */
export async function playPoolStory(ctx: PoolScriptContext): Promise<PoolMarks> {
  const { clock, db, say } = ctx;
  const marks: PoolMarks = { held: 0 };
  const tell = (text: string) => say.say("story", text);
  const tool = new AnalyticsExport(db, ctx.signal);
  clock.start();
  tell(`All is well: the Production API answers, the orders database too (max_connections ${db.maxConnections}).`);
  try {
    await clock.until(poolStory.exportStartsAt);
    marks.exportStartedAt = new Date();
    for (const share of poolStory.steps) {
      await tool.growTo(Math.floor(db.maxConnections * share));
      tell(`The analytics tool's nightly export holds ${tool.held} connections to the orders database${marks.held === 0 ? ", and gives none back" : ""}.`);
      marks.held = tool.held;
      await clock.sleep(poolStory.stepEvery, poolRealTime.minStepMs);
    }
    await tool.growTo(db.maxConnections);
    marks.held = tool.held;
    marks.poolFullAt = new Date();
    tell(`The export holds all ${tool.held} connections: the POOL IS EXHAUSTED, and the Production API cannot log in.`);
    await clock.sleep(poolStory.fullFor, poolRealTime.minFullMs);
    const deadline = Date.now() + poolRealTime.diagnosisWaitMs;
    while (!ctx.diagnosed() && Date.now() < deadline) await sleep(100, ctx.signal);
    tell(ctx.diagnosed() ? "A responder reads Vigil's diagnosis, which names the analytics tool, and stops the export." : "A responder stops the export.");
  } finally {
    tool.stop();
  }
  marks.stoppedAt = new Date();
  return marks;
}
