import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { z } from "zod";
import type { ReloadOutcome } from "../api/deps.ts";
import { addUser } from "../auth/add-user.ts";
import { createToken } from "../auth/create-token.ts";
import type { Inviter, InviteResult } from "../auth/invite-user.ts";
import { manageUser } from "../auth/manage-user.ts";
import { resetSecondFactor } from "../auth/reset-second-factor.ts";
import { tokenScopes } from "../auth/token-format.ts";
import type { Clock } from "../core/clock.ts";
import { httpStatusOf } from "../api/errors.ts";
import { summarize } from "../audit/summary.ts";
import type { ConsoleAction } from "../auth/roles.ts";
import { AppError, isAppError, type ErrorCode, type ErrorDetail } from "../core/errors.ts";
import type { Logger } from "../observability/logger.ts";
import { socketFileName } from "../store/data-dir-lock.ts";
import type { Store } from "../store/types.ts";

/** Who a request over the socket acts as, on the timeline. */
export const localSocketActor = "local socket";

/** The longest request line accepted; a request is a few dozen bytes. */
const maxLineBytes = 16 * 1024;
/** A connection that sends no complete line in this time is closed. */
const idleMs = 10_000;
/** sockaddr_un holds 108 bytes, the last one a NUL: a data dir with a longer socket path has no socket. */
export const maxSocketPathBytes = 107;

/** One request: a JSON object on one line. */
export const localRequest = z.discriminatedUnion("op", [
  z.strictObject({
    op: z.literal("token.create"),
    name: z.string(),
    scope: z.enum(tokenScopes).optional(),
    role: z.string().max(40).optional(),
    user: z.string().max(300).optional(),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(), region: z.string().max(63).nullable().optional(),
  }),
  z.strictObject({ op: z.literal("reload") }),
  z.strictObject({ op: z.literal("catalog.entries") }),
  z.strictObject({ op: z.literal("user.add"), email: z.string().max(300), role: z.string().max(40) }),
  z.strictObject({ op: z.literal("user.invite"), email: z.string().max(300), role: z.string().max(40) }),
  z.strictObject({ op: z.literal("user.reset_2fa"), email: z.string().max(300) }),
  z.strictObject({ op: z.literal("user.set"), email: z.string().max(300), role: z.string().max(40).optional(), disabled: z.boolean().optional() }),
]);
export type LocalRequest = z.infer<typeof localRequest>;

/** One answer: a JSON object on one line, then the server closes the connection. */
export type LocalAnswer =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; error: { code: string; message: string; details: readonly ErrorDetail[] } };

/** The running server's side of the socket. */
export interface LocalSocket {
  readonly path: string;
  /** Stops listening, lets requests in progress finish, and removes the socket file. */
  close(): Promise<void>;
}

interface LocalDeps {
  store: Pick<Store, "tokens" | "events" | "users" | "audit" | "transaction" | "catalogEntries">;
  clock: Clock;
  logger: Logger;
  reload: (actor: string) => Promise<ReloadOutcome>;
  /** Sends console invitations (`user.invite`). */
  inviter?: Inviter;
}

/** The socket's path in a data dir. */
export function socketPathOf(dataDir: string): string {
  return path.join(path.resolve(dataDir), socketFileName);
}

/**
 * Listens on `<dataDir>/vigil.sock` (0600, in the owner's 0700 data dir): whoever may read the data dir may ask the
 * running server to create a token or reload, without a token and without the network. The caller holds the data
 * dir's lock, so a socket file already there is a dead server's: it is replaced, unless somebody still answers on it.
 */
export async function openLocalSocket(dataDir: string, deps: LocalDeps): Promise<LocalSocket | undefined> {
  const socketPath = socketPathOf(dataDir);
  if (Buffer.byteLength(socketPath) > maxSocketPathBytes) {
    deps.logger.warn({ socketPath }, `no local socket: its path is longer than ${maxSocketPathBytes} bytes (choose a shorter --data)`);
    return undefined;
  }
  if (await answers(socketPath)) throw new AppError("data_dir_locked", `another process answers on ${socketPath}; is another Vigil using ${path.dirname(socketPath)}?`);
  fs.rmSync(socketPath, { force: true });

  // Connections still waiting for a request line: closing drops them; one being answered gets its answer.
  const idle = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    idle.add(socket);
    socket.on("close", () => idle.delete(socket));
    serveConnection(socket, deps, () => idle.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // The 0700 data dir already keeps others out in the moment before this.
  fs.chmodSync(socketPath, 0o600);
  server.on("error", (error) => deps.logger.error({ err: error }, "local socket failed"));

  let closing: Promise<void> | undefined;
  return {
    path: socketPath,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          fs.rmSync(socketPath, { force: true });
          resolve();
        });
        for (const socket of idle) socket.destroy();
      });
      return closing;
    },
  };
}

