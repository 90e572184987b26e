import { formatConfigIssues, loadConfigFile, resolveConfigPath } from "../config/index.ts";
import { exitCodes } from "./exit-codes.ts";
import type { CommandInstaller } from "./command.ts";
import { configOption } from "./options.ts";

/** `vigil validate`: every error of a configuration file, with its place, or a one-line summary. */
export const validateCommand: CommandInstaller = (program, io, finish) => {
  program
    .command("validate")
    .description("check a configuration file; exit 0 when valid, 1 with every error and its place when not")
    .addOption(configOption())
    .action(async (flags: { config?: string }) => {
      const { path: file } = resolveConfigPath(io.cwd, flags.config);
      const loaded = await loadConfigFile(file, io.env);
      if (!loaded.ok) {
        io.stderr(formatConfigIssues(loaded.errors) + "\n");
        io.stderr(`${file}: ${loaded.errors.length} error${loaded.errors.length === 1 ? "" : "s"}\n`);
        finish(exitCodes.failed);
        return;
      }
      const c = loaded.config;
      const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
      io.stdout(`${file}: valid (${count(c.components.length, "component")}, ${count(c.monitors.length, "monitor")}, ${count(c.notifications.channels.length, "notification channel")})\n`);
      finish(exitCodes.ok);
    });
};
