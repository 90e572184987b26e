/** `vigil user invite` and `vigil user reset-2fa`: invitations by e-mail, and another user's second factor reset. */
import type { Command } from "commander";
import { consoleInviter } from "../app/console-inviter.ts";
import { inviteAnswer, socketPathOf } from "../app/local-socket.ts";
import { noMailMessage } from "../auth/invite-user.ts";
import { resetSecondFactor } from "../auth/reset-second-factor.ts";
import { userRoles } from "../auth/roles.ts";
import { systemClock } from "../core/clock.ts";
import { isAppError } from "../core/errors.ts";
import type { VigilConfig } from "../config/index.ts";
import type { RuntimeSettings } from "../config/settings.ts";
import type { Store } from "../store/types.ts";
import { commandLogger, loadForCommand, type CliIo } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import { askLocal, notAnswering } from "./local.ts";
import { auditCli } from "./audit-cli.ts";
import { configOption, dataOption } from "./options.ts";

type StoreFlags = { config?: string; data?: string };
/** What `vigil user`'s subcommands share: opening the store, and the console's public address. */
export type Helpers = {
  withStore<T>(io: CliIo, settings: RuntimeSettings, fn: (store: Store) => Promise<T>): Promise<T>;
  consoleBase(config: Pick<VigilConfig, "server" | "site">, settings: Pick<RuntimeSettings, "host" | "port">): string;
};

/** Asks the running Vigil over its local socket when it holds the embedded store; otherwise does `here` on the store. */
export async function viaServerOrStore(io: CliIo, settings: RuntimeSettings, helpers: Helpers, request: Parameters<typeof askLocal>[1], what: string, here: (store: Store) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  if (settings.databaseUrl === undefined) {
    const asked = await askLocal(settings.dataDir, request);
    if (asked) {
      io.stderr(`asked the running Vigil over ${socketPathOf(settings.dataDir)}\n`);
      return asked;
    }
  }
  try {
    return await helpers.withStore(io, settings, here);
  } catch (error) {
    if (isAppError(error) && error.code === "data_dir_locked") throw notAnswering(settings.dataDir, what, "stop it first");
    throw error;
  }
}

/** Adds `invite` and `reset-2fa` to `vigil user`. */
export function installInviteCommands(user: Command, io: CliIo, finish: (code: number) => void, helpers: Helpers): void {
  user
    .command("invite")
    .description("invite someone to the console by e-mail, through console.email's SMTP server; without one, print the link to hand over instead")
    .requiredOption("--email <email>", "their e-mail address, their login name")
    .requiredOption("--role <role>", `what they may do: ${userRoles.join(", ")}`)
    .option("--json", "print JSON")
    .addOption(configOption())
    .addOption(dataOption())
    .action(async (flags: StoreFlags & { email: string; role: string; json?: boolean }) => {
      const { config, settings } = await loadForCommand(io, flags);
      const base = helpers.consoleBase(config, settings);
      const made = await viaServerOrStore(io, settings, helpers, { op: "user.invite", email: flags.email, role: flags.role }, "user invite", async (store) => {
        const inviter = consoleInviter({ store, clock: systemClock, config: () => config, publicUrl: () => base, logger: commandLogger(io, { logLevel: "error" }) }); // the reason is printed below; a warn log would mix into stdout
        const invited = inviteAnswer(await inviter.invite({ email: flags.email, role: flags.role, actor: "cli", requireMail: false }));
        await auditCli(store, { action: "users.manage", operation: "user.invite", targetKind: "users", targetId: typeof invited.id === "string" ? invited.id : null, body: { email: flags.email, role: flags.role } });
        return invited;
      });
      const mailed = made.sent === true;
      if (flags.json) io.stdout(JSON.stringify(made) + "\n");
      else if (mailed) io.stdout(`invited ${String(made.id)} ${String(made.email)} (${String(made.role)}): the invitation is sent, and works once, until ${String(made.expires_at)}\n`);
      else {
        io.stdout(`invited ${String(made.id)} ${String(made.email)} (${String(made.role)}), but no e-mail went out: ${String(made.not_sent_because)}\n`);
        io.stdout(`Hand them this link (one use, until ${String(made.expires_at)}):\n${String(made.invite_url)}\n`);
      }
      // No SMTP server set is a choice (exit 0); one set that failed is worth a failing exit code.
      const failed = !mailed && made.not_sent_because !== noMailMessage;
      finish(failed ? exitCodes.failed : exitCodes.ok);
    });

  user
    .command("reset-2fa")
    .description("turn off another user's second factor (a lost phone); they sign in with their password alone until they set it up again")
    .requiredOption("--email <email>", "the user's e-mail address")
    .option("--json", "print JSON")
    .addOption(configOption())
    .addOption(dataOption())
    .action(async (flags: StoreFlags & { email: string; json?: boolean }) => {
      const { settings } = await loadForCommand(io, flags);
      const reset = await viaServerOrStore(io, settings, helpers, { op: "user.reset_2fa", email: flags.email }, "user reset-2fa", async (store) => {
        const done = await resetSecondFactor({ store, clock: systemClock }, { email: flags.email, actor: "cli" });
        await auditCli(store, { action: "users.manage", operation: "user.reset_2fa", targetKind: "users", targetId: done.id, body: { email: flags.email } });
        return { id: done.id, email: done.email, was_on: done.wasOn };
      });
      if (flags.json) io.stdout(JSON.stringify(reset) + "\n");
      else io.stdout(reset.was_on === true ? `second factor of ${String(reset.email)} reset: they sign in with their password alone until they set it up again\n` : `${String(reset.email)} had no second factor on; nothing to reset\n`);
      finish(exitCodes.ok);
    });
}