function serveConnection(socket: net.Socket, deps: LocalDeps, busy: () => void): void {
  let buffered = "";
  let answered = false;
  socket.setEncoding("utf8");
  socket.setTimeout(idleMs, () => socket.destroy());
  const reply = (answer: LocalAnswer) => {
    answered = true;
    socket.end(JSON.stringify(answer) + "\n");
  };
  socket.on("error", () => undefined);
  socket.on("data", (chunk: string) => {
    if (answered) return;
    buffered += chunk;
    const newline = buffered.indexOf("\n");
    if (newline < 0) {
      if (Buffer.byteLength(buffered) > maxLineBytes) reply(failure(new AppError("payload_too_large", `a request is one line of at most ${maxLineBytes} bytes`)));
      return;
    }
    answered = true;
    busy();
    socket.setTimeout(0);
    void handle(buffered.slice(0, newline), deps).then(reply);
  });
}

/** Answers one request line; never throws. */
export async function handle(line: string, deps: LocalDeps): Promise<LocalAnswer> {
  let json: unknown;
  try {
    json = JSON.parse(line) as unknown;
  } catch {
    return failure(new AppError("bad_request", 'a request is one JSON object on one line, e.g. {"op":"token.create","name":"ops","scope":"admin"}'));
  }
  const parsed = localRequest.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({ path: issue.path.join(".") || "(request)", message: issue.message }));
    return failure(new AppError("validation_failed", `bad request: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`, { details }));
  }
  const outcome = await answerRequest(parsed.data, deps);
  await audit(parsed.data, outcome, deps);
  return outcome;
}

/** What each request needs, had it come through the API: the audit log names it so. */
const actionOf: Record<LocalRequest["op"], { action: ConsoleAction; kind: string }> = {
  "token.create": { action: "tokens.manage", kind: "tokens" },
  "user.add": { action: "users.manage", kind: "users" },
  "user.invite": { action: "users.manage", kind: "users" },
  "user.reset_2fa": { action: "users.manage", kind: "users" },
  "user.set": { action: "users.manage", kind: "users" },
  reload: { action: "config.reload", kind: "config" },
  // Read for `vigil config export`; recorded all the same, as an export of what may hold credentials.
  "catalog.entries": { action: "catalog.write", kind: "catalog" },
};

/** Every request on the socket is a write: each goes to the audit log, as "cli", whatever its outcome. */
async function audit(request: LocalRequest, answer: LocalAnswer, deps: LocalDeps): Promise<void> {
  const { op, ...rest } = request;
  const made = answer.ok && typeof answer.result.id === "string" ? answer.result.id : null;
  try {
    await deps.store.audit.append({
      at: deps.clock.now(),
      actor: "cli",
      via: "socket",
      tokenId: null,
      action: actionOf[op].action,
      operation: op,
      targetKind: actionOf[op].kind,
      targetId: made,
      status: answer.ok ? 200 : httpStatusOf[answer.error.code as ErrorCode] ?? 500,
      summary: summarize({ method: "SOCKET", path: op, body: rest }),
      clientAddress: null,
    });
  } catch (error) {
    deps.logger.error({ err: error, op }, "could not write the audit log");
  }
}

