import type { Command } from "commander";
import { Option } from "commander";
import { createToken } from "../auth/create-token.ts";
import { revokeToken } from "../auth/revoke-token.ts";
import { tokenScopes } from "../auth/token-format.ts";
import { systemClock } from "../core/clock.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import { commandLogger, loadForCommand, type CliIo } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import type { CommandInstaller } from "./command.ts";
import { configOption, dataOption } from "./options.ts";

type StoreFlags = { config?: string; data?: string };

async function withStore<T>(io: CliIo, flags: StoreFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const { settings } = await loadForCommand(io, flags);
  const store = await openStore({ url: settings.databaseUrl, dataDir: settings.dataDir, logger: commandLogger(io, { logLevel: "warn" }) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function storeOptions(command: Command): Command {
  return command.addOption(configOption()).addOption(dataOption());
}

/** `vigil token create|list|revoke`: API tokens, stored hashed; the secret is printed once. */
export const tokenCommand: CommandInstaller = (program, io, finish) => {
  const token = program.command("token").description("manage API tokens (scopes: read < write < admin)");

  storeOptions(token.command("create").description("create a token and print its secret once"))
    .requiredOption("-n, --name <name>", "what the token is for, e.g. deploy-bot")
    .addOption(new Option("-s, --scope <scope>", "what it may do").choices(tokenScopes).default("read"))
    .option("--json", "print JSON")
    .action(async (flags: StoreFlags & { name: string; scope: (typeof tokenScopes)[number]; json?: boolean }) => {
      const created = await withStore(io, flags, (store) => createToken({ store, clock: systemClock }, { name: flags.name, scope: flags.scope, actor: "cli" }));
      if (flags.json) io.stdout(JSON.stringify({ id: created.row.id, name: created.row.name, scope: created.row.scope, token: created.token }) + "\n");
      else io.stdout(`created ${created.row.id} (${created.row.scope}) "${created.row.name}"\n${created.token}\nThis secret is shown once: store it now.\n`);
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
          const state = row.revokedAt ? `revoked ${row.revokedAt.toISOString()}` : row.lastUsedAt ? `last used ${row.lastUsedAt.toISOString()}` : "never used";
          io.stdout(`${row.id}  ${row.scope.padEnd(5)}  ${row.name}  (created ${row.createdAt.toISOString()}, ${state})\n`);
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
