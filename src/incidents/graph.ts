/** One edge of the component graph, seen from either end: the other component and whether the edge is soft. */
export interface Edge {
  id: string;
  soft: boolean;
}

/** A component as the graph needs it: its id and the components it depends on. */
export interface ComponentNode {
  id: string;
  dependsOn: readonly Edge[];
}

/** The component dependency graph with lookups both ways and its connected parts. */
export interface Graph {
  /** Component ids in the order they were given. */
  ids: readonly string[];
  /** For each component, the components it depends on. */
  dependencies: ReadonlyMap<string, readonly Edge[]>;
  /** For each component, the components that depend on it. */
  dependents: ReadonlyMap<string, readonly Edge[]>;
  /** For each component, the index of its connected part (edges taken in both directions). */
  part: ReadonlyMap<string, number>;
}

/** Builds the graph; throws RangeError on a duplicate id or a dependency on an unknown component. */
export function buildGraph(components: readonly ComponentNode[]): Graph {
  const dependencies = new Map<string, Edge[]>();
  const dependents = new Map<string, Edge[]>();
  for (const { id } of components) {
    if (dependencies.has(id)) throw new RangeError(`duplicate component id "${id}"`);
    dependencies.set(id, []);
    dependents.set(id, []);
  }
  for (const { id, dependsOn } of components) {
    for (const edge of dependsOn) {
      const back = dependents.get(edge.id);
      if (back === undefined) throw new RangeError(`component "${id}" depends on unknown component "${edge.id}"`);
      dependencies.get(id)?.push({ id: edge.id, soft: edge.soft });
      back.push({ id, soft: edge.soft });
    }
  }
  const ids = components.map((c) => c.id);
  return { ids, dependencies, dependents, part: connectedParts(ids, dependencies, dependents) };
}

/** The components `id` depends on directly (empty for an unknown id). */
export function dependenciesOf(graph: Graph, id: string): readonly Edge[] {
  return graph.dependencies.get(id) ?? [];
}

/** The components that depend on `id` directly (empty for an unknown id). */
export function dependentsOf(graph: Graph, id: string): readonly Edge[] {
  return graph.dependents.get(id) ?? [];
}

/**
 * Everything that depends on `id` transitively, mapped to whether some path to it is all hard edges.
 * `id` itself is not included.
 */
export function downstreamOf(graph: Graph, id: string): Map<string, { hard: boolean }> {
  return walk(graph.dependents, id);
}

/** Everything `id` depends on transitively, mapped to whether some path to it is all hard edges. */
export function upstreamOf(graph: Graph, id: string): Map<string, { hard: boolean }> {
  return walk(graph.dependencies, id);
}

/**
 * Of a set of failing components, those whose failure is not explained by a failing component
 * they depend on (directly or transitively, over hard or soft edges), sorted.
 * Failing components that only depend on each other in a cycle are all roots.
 */
export function rootsOf(graph: Graph, ids: Iterable<string>): string[] {
  const failing = new Set(ids);
  const roots: string[] = [];
  for (const id of failing) {
    const downstream = downstreamOf(graph, id);
    // A failing dependency that also depends on `id` is in a cycle with it, so it explains nothing.
    const explained = [...upstreamOf(graph, id).keys()].some((up) => failing.has(up) && !downstream.has(up));
    if (!explained) roots.push(id);
  }
  return roots.sort();
}

/** The components in the same connected part as `id` (including it; empty for an unknown id), sorted. */
export function partOf(graph: Graph, id: string): string[] {
  const part = graph.part.get(id);
  if (part === undefined) return [];
  return graph.ids.filter((other) => graph.part.get(other) === part).sort();
}

/** Whether some component of `a` and some component of `b` are in the same connected part. */
export function sharePart(graph: Graph, a: Iterable<string>, b: Iterable<string>): boolean {
  const parts = new Set<number>();
  for (const id of a) {
    const part = graph.part.get(id);
    if (part !== undefined) parts.add(part);
  }
  for (const id of b) {
    const part = graph.part.get(id);
    if (part !== undefined && parts.has(part)) return true;
  }
  return false;
}

// Breadth-first so that a component reached over an all-hard path is marked hard even when a
// soft path reached it first; a node is revisited only when it is upgraded from soft to hard.
function walk(next: ReadonlyMap<string, readonly Edge[]>, start: string): Map<string, { hard: boolean }> {
  const seen = new Map<string, { hard: boolean }>();
  const queue: { id: string; hard: boolean }[] = [{ id: start, hard: true }];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    for (const edge of next.get(item.id) ?? []) {
      const hard = item.hard && !edge.soft;
      const known = seen.get(edge.id);
      if (known !== undefined && (known.hard || !hard)) continue;
      seen.set(edge.id, { hard });
      queue.push({ id: edge.id, hard });
    }
  }
  seen.delete(start);
  return seen;
}

function connectedParts(
  ids: readonly string[],
  dependencies: ReadonlyMap<string, readonly Edge[]>,
  dependents: ReadonlyMap<string, readonly Edge[]>,
): Map<string, number> {
  const part = new Map<string, number>();
  let next = 0;
  for (const id of ids) {
    if (part.has(id)) continue;
    const stack = [id];
    part.set(id, next);
    for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
      for (const edge of [...(dependencies.get(current) ?? []), ...(dependents.get(current) ?? [])]) {
        if (part.has(edge.id)) continue;
        part.set(edge.id, next);
        stack.push(edge.id);
      }
    }
    next += 1;
  }
  return part;
}
