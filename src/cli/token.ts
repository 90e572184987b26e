import type { Command } from "commander";
import { Option } from "commander";
import { createToken, expiryFrom } from "../auth/create-token.ts";
import { revokeToken } from "../auth/revoke-token.ts";
import { tokenScopes, type TokenScope } from "../auth/token-format.ts";
import { userRoles } from "../auth/roles.ts";
import { socketPathOf } from "../app/local-socket.ts";
import { systemClock } from "../core/clock.ts";
import { isAppError } from "../core/errors.ts";
import type { RuntimeSettings } from "../config/settings.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import { commandLogger, loadForCommand, type CliIo } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import { askLocal, notAnswering } from "./local.ts";
import { auditCli } from "./audit-cli.ts";
import type { CommandInstaller } from "./command.ts";
import { configOption, dataOption } from "./options.ts";

type StoreFlags = { config?: string; data?: string };

async function withStore<T>(io: CliIo, flags: StoreFlags, fn: (store: Store) => Promise<T>, loaded?: RuntimeSettings): Promise<T> {
  const settings = loaded ?? (await loadForCommand(io, flags)).settings;
  const store = await openStore({ url: settings.databaseUrl, dataDir: settings.dataDir, logger: commandLogger(io, { logLevel: "warn" }) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Creates a token in the store, or, while `vigil serve` holds the embedded store, asks it over its local socket. */
type CreateFlags = StoreFlags & { name: string; scope?: TokenScope; role?: string; user?: string; expires?: string; region?: string };


async function createHere(io: CliIo, flags: CreateFlags): Promise<{ id: string; name: string; scope: string | null; role: string | null; expiresAt: string | null; region: string | null; token: string }> {
  const expiresAt = flags.expires === undefined ? null : expiryFrom(flags.expires, systemClock.now(), "--expires");
  const { settings } = await loadForCommand(io, flags);
  const wanted = { ...(flags.scope !== undefined ? { scope: flags.scope } : {}), ...(flags.role !== undefined ? { role: flags.role } : {}), ...(flags.user !== undefined ? { user: flags.user } : {}) };
  if (settings.databaseUrl === undefined) {
    const asked = await askLocal(settings.dataDir, { op: "token.create", name: flags.name, ...wanted, expires_at: expiresAt?.toISOString() ?? null, region: flags.region ?? null });
    if (asked) {
      io.stderr(`asked the running Vigil over ${socketPathOf(settings.dataDir)}\n`);
      const text = (value: unknown) => (typeof value === "string" ? value : null);
      return { id: String(asked.id), name: String(asked.name), scope: text(asked.scope), role: text(asked.role), expiresAt: text(asked.expires_at), region: text(asked.region), token: String(asked.token) };
    }
  }
  try {
    const created = await withStore(
      io,
      flags,
      async (store) => {
        const made = await createToken({ store, clock: systemClock }, { name: flags.name, ...wanted, actor: "cli", expiresAt, region: flags.region ?? null });
        await auditCli(store, { action: "tokens.manage", operation: "token.create", targetKind: "tokens", targetId: made.row.id, body: { name: flags.name, ...wanted, expires_at: expiresAt?.toISOString() ?? null, region: flags.region ?? null } });
        return made;
      },
      settings,
    );
    return { ...created.row, expiresAt: created.row.expiresAt?.toISOString() ?? null, token: created.token };
  } catch (error) {
    if (isAppError(error) && error.code === "data_dir_locked") throw notAnswering(settings.dataDir, "token create", "create it through POST /api/v1/tokens with an admin token");
    throw error;
  }
}

function storeOptions(command: Command): Command {
  return command.addOption(configOption()).addOption(dataOption());
}

/** `vigil token create|list|revoke`: API tokens, stored hashed; the secret is printed once. */
export const tokenCommand: CommandInstaller = (program, io, finish) => {
  const token = program.command("token").description("manage API tokens (roles: viewer < responder < admin < owner; scope agent: a probe agent of one region)");

  storeOptions(token.command("create").description("create a token and print its secret once (while `vigil serve` holds the data dir, it asks that server over its local socket)"))
    .requiredOption("-n, --name <name>", "what the token is for, e.g. deploy-bot")
    .addOption(new Option("-r, --role <role>", "what it may do (default viewer); see the roles table in docs/console.md").choices(userRoles))
    .addOption(new Option("-s, --scope <scope>", "instead of --role: a scope, as before roles (read: viewer, write: responder that never reaches the public, publish: responder, admin: owner; agent: a probe agent)").choices(tokenScopes).conflicts("role"))
    .option("--user <email>", "the console user it belongs to: it never acts above their role, and stops with them")
    .option("--expires <when>", "when it stops working: a duration from now (90d) or an ISO 8601 time; default never")
    .option("--region <id>", "with --scope agent: the one region the agent reports for")
    .option("--json", "print JSON")
    .action(async (flags: CreateFlags & { json?: boolean }) => {
      const created = await createHere(io, flags);
      const expiry = created.expiresAt === null ? "" : `, expires ${created.expiresAt}`;
      const region = created.region === null ? "" : ` for region ${created.region}`;
      const what = created.role === null ? (created.scope ?? "") : created.scope === null ? `role ${created.role}` : `role ${created.role}, scope ${created.scope}`;
      if (flags.json) io.stdout(JSON.stringify({ id: created.id, name: created.name, scope: created.scope, role: created.role, expires_at: created.expiresAt, region: created.region, token: created.token }) + "\n");
      else io.stdout(`created ${created.id} (${what}${region}${expiry}) "${created.name}"\n${created.token}\nThis secret is shown once: store it now.\n`);
      finish(exitCodes.ok);
    });

  storeOptions(token.command("list").description("list tokens (never their secrets)"))
    .option("--json", "print JSON")
    .action(async (flags: StoreFlags & { json?: boolean }) => {
      const rows = await withStore(io, flags, (store) => store.tokens.list());
      if (flags.json) {
        io.stdout(JSON.stringify(rows.map(({ secretHash: _omit, ...row }) => row)) + "\n");
      } else if (rows.length === 0) {
        io.stdout("no tokens\n");
      } else {
        for (const row of rows) {
          const used = row.lastUsedAt ? `last used ${row.lastUsedAt.toISOString()}` : "never used";
          const expired = row.expiresAt !== null && row.expiresAt.getTime() <= Date.now();
          const state = row.revokedAt ? `revoked ${row.revokedAt.toISOString()}` : expired ? `expired ${row.expiresAt?.toISOString()}, ${used}` : `${used}${row.expiresAt ? `, expires ${row.expiresAt.toISOString()}` : ""}`;
          const scope = row.region === null ? (row.role ?? "") + (row.scope !== null && row.scope !== "agent" ? `(${row.scope})` : "") : `${row.scope}:${row.region}`;
          const owner = row.ownerUserId === null ? "" : ` user ${row.ownerUserId}`;
          io.stdout(`${row.id}  ${scope.padEnd(9)}  ${row.name}${owner}  (created ${row.createdAt.toISOString()}, ${state})\n`);
        }
      }
      finish(exitCodes.ok);
    });

  storeOptions(token.command("revoke").description("revoke a token by id").argument("<id>", "token id, e.g. tok_abcdefghijkl")).action(
    async (id: string, flags: StoreFlags) => {
      await withStore(io, flags, async (store) => {
        await revokeToken({ store, clock: systemClock }, { id, actor: "cli" });
        await auditCli(store, { action: "tokens.manage", operation: "token.revoke", targetKind: "tokens", targetId: id, body: {} });
      });
      io.stdout(`revoked ${id}\n`);
      finish(exitCodes.ok);
    },
  );
};
