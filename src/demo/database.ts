/** The orders database of the story: a real MariaDB when one is installed (mariadb.ts), else a TCP stand-in (standin-db.ts). */

/** A database the demo can crash and restart, and the monitor Vigil watches it with. */
export interface DemoDatabase {
  kind: "mariadb" | "stand-in";
  /** What it is, for the narration. */
  label: string;
  port: number;
  /** The Vigil monitor that checks it: its type and the type's keys (mysql: url; tcp: host, port). */
  monitor: Record<string, unknown>;
  /** Kills it at once (SIGKILL for MariaDB): connections are refused until `restart`. */
  crash(): Promise<void>;
  /** Starts it again on the same port and waits until it answers. */
  restart(): Promise<void>;
  /** Stops it for good (its files, if any, are in the demo's temp dir, which the demo removes). */
  dispose(): Promise<void>;
}
