/** The configuration: schema, loading with positions, and the runtime settings derived from it. */
export { bundledConfigPath, configErrorFrom, databaseSource, formatConfigIssues, loadConfigFile, parseConfigText, resolveConfigPath } from "./load.ts";
export type { CatalogEntryKind, ConfigIssue, ConfigLoadResult, DatabaseEntries } from "./load.ts";
export { VigilConfigSchema } from "./schema.ts";
export type { ActionConfig, ComponentConfig, MaintenanceConfig, MonitorConfig, VigilConfig } from "./schema.ts";
