import { AppError } from "../core/errors.ts";
import { configErrorFrom, formatConfigIssues, loadConfigFile, resolveConfigPath, type VigilConfig } from "../config/index.ts";
import { resolveRuntimeSettings, type RuntimeFlags, type RuntimeSettings } from "../config/settings.ts";
import type { CliIo } from "./io.ts";

export { commandLogger, packageVersion, type CliIo } from "./io.ts";

/** Loads the configuration a command names (or the default one) and resolves runtime settings. */
export async function loadForCommand(
  io: CliIo,
  flags: RuntimeFlags & { config?: string },
): Promise<{ config: VigilConfig; file: string; bundled: boolean; settings: RuntimeSettings; env: Record<string, string | undefined> }> {
  const { path: file, bundled } = resolveConfigPath(io.cwd, flags.config);
  // The example config monitors Vigil's own port: let --port reach ${VIGIL_PORT} in it.
  const env = flags.port !== undefined && io.env.VIGIL_PORT === undefined ? { ...io.env, VIGIL_PORT: String(flags.port) } : io.env;
  const loaded = await loadConfigFile(file, env);
  if (!loaded.ok) {
    io.stderr(formatConfigIssues(loaded.errors) + "\n");
    throw configErrorFrom(loaded.errors);
  }
  return { config: loaded.config, file, bundled, settings: resolveRuntimeSettings(loaded.config, env, flags, io.cwd), env };
}

/** Parses a --port value; a bad one is a usage error. */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError("bad_request", `--port: expected a port number from 0 to 65535, got "${text}"`);
  return port;
}
