import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { socketPathOf } from "../app/local-socket.ts";
import { entriesOf } from "../app/reloader.ts";
import { isAppError } from "../core/errors.ts";
import { exportConfigText } from "../config/export.ts";
import { parseConfigText, type DatabaseEntries } from "../config/index.ts";
import { openStore } from "../store/open.ts";
import type { CommandInstaller } from "./command.ts";
import { commandLogger, loadForCommand, type CliIo } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import { askLocal, notAnswering } from "./local.ts";
import { configOption, dataOption } from "./options.ts";

type ExportFlags = { config?: string; data?: string; output?: string };

/** The database's entries: from the running server over its local socket while it holds the embedded store, else from the store. */
async function databaseEntries(io: CliIo, settings: { databaseUrl: string | undefined; dataDir: string }): Promise<DatabaseEntries> {
  if (settings.databaseUrl === undefined) {
    const asked = await askLocal(settings.dataDir, { op: "catalog.entries" });
    if (asked) {
      io.stderr(`asked the running Vigil over ${socketPathOf(settings.dataDir)}\n`);
      return asked as unknown as DatabaseEntries;
    }
  }
  try {
    const store = await openStore({ url: settings.databaseUrl, dataDir: settings.dataDir, logger: commandLogger(io, { logLevel: "warn" }) });
    try {
      return entriesOf(await store.catalogEntries.list());
    } finally {
      await store.close();
    }
  } catch (error) {
    if (isAppError(error) && error.code === "data_dir_locked") throw notAnswering(settings.dataDir, "config export", "read GET /api/v1/components and /api/v1/monitors");
    throw error;
  }
}

/** `vigil config export`: the whole effective configuration (the file with the database's components and monitors) as YAML. */
export const configCommand: CommandInstaller = (program, io, finish) => {
  const config = program.command("config").description("the configuration Vigil runs: the file with the components and monitors kept in the database");
  config
    .command("export")
    .description("print the whole configuration as one YAML file that `vigil validate` accepts (the file's ${ENV} references kept as written)")
    .addOption(configOption())
    .addOption(dataOption())
    .option("-o, --output <file>", "write it to this file (mode 0600) instead of standard output")
    .action(async (flags: ExportFlags) => {
      const { file, env, settings } = await loadForCommand(io, flags);
      const entries = await databaseEntries(io, settings);
      const text = exportConfigText(await readFile(file, "utf8"), entries);
      // What the database holds is checked with the file as a running Vigil checks it: an export that would not start says so.
      const check = parseConfigText(text, file, env);
      if (!check.ok) io.stderr(`warning: the exported configuration is not valid as it stands (${check.errors[0]?.path}: ${check.errors[0]?.message})\n`);
      if (flags.output === undefined) io.stdout(text);
      else {
        const out = path.resolve(io.cwd, flags.output);
        await writeFile(out, text, { mode: 0o600 });
        const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
        io.stderr(`wrote ${out} (${count(entries.components.length, "component")} and ${count(entries.monitors.length, "monitor")} from the database)\n`);
      }
      finish(exitCodes.ok);
    });
};
