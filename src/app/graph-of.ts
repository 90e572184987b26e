import type { VigilConfig } from "../config/index.ts";
import { buildGraph, type Graph } from "../incidents/graph.ts";
import { PublicNames } from "../incidents/public-names.ts";

/** The dependency graph of a configuration: its components, and its upstreams as nodes they may depend on. */
export function graphOf(config: Pick<VigilConfig, "components" | "upstreams">): Graph {
  return buildGraph([...config.components.map((c) => ({ id: c.id, dependsOn: c.depends_on })), ...config.upstreams.map((u) => ({ id: u.id, dependsOn: [] }))]);
}

/** How the public names a configuration's components (a hidden one by the visible ones that depend on it). */
export function publicNamesOf(config: Pick<VigilConfig, "components">): PublicNames {
  return new PublicNames(config.components.map((c) => ({ id: c.id, name: c.name, hidden: c.hidden, dependsOn: c.depends_on })));
}
