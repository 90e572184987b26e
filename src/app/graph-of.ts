import type { VigilConfig } from "../config/index.ts";
import { buildGraph, type Graph } from "../incidents/graph.ts";

/** The dependency graph of a configuration: its components, and its upstreams as nodes they may depend on. */
export function graphOf(config: Pick<VigilConfig, "components" | "upstreams">): Graph {
  return buildGraph([...config.components.map((c) => ({ id: c.id, dependsOn: c.depends_on })), ...config.upstreams.map((u) => ({ id: u.id, dependsOn: [] }))]);
}
