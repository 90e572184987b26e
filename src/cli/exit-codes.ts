import { isAppError } from "../core/errors.ts";

/** Exit codes of the `vigil` command (documented in the README). */
export const exitCodes = {
  ok: 0,
  /** The command ran and failed: an invalid configuration, an unknown id, a rejected request. */
  failed: 1,
  /** The command line itself is wrong: an unknown flag, a missing argument. */
  usage: 2,
  /** The store could not be reached or its data directory is in use by another process. */
  unavailable: 3,
  /** A bug: an error Vigil did not expect. */
  internal: 70,
} as const;

export function exitCodeFor(error: unknown): number {
  if (!isAppError(error)) return exitCodes.internal;
  if (error.code === "store_unavailable" || error.code === "data_dir_locked" || error.code === "leader_unavailable") return exitCodes.unavailable;
  if (error.code === "internal") return exitCodes.internal;
  return exitCodes.failed;
}
