import { openStore } from "../store/open.ts";
import { commandLogger, loadForCommand } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import type { CommandInstaller } from "./command.ts";
import { configOption, dataOption } from "./options.ts";

/** `vigil migrate`: apply pending migrations (serve does this too), or show their status. */
export const migrateCommand: CommandInstaller = (program, io, finish) => {
  program
    .command("migrate")
    .description("apply pending store migrations (vigil serve also applies them at start)")
    .addOption(configOption())
    .addOption(dataOption())
    .option("--status", "only show applied and pending migrations")
    .action(async (flags: { config?: string; data?: string; status?: boolean }) => {
      const { settings } = await loadForCommand(io, flags);
      const logger = commandLogger(io, { logLevel: "warn" });
      const store = await openStore({ url: settings.databaseUrl, dataDir: settings.dataDir, migrate: !flags.status, logger });
      try {
        const status = await store.migrationStatus();
        io.stdout(`store: ${store.description}\n`);
        io.stdout(`applied: ${status.applied.length ? status.applied.join(", ") : "none"}\n`);
        io.stdout(`pending: ${status.pending.length ? status.pending.join(", ") : "none"}\n`);
      } finally {
        await store.close();
      }
      finish(exitCodes.ok);
    });
};
