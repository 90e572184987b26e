import { addUser, setPasswordUrl } from "../auth/add-user.ts";
import { socketPathOf } from "../app/local-socket.ts";
import { systemClock } from "../core/clock.ts";
import { isAppError } from "../core/errors.ts";
import type { VigilConfig } from "../config/index.ts";
import type { RuntimeSettings } from "../config/settings.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import { userRoles } from "../auth/roles.ts";
import type { CommandInstaller } from "./command.ts";
import { commandLogger, loadForCommand, type CliIo } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import { askLocal, notAnswering } from "./local.ts";
import { auditCli } from "./audit-cli.ts";
import { configOption, dataOption } from "./options.ts";
import { installInviteCommands } from "./user-invite.ts";
import { installSetCommand } from "./user-set.ts";

type StoreFlags = { config?: string; data?: string };

async function withStore<T>(io: CliIo, settings: RuntimeSettings, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ url: settings.databaseUrl, dataDir: settings.dataDir, logger: commandLogger(io, { logLevel: "warn" }) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Where people reach the console: `server.public_url`, else `site.url`, else the address the server listens on. */
export function consoleBase(config: Pick<VigilConfig, "server" | "site">, settings: Pick<RuntimeSettings, "host" | "port">): string {
  if (config.server.public_url) return config.server.public_url;
  if (config.site.url) return config.site.url;
  const host = settings.host === "0.0.0.0" || settings.host === "::" ? "127.0.0.1" : settings.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${settings.port}`;
}

/** Adds a user in the store, or, while `vigil serve` holds the embedded store, asks it over its local socket. */
async function addHere(io: CliIo, flags: StoreFlags & { email: string; role: string }): Promise<{ id: string; email: string; role: string; secret: string; expiresAt: string; base: string }> {
  const { config, settings } = await loadForCommand(io, flags);
  const base = consoleBase(config, settings);
  if (settings.databaseUrl === undefined) {
    const asked = await askLocal(settings.dataDir, { op: "user.add", email: flags.email, role: flags.role });
    if (asked) {
      io.stderr(`asked the running Vigil over ${socketPathOf(settings.dataDir)}\n`);
      return { id: String(asked.id), email: String(asked.email), role: String(asked.role), secret: String(asked.link_secret), expiresAt: String(asked.link_expires_at), base };
    }
  }
  try {
    const added = await withStore(io, settings, async (store) => {
      const made = await addUser({ store, clock: systemClock }, { email: flags.email, role: flags.role, actor: "cli" });
      await auditCli(store, { action: "users.manage", operation: "user.add", targetKind: "users", targetId: made.user.id, body: { email: flags.email, role: flags.role } });
      return made;
    });
    return { id: added.user.id, email: added.user.email, role: added.user.role, secret: added.linkSecret, expiresAt: added.linkExpiresAt.toISOString(), base };
  } catch (error) {
    if (isAppError(error) && error.code === "data_dir_locked") throw notAnswering(settings.dataDir, "user add", "stop it first");
    throw error;
  }
}

/** `vigil user add|invite|list|reset-2fa|set`: console users; `add` prints a one-time link where the user sets their password. */
export const userCommand: CommandInstaller = (program, io, finish) => {
  const user = program.command("user").description(`manage console users (roles: ${userRoles.join(", ")})`);

  user
    .command("add")
    .description("add a console user and print their one-time set-password link (while `vigil serve` holds the data dir, it asks that server over its local socket)")
    .requiredOption("--email <email>", "the user's e-mail address, their login name")
    .requiredOption("--role <role>", `what they may do: ${userRoles.join(", ")}`)
    .option("--json", "print JSON")
    .addOption(configOption())
    .addOption(dataOption())
    .action(async (flags: StoreFlags & { email: string; role: string; json?: boolean }) => {
      const added = await addHere(io, flags);
      const url = setPasswordUrl(added.base, added.secret);
      if (flags.json) io.stdout(JSON.stringify({ id: added.id, email: added.email, role: added.role, set_password_url: url, expires_at: added.expiresAt }) + "\n");
      else io.stdout(`added ${added.id} ${added.email} (${added.role})\nSet the password here (one use, until ${added.expiresAt}):\n${url}\n`);
      finish(exitCodes.ok);
    });

  installInviteCommands(user, io, finish, { withStore, consoleBase });
  installSetCommand(user, io, finish, { withStore, consoleBase });

  user
    .command("list")
    .description("list console users (never their password hashes)")
    .option("--json", "print JSON")
    .addOption(configOption())
    .addOption(dataOption())
    .action(async (flags: StoreFlags & { json?: boolean }) => {
      const { settings } = await loadForCommand(io, flags);
      const rows = await withStore(io, settings, (store) => store.users.list());
      const view = rows.map((u) => ({ id: u.id, email: u.email, role: u.role, password_set: u.passwordHash !== null, disabled: u.disabledAt !== null, created_at: u.createdAt.toISOString() }));
      if (flags.json) io.stdout(JSON.stringify(view) + "\n");
      else if (view.length === 0) io.stdout("no users\n");
      else for (const u of view) io.stdout(`${u.id}  ${u.role.padEnd(9)}  ${u.email}  (${u.disabled ? "disabled" : u.password_set ? "active" : "no password yet"}, created ${u.created_at})\n`);
      finish(exitCodes.ok);
    });
};
