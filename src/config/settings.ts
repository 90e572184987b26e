import path from "node:path";
import type { VigilConfig } from "./index.ts";

/** Where the process listens and stores, after flags, environment and config are weighed. */
export interface RuntimeSettings {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Which setting chose the store, for the start-up log. */
  storageSource: "DATABASE_URL" | "storage.url" | "embedded";
}

/** Command-line flags that override the configuration file. */
export interface RuntimeFlags {
  host?: string;
  port?: number;
  data?: string;
}

/** Resolves runtime settings: flags win over the environment, which wins over the file, which wins over defaults. */
export function resolveRuntimeSettings(
  config: Pick<VigilConfig, "server" | "storage">,
  env: Record<string, string | undefined>,
  flags: RuntimeFlags,
  cwd: string,
): RuntimeSettings {
  const fromEnv = env.DATABASE_URL?.trim() || undefined;
  const fromFile = config.storage.url;
  return {
    host: flags.host ?? config.server.host,
    port: flags.port ?? config.server.port,
    dataDir: path.resolve(cwd, flags.data ?? config.storage.data_dir ?? ".vigil"),
    databaseUrl: fromEnv ?? fromFile,
    storageSource: fromEnv ? "DATABASE_URL" : fromFile ? "storage.url" : "embedded",
  };
}