async function answerRequest(request: LocalRequest, deps: LocalDeps): Promise<LocalAnswer> {
  try {
    if (request.op === "token.create") {
      const created = await createToken(deps, {
        name: request.name,
        ...(request.scope !== undefined ? { scope: request.scope } : {}),
        ...(request.role !== undefined ? { role: request.role } : {}),
        ...(request.user !== undefined ? { user: request.user } : {}),
        actor: localSocketActor,
        expiresAt: request.expires_at ? new Date(request.expires_at) : null,
        region: request.region ?? null,
      });
      deps.logger.info({ id: created.row.id, scope: created.row.scope, role: created.row.role, actor: localSocketActor }, "token created");
      return {
        ok: true,
        result: { id: created.row.id, name: created.row.name, scope: created.row.scope, role: created.row.role, user_id: created.row.ownerUserId, created_at: created.row.createdAt.toISOString(), expires_at: created.row.expiresAt?.toISOString() ?? null, region: created.row.region, token: created.token },
      };
    }
    if (request.op === "user.add") {
      const added = await addUser(deps, { email: request.email, role: request.role, actor: localSocketActor });
      deps.logger.info({ id: added.user.id, role: added.user.role, actor: localSocketActor }, "user added");
      return { ok: true, result: { id: added.user.id, email: added.user.email, role: added.user.role, link_secret: added.linkSecret, link_expires_at: added.linkExpiresAt.toISOString() } };
    }
    if (request.op === "user.set") {
      const set = await setUser(deps, { email: request.email, ...(request.role !== undefined ? { role: request.role } : {}), ...(request.disabled !== undefined ? { disabled: request.disabled } : {}), actor: localSocketActor });
      deps.logger.info({ id: set.id, role: set.role, disabled: set.disabled, actor: localSocketActor }, "user changed");
      return { ok: true, result: set };
    }
    if (request.op === "user.invite" || request.op === "user.reset_2fa") return { ok: true, result: await userOp(request, deps) };
    if (request.op === "catalog.entries") {
      const rows = await deps.store.catalogEntries.list();
      return { ok: true, result: { components: rows.filter((r) => r.kind === "component").map((r) => r.entry), monitors: rows.filter((r) => r.kind === "monitor").map((r) => r.entry) } };
    }
    const outcome = await deps.reload(localSocketActor);
    if (!outcome.applied) throw new AppError("config_invalid", `${outcome.file} was rejected; the running configuration is unchanged`, { details: outcome.errors });
    return { ok: true, result: { ...outcome } };
  } catch (error) {
    if (!isAppError(error)) deps.logger.error({ err: error }, "a request on the local socket failed");
    return failure(error);
  }
}

async function userOp(request: Extract<LocalRequest, { op: "user.invite" | "user.reset_2fa" }>, deps: LocalDeps): Promise<Record<string, unknown>> {
  if (request.op === "user.reset_2fa") {
    const reset = await deps.store.transaction((tx) => resetSecondFactor({ store: tx, clock: deps.clock }, { email: request.email, actor: localSocketActor }));
    deps.logger.info({ id: reset.id, actor: localSocketActor }, "second factor reset");
    return { id: reset.id, email: reset.email, was_on: reset.wasOn };
  }
  if (!deps.inviter) throw new AppError("internal", "this server sends no invitations");
  const made = await deps.inviter.invite({ email: request.email, role: request.role, actor: localSocketActor, requireMail: false });
  deps.logger.info({ id: made.user.id, role: made.user.role, actor: localSocketActor, mailed: made.mail.sent }, "user invited");
  return inviteAnswer(made);
}

/** A user's role or access changed (`user.set`), as the socket and `vigil user set --json` put it. */
export async function setUser(deps: { store: Pick<Store, "transaction">; clock: Clock }, change: { email: string; role?: string; disabled?: boolean; actor: string }): Promise<Record<string, unknown>> {
  const { user, sessionsEnded } = await manageUser(deps, change);
  return { id: user.id, email: user.email, role: user.role, disabled: user.disabledAt !== null, sessions_ended: sessionsEnded };
}

/** An invitation as the socket and `vigil user invite --json` put it. */
export function inviteAnswer(made: InviteResult): Record<string, unknown> {
  return { id: made.user.id, email: made.user.email, role: made.user.role, invite_url: made.url, expires_at: made.expiresAt.toISOString(), reinvited: made.reinvited, sent: made.mail.sent, ...(made.mail.sent ? {} : { not_sent_because: made.mail.reason }) };
}

function failure(error: unknown): LocalAnswer {
  if (isAppError(error)) return { ok: false, error: { code: error.code, message: error.message, details: error.details } };
  return { ok: false, error: { code: "internal", message: "internal error (see the server's log)", details: [] } };
}

/** True when a process accepts connections on the socket path. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}
