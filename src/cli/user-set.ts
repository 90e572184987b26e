/** `vigil user set`: another role for a user, or their access turned off or on. */
import type { Command } from "commander";
import { setUser } from "../app/local-socket.ts";
import { userRoles } from "../auth/roles.ts";
import { systemClock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import { loadForCommand, type CliIo } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import { auditCli } from "./audit-cli.ts";
import { configOption, dataOption } from "./options.ts";
import { viaServerOrStore, type Helpers } from "./user-invite.ts";

type Flags = { config?: string; data?: string; email: string; role?: string; disable?: boolean; enable?: boolean; json?: boolean };

/** Adds `set` to `vigil user`. */
export function installSetCommand(user: Command, io: CliIo, finish: (code: number) => void, helpers: Helpers): void {
  user
    .command("set")
    .description("give a user another role, or disable them (their sessions end, their API tokens stop) or enable them again; the last enabled owner is never demoted or disabled")
    .requiredOption("--email <email>", "the user's e-mail address")
    .option("--role <role>", `what they may do: ${userRoles.join(", ")}`)
    .option("--disable", "turn their access off")
    .option("--enable", "turn their access on again")
    .option("--json", "print JSON")
    .addOption(configOption())
    .addOption(dataOption())
    .action(async (flags: Flags) => {
      if (flags.disable && flags.enable) throw new AppError("validation_failed", "give --disable or --enable, not both");
      if (flags.role === undefined && !flags.disable && !flags.enable) throw new AppError("validation_failed", "give --role, --disable or --enable");
      const { settings } = await loadForCommand(io, flags);
      const change = { email: flags.email, ...(flags.role !== undefined ? { role: flags.role } : {}), ...(flags.disable || flags.enable ? { disabled: flags.disable === true } : {}) };
      const set = await viaServerOrStore(io, settings, helpers, { op: "user.set", ...change }, "user set", async (store) => {
        const done = await setUser({ store, clock: systemClock }, { ...change, actor: "cli" });
        await auditCli(store, { action: "users.manage", operation: "user.set", targetKind: "users", targetId: typeof done.id === "string" ? done.id : null, body: change });
        return done;
      });
      if (flags.json) io.stdout(JSON.stringify(set) + "\n");
      else {
        const ended = typeof set.sessions_ended === "number" && set.sessions_ended > 0 ? ` (${set.sessions_ended} session${set.sessions_ended === 1 ? "" : "s"} ended)` : "";
        io.stdout(`${String(set.email)}: role ${String(set.role)}, ${set.disabled === true ? "disabled" : "enabled"}${ended}\n`);
      }
      finish(exitCodes.ok);
    });
}
