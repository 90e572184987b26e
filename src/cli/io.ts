import { readFileSync } from "node:fs";
import { createLogger, type Logger } from "../observability/logger.ts";

// What every command needs, apart from the configuration (context.ts): `vigil agent` loads this and not that.

/** What every subcommand receives from main: the outside world, injectable for tests. */
export interface CliIo {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** The logger of a command: pretty on a terminal unless JSON is asked for. */
export function commandLogger(io: CliIo, options: { logFormat?: string; logLevel?: string }): Logger {
  const pretty = options.logFormat ? options.logFormat === "pretty" : io.isTty;
  return createLogger({ level: options.logLevel ?? "info", pretty });
}
