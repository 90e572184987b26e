import type { RawConfigIssue } from "./issues.ts";
import type { ConfigPath } from "./path.ts";
import { didYouMean } from "./suggest.ts";

/**
 * Checks what a schema cannot see one entry at a time: ids unique per list, references that exist,
 * and a dependency graph without cycles. Works on the raw data, so that these errors are reported
 * together with the schema's even when other fields are wrong.
 */
export function checkReferences(data: unknown): RawConfigIssue[] {
  const root = asRecord(data);
  if (!root) return [];
  const components = asList(root["components"]);
  const monitors = asList(root["monitors"]);
  const channels = asList(asRecord(root["notifications"])?.["channels"]);
  const issues: RawConfigIssue[] = [
    ...duplicateIds(components, ["components"], "component"),
    ...duplicateIds(monitors, ["monitors"], "monitor"),
    ...duplicateIds(channels, ["notifications", "channels"], "channel"),
    ...duplicateIds(asList(asRecord(root["actions"])?.["definitions"]), ["actions", "definitions"], "action"),
    ...duplicateIds(asList(root["maintenances"]), ["maintenances"], "maintenance"),
    ...duplicateIds(asList(root["upstreams"]), ["upstreams"], "upstream"),
    ...duplicateIds(asList(root["regions"]), ["regions"], "region"),
    ...duplicateIds(asList(asRecord(root["incidents"])?.["update_templates"]), ["incidents", "update_templates"], "update template"),
  ];
  // A monitor's regions: the declared ones and the server's own runner.
  const ownRegion = asRecord(root["probe"])?.["region"];
  const regionIds = new Set([...idsOf(asList(root["regions"])), typeof ownRegion === "string" ? ownRegion : "local"]);
  monitors.forEach((entry, i) => {
    const regions = asList(asRecord(entry)?.["regions"]);
    regions.forEach((ref, j) => {
      if (typeof ref !== "string") return;
      if (!regionIds.has(ref)) issues.push({ path: ["monitors", i, "regions", j], message: `no region has the id "${ref}" (declare it under regions, or use the server's own, "${[...regionIds].at(-1)}")${didYouMean(ref, regionIds)}` });
      else if (regions.indexOf(ref) !== j) issues.push({ path: ["monitors", i, "regions", j], message: `region "${ref}" is listed twice` });
    });
  });
  // Canaries judge the server's own vantage point when it is the only one; with agents' regions, isolation does that.
  const canaries = asList(asRecord(root["probe"])?.["canaries"]);
  if (canaries.length > 0 && asList(root["regions"]).length > 0) issues.push({ path: ["probe", "canaries"], message: "canaries judge the server's own network when it is the only region; with regions declared, a region's isolation is found by comparing regions (remove probe.canaries or regions)" });
  const componentIds = new Set(idsOf(components));
  const upstreamIds = new Set(idsOf(asList(root["upstreams"])));
  // An upstream shares the graph with the components, so it shares their ids too.
  asList(root["upstreams"]).forEach((entry, i) => {
    const ref = asRecord(entry)?.["id"];
    if (typeof ref === "string" && componentIds.has(ref)) issues.push({ path: ["upstreams", i, "id"], message: `"${ref}" is already a component's id` });
  });
  const dependable = new Set([...componentIds, ...upstreamIds]);
  const monitorIds = new Set(idsOf(monitors));
  const edges = new Map<string, { to: string; path: ConfigPath }[]>();

  components.forEach((entry, i) => {
    const component = asRecord(entry);
    if (!component) return;
    const self = typeof component["id"] === "string" ? component["id"] : undefined;
    asList(component["monitors"]).forEach((ref, j) => {
      if (typeof ref === "string" && !monitorIds.has(ref)) {
        issues.push({ path: ["components", i, "monitors", j], message: `no monitor has the id "${ref}"${didYouMean(ref, monitorIds)}` });
      }
    });
    asList(component["depends_on"]).forEach((dep, j) => {
      const ref = typeof dep === "string" ? dep : asRecord(dep)?.["id"];
      if (typeof ref !== "string") return;
      const path: ConfigPath = ["components", i, "depends_on", j];
      if (ref === self) issues.push({ path, message: `component "${ref}" cannot depend on itself` });
      else if (!dependable.has(ref)) issues.push({ path, message: `no component or upstream has the id "${ref}"${didYouMean(ref, dependable)}` });
      else if (self !== undefined) edges.set(self, [...(edges.get(self) ?? []), { to: ref, path }]);
    });
  });
  asList(root["maintenances"]).forEach((entry, i) => {
    asList(asRecord(entry)?.["components"]).forEach((ref, j) => {
      if (typeof ref === "string" && !componentIds.has(ref)) {
        issues.push({ path: ["maintenances", i, "components", j], message: `no component has the id "${ref}"${didYouMean(ref, componentIds)}` });
      }
    });
  });
  asList(asRecord(root["incidents"])?.["update_templates"]).forEach((entry, i) => {
    for (const ref of Object.keys(asRecord(asRecord(entry)?.["components"]) ?? {})) {
      if (!componentIds.has(ref)) issues.push({ path: ["incidents", "update_templates", i, "components", ref], message: `no component has the id "${ref}"${didYouMean(ref, componentIds)}` });
    }
  });
  const actionEntries = asList(asRecord(root["actions"])?.["definitions"]).map(asRecord);
  const actionTypes = new Map(actionEntries.flatMap((a) => (typeof a?.["id"] === "string" ? [[a["id"], a["type"]] as const] : [])));
  actionEntries.forEach((ramp, i) => {
    if (ramp?.["type"] !== "ramp") return;
    asList(ramp["components"]).forEach((ref, k) => {
      if (typeof ref === "string" && !componentIds.has(ref)) issues.push({ path: ["actions", "definitions", i, "components", k], message: `no component has the id "${ref}"${didYouMean(ref, componentIds)}` });
    });
    // A ramp's steps run other actions, never a ramp (one ramp waiting for another would hold both).
    const runs: [ConfigPath, unknown][] = asList(ramp["steps"]).map((step, j) => [["actions", "definitions", i, "steps", j, "run"], asRecord(step)?.["run"]]);
    if (ramp["on_abort"] !== undefined) runs.push([["actions", "definitions", i, "on_abort", "run"], asRecord(ramp["on_abort"])?.["run"]]);
    for (const [path, ref] of runs) {
      if (typeof ref !== "string") continue;
      if (!actionTypes.has(ref)) issues.push({ path, message: `no action has the id "${ref}"${didYouMean(ref, new Set(actionTypes.keys()))}` });
      else if (actionTypes.get(ref) === "ramp") issues.push({ path, message: `action "${ref}" is a ramp: a ramp's steps run other kinds of action` });
    }
  });
  actionEntries.forEach((entry, i) => {
    asList(entry?.["on"]).forEach((trigger, j) => {
      asList(asRecord(trigger)?.["components"]).forEach((ref, k) => {
        if (typeof ref === "string" && !componentIds.has(ref)) issues.push({ path: ["actions", "definitions", i, "on", j, "components", k], message: `no component has the id "${ref}"${didYouMean(ref, componentIds)}` });
      });
    });
  });
  const channelIds = new Set(idsOf(channels));
  asList(asRecord(root["notifications"])?.["routes"]).forEach((entry, i) => {
    asList(asRecord(entry)?.["channels"]).forEach((ref, j) => {
      if (typeof ref === "string" && !channelIds.has(ref)) {
        issues.push({ path: ["notifications", "routes", i, "channels", j], message: `no channel has the id "${ref}"${didYouMean(ref, channelIds)}` });
      }
    });
  });
  issues.push(...cycles(edges));
  return issues;
}

