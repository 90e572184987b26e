import type { Command } from "commander";
import { Option } from "commander";
import { createToken, expiryFrom } from "../auth/create-token.ts";
import { revokeToken } from "../auth/revoke-token.ts";
import { tokenScopes, type TokenScope } from "../auth/token-format.ts";
import { socketPathOf } from "../app/local-socket.ts";
import { systemClock } from "../core/clock.ts";
import { isAppError } from "../core/errors.ts";
import type { RuntimeSettings } from "../config/settings.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import { commandLogger, loadForCommand, type CliIo } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import { askLocal, notAnswering } from "./local.ts";
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
type CreateFlags = StoreFlags & { name: string; scope: TokenScope; expires?: string; region?: string };

async function createHere(io: CliIo, flags: CreateFlags): Promise<{ id: string; name: string; scope: string; expiresAt: string | null; region: string | null; token: string }> {
  const expiresAt = flags.expires === undefined ? null : expiryFrom(flags.expires, systemClock.now(), "--expires");
  const { settings } = await loadForCommand(io, flags);
  if (settings.databaseUrl === undefined) {
    const asked = await askLocal(settings.dataDir, { op: "token.create", name: flags.name, scope: flags.scope, expires_at: expiresAt?.toISOString() ?? null, region: flags.region ?? null });
    if (asked) {
      io.stderr(`asked the running Vigil over ${socketPathOf(settings.dataDir)}\n`);
      return { id: String(asked.id), name: String(asked.name), scope: String(asked.scope), expiresAt: typeof asked.expires_at === "string" ? asked.expires_at : null, region: typeof asked.region === "string" ? asked.region : null, token: String(asked.token) };
    }
  }
  try {
    const created = await withStore(io, flags, (store) => createToken({ store, clock: systemClock }, { name: flags.name, scope: flags.scope, actor: "cli", expiresAt, region: flags.region ?? null }), settings);
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
  const token = program.command("token").description("manage API tokens (scopes: read < write < publish < admin; agent: a probe agent of one region)");

  storeOptions(token.command("create").description("create a token and print its secret once (while `vigil serve` holds the data dir, it asks that server over its local socket)"))
    .requiredOption("-n, --name <name>", "what the token is for, e.g. deploy-bot")
    .addOption(new Option("-s, --scope <scope>", "what it may do (publish: also what the public sees and subscribers hear)").choices(tokenScopes).default("read"))
    .option("--expires <when>", "when it stops working: a duration from now (90d) or an ISO 8601 time; default never")
    .option("--region <id>", "with --scope agent: the one region the agent reports for")
    .option("--json", "print JSON")
    .action(async (flags: CreateFlags & { json?: boolean }) => {
      const created = await createHere(io, flags);
      const expiry = created.expiresAt === null ? "" : `, expires ${created.expiresAt}`;
      const region = created.region === null ? "" : ` for region ${created.region}`;
      if (flags.json) io.stdout(JSON.stringify({ id: created.id, name: created.name, scope: created.scope, expires_at: created.expiresAt, region: created.region, token: created.token }) + "\n");
      else io.stdout(`created ${created.id} (${created.scope}${region}${expiry}) "${created.name}"\n${created.token}\nThis secret is shown once: store it now.\n`);
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
          const scope = row.region === null ? row.scope : `${row.scope}:${row.region}`;
          io.stdout(`${row.id}  ${scope.padEnd(7)}  ${row.name}  (created ${row.createdAt.toISOString()}, ${state})\n`);
        }
      }
      finish(exitCodes.ok);
    });

  storeOptions(token.command("revoke").description("revoke a token by id").argument("<id>", "token id, e.g. tok_abcdefghijkl")).action(
    async (id: string, flags: StoreFlags) => {
      await withStore(io, flags, (store) => revokeToken({ store, clock: systemClock }, { id, actor: "cli" }));
      io.stdout(`revoked ${id}\n`);
      finish(exitCodes.ok);
    },
  );
};
