import { Command, CommanderError } from "commander";
import { isAppError } from "../core/errors.ts";
import { packageVersion, type CliIo } from "./io.ts";
import type { CommandInstaller } from "./command.ts";
import { exitCodeFor, exitCodes } from "./exit-codes.ts";

function defaultIo(): CliIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTty: Boolean(process.stdout.isTTY),
  };
}

/** Runs the `vigil` command line with these subcommands and returns its exit code. */
export async function runProgram(argv: readonly string[], installers: readonly CommandInstaller[], io: CliIo = defaultIo()): Promise<number> {
  let exitCode: number = exitCodes.ok;
  const program = new Command("vigil")
    .description("Vigil: outage detection, incident response and public status pages.")
    .version(packageVersion(), "-v, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  program.addHelpText(
    "after",
    "\nExit codes: 0 ok, 1 failed (e.g. invalid config), 2 usage error, 3 store unavailable or data directory in use, 70 internal error.",
  );
  for (const install of installers) install(program, io, (code) => (exitCode = code));

  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return exitCodes.ok;
      return exitCodes.usage;
    }
    if (isAppError(error)) {
      if (error.code !== "config_invalid") io.stderr(`vigil: ${error.message}\n`);
    } else {
      io.stderr(`vigil: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    return exitCodeFor(error);
  }
}
