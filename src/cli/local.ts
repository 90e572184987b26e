import net from "node:net";
import { maxSocketPathBytes, socketPathOf, type LocalAnswer, type LocalRequest } from "../app/local-socket.ts";
import { AppError } from "../core/errors.ts";
import { dataDirHolder } from "../store/data-dir-lock.ts";
import { errorCodeOf } from "./remote.ts";

/** How long the CLI waits for the running server's answer (a reload may read upstream feeds; a token is instant). */
const answerTimeoutMs = 60_000;

/**
 * Asks the `vigil serve` running on `dataDir` over its local socket. Resolves undefined when nobody listens there (no
 * server, or a dead one's socket file); an answer that is an error is thrown as an AppError carrying the server's words.
 */
export async function askLocal(dataDir: string, request: LocalRequest): Promise<Record<string, unknown> | undefined> {
  const socketPath = socketPathOf(dataDir);
  if (Buffer.byteLength(socketPath) > maxSocketPathBytes) return undefined;
  const answer = await new Promise<LocalAnswer | undefined>((resolve, reject) => {
    let text = "";
    let connected = false;
    const socket = net.connect(socketPath);
    socket.setEncoding("utf8");
    socket.setTimeout(answerTimeoutMs, () => {
      socket.destroy();
      reject(new AppError("timeout", `Vigil did not answer on ${socketPath} within ${answerTimeoutMs / 1000} s`));
    });
    socket.once("connect", () => {
      connected = true;
      socket.write(JSON.stringify(request) + "\n");
    });
    socket.on("data", (chunk: string) => (text += chunk));
    socket.once("error", (error: NodeJS.ErrnoException) => {
      if (!connected && (error.code === "ENOENT" || error.code === "ECONNREFUSED")) resolve(undefined);
      else if (error.code === "EACCES") reject(new AppError("forbidden", `cannot use ${socketPath}: permission denied (only the user who runs \`vigil serve\` may)`));
      else reject(new AppError("store_unavailable", `cannot talk to Vigil over ${socketPath}: ${error.message}`, { cause: error }));
    });
    socket.once("close", () => {
      if (!connected) return;
      try {
        resolve(JSON.parse(text) as LocalAnswer);
      } catch {
        reject(new AppError("store_unavailable", `Vigil closed ${socketPath} without an answer`));
      }
    });
  });
  if (answer === undefined) return undefined;
  if (answer.ok) return answer.result;
  throw new AppError(errorCodeOf(answer.error.code), answer.error.message, { details: answer.error.details });
}

/** The error for a data dir held by a process that does not answer on its socket: who holds it, and what to do. */
export function notAnswering(dataDir: string, what: string, instead: string): AppError {
  const socketPath = socketPathOf(dataDir);
  const holder = dataDirHolder(dataDir);
  if (!holder) return new AppError("data_dir_locked", `data dir ${dataDir} is in use, and nobody answers on ${socketPath}: try again in a moment`);
  if (!holder.here) {
    return new AppError("data_dir_locked", `Vigil (pid ${holder.pid}) on host ${holder.host} holds ${dataDir}: run \`vigil ${what}\` on that host, or ${instead}`);
  }
  return new AppError(
    "data_dir_locked",
    `process ${holder.pid} holds ${dataDir} but does not answer on ${socketPath} (a \`vigil serve\` still starting, or another vigil command): ` +
      `try again in a moment, or ${instead}`,
  );
}
