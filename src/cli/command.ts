import type { Command } from "commander";
import type { CliIo } from "./context.ts";

/** A subcommand adds itself to the program; its action reports an exit code through `finish`. */
export type CommandInstaller = (program: Command, io: CliIo, finish: (code: number) => void) => void;
