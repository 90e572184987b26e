import fs from "node:fs";
import path from "node:path";
import { pidFileName } from "../store/data-dir-lock.ts";

/** The running server's pid file in its data dir; remove it exactly once, at a clean stop. */
export interface PidFile {
  readonly path: string;
  remove(): void;
}

/** Writes `<dataDir>/vigil.pid` with this process's pid (for `kill -HUP "$(cat …/vigil.pid)"`); the caller holds the data dir's lock. */
export function writePidFile(dataDir: string, pid = process.pid): PidFile {
  const file = path.join(path.resolve(dataDir), pidFileName);
  fs.writeFileSync(file, `${pid}\n`, { mode: 0o644 });
  let removed = false;
  return {
    path: file,
    remove() {
      if (removed) return;
      removed = true;
      // Only our own: a file naming another pid was written by whoever holds the data dir now.
      let text = "";
      try {
        text = fs.readFileSync(file, "utf8");
      } catch {
        return;
      }
      if (text.trim() === String(pid)) fs.rmSync(file, { force: true });
    },
  };
}