/** Each cycle in the dependency graph once, printed `a → b → c → a`, blamed on its first edge. */
function cycles(edges: Map<string, { to: string; path: ConfigPath }[]>): RawConfigIssue[] {
  const issues: RawConfigIssue[] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "visiting");
    stack.push(node);
    for (const edge of edges.get(node) ?? []) {
      const seen = state.get(edge.to);
      if (seen === "visiting") {
        const loop = [...stack.slice(stack.indexOf(edge.to)), edge.to];
        const first = edges.get(loop[0] as string)?.find((e) => e.to === loop[1]);
        issues.push({ path: first?.path ?? edge.path, message: `dependency cycle: ${loop.join(" → ")}` });
      } else if (seen === undefined) visit(edge.to);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return issues;
}

function duplicateIds(list: unknown[], at: ConfigPath, what: string): RawConfigIssue[] {
  const firstIndex = new Map<string, number>();
  const issues: RawConfigIssue[] = [];
  list.forEach((entry, i) => {
    const id = asRecord(entry)?.["id"];
    if (typeof id !== "string") return;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, i);
    else issues.push({ path: [...at, i, "id"], message: `duplicate ${what} id "${id}" (first used at ${formatIndex(at, first)})` });
  });
  return issues;
}

function formatIndex(at: ConfigPath, index: number): string {
  return `${at.join(".")}[${index}]`;
}

function idsOf(list: unknown[]): string[] {
  return list.map((e) => asRecord(e)?.["id"]).filter((id): id is string => typeof id === "string");
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
