import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AppError } from "../core/errors.ts";
import type { StoreLogger } from "./types.ts";

/** The lock file's name inside a data dir. */
export const lockFileName = "vigil.lock";
/** The running server's pid file and local socket, next to the lock (written by `vigil serve` while it holds it). */
export const pidFileName = "vigil.pid";
export const socketFileName = "vigil.sock";

/** How often the holder refreshes the lock's mtime, and when a lock from another host counts as abandoned. */
export const heartbeatMs = 10_000;
export const foreignStaleMs = 60_000;

/** An exclusive hold on a data dir; release it exactly once. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

// Lock files this process holds: a lock naming our own pid but absent here is a previous incarnation's
// (a container's pid 1 restarting), so it is stale rather than ours.
const heldHere = new Set<string>();

/** Takes the data dir's lock file, or throws AppError data_dir_locked naming the holder. */
export function lockDataDir(dataDir: string, logger?: StoreLogger): DataDirLock {
  const lockPath = path.join(path.resolve(dataDir), lockFileName);
  const me: Holder = { pid: process.pid, host: os.hostname(), token: randomBytes(8).toString("hex") };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // O_CREAT|O_EXCL and the content in one call: the file never exists empty for long.
      fs.writeFileSync(lockPath, `${me.pid}\n${me.host}\n${me.token}\n`, { flag: "wx" });
      return hold(lockPath, me);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = readHolder(lockPath);
    if (holder === "gone") continue;
    if (holder !== "garbled" && isLive(holder, lockPath)) throw locked(dataDir, holder);
    takeOver(dataDir, lockPath, holder, logger);
  }
  throw new AppError("data_dir_locked", `could not take the lock ${lockPath}: it keeps changing hands`);
}

function hold(lockPath: string, me: Holder): DataDirLock {
  heldHere.add(lockPath);
  // The heartbeat lets a process on another host (shared volume) tell a live lock from an abandoned one.
  const timer = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now, () => undefined);
  }, heartbeatMs);
  timer.unref();
  let released = false;
  return {
    path: lockPath,
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      heldHere.delete(lockPath);
      const current = readHolder(lockPath);
      // Only remove our own lock: never one somebody took over after deciding ours was stale.
      if (typeof current === "object" && current.token === me.token) fs.rmSync(lockPath, { force: true });
    },
  };
}

function readHolder(lockPath: string): Holder | "gone" | "garbled" {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw err;
  }
  const [pidText = "", host = "", token = ""] = text.split("\n");
  const pid = Number(pidText);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, host, token } : "garbled";
}

function isLive(holder: Holder, lockPath: string): boolean {
  if (holder.host !== os.hostname()) {
    // Another host's pid cannot be checked here: trust its heartbeat instead.
    const mtime = statMtime(lockPath);
    return mtime !== undefined && Date.now() - mtime < foreignStaleMs;
  }
  if (holder.pid === process.pid) return heldHere.has(lockPath);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function takeOver(dataDir: string, lockPath: string, stale: Holder | "garbled", logger?: StoreLogger): void {
  // Move the stale file aside atomically so that of two processes taking over, only one wins.
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const moved = readHolder(aside);
  if (typeof moved === "object" && (stale === "garbled" || moved.token !== stale.token)) {
    // We moved a fresh lock somebody took in between: put it back and yield to it.
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      // Somebody else holds it by now; either way it is not ours.
    }
    fs.rmSync(aside, { force: true });
    throw locked(dataDir, moved);
  }
  fs.rmSync(aside, { force: true });
  logger?.warn({ lockPath, stalePid: stale === "garbled" ? null : stale.pid }, "took over a stale data-dir lock");
}

/** Who holds a data dir's lock, when a live process does (checked as lockDataDir checks it). */
export function dataDirHolder(dataDir: string): { pid: number; host: string; here: boolean } | undefined {
  const lockPath = path.join(path.resolve(dataDir), lockFileName);
  const holder = readHolder(lockPath);
  if (typeof holder !== "object" || !isLive(holder, lockPath)) return undefined;
  return { pid: holder.pid, host: holder.host, here: holder.host === os.hostname() };
}

// The holder was just seen alive: the message says how to get in, never to delete its lock.
function locked(dataDir: string, holder: Holder): AppError {
  const socketPath = path.join(path.resolve(dataDir), socketFileName);
  if (holder.host !== os.hostname()) {
    return new AppError(
      "data_dir_locked",
      `data dir ${dataDir} is in use by process ${holder.pid} on host ${holder.host}: run this command there, or stop that process first ` +
        `(its lock is refreshed every ${heartbeatMs / 1000} s and taken over ${foreignStaleMs / 1000} s after that stops)`,
    );
  }
  return new AppError(
    "data_dir_locked",
    `data dir ${dataDir} is in use by process ${holder.pid}: this command needs it stopped first. ` +
      `While \`vigil serve\` runs, \`vigil token create\` and \`vigil reload\` ask it over ${socketPath} instead, and the rest is reachable through its API`,
  );
}

function statMtime(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
