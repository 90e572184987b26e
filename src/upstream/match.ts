/**
 * What one upstream's feed says about the part of the provider we depend on: the provider's components and incidents
 * picked by the upstream's `match`, folded into one status (Statuspage's words) and one line saying why. Pure: the
 * snapshot comes from a format's parse, the reading goes to the upstream's state (see attribution.ts).
 */
import { worstOf } from "../incidents/component-status.ts";
import type { FeedSnapshot, UpstreamComponent, UpstreamIncident, UpstreamStatus } from "./types.ts";

/**
 * Which part of a provider's feed an upstream is: each kind a list of case-insensitive needles (the config accepts one
 * or many; blank needles are ignored, and a kind with none counts as not given). See `readUpstream` for the rules.
 */
export interface UpstreamMatch {
  /** Needles for the provider component's name or group ("Amazon RDS"). */
  component?: string[];
  /** Needles for the region, as a code or a name ("us-west-2", "Oregon"); see `regionAliases`. */
  region?: string[];
  /** Needles for an incident's title and text ("RDS"): any one makes the incident match. */
  text?: string[];
}

/** What the upstream's part of a feed says. */
export interface UpstreamReading {
  status: UpstreamStatus;
  /** The matching unresolved incidents, the status comes from: worst impact first, then earliest start, then id. */
  incidents: UpstreamIncident[];
  /** Labels of the matched provider components ("group / name" when the name does not hold its group), in feed order. */
  matchedComponents: string[];
  /** One line for people: "provider reports an incident: Increased error rates (since 13:20 UTC)". */
  reason: string;
}

/** The config's shape of a match: each kind one needle or many. */
export interface UpstreamMatchConfig {
  component?: string | readonly string[];
  region?: string | readonly string[];
  text?: string | readonly string[];
}

/** The config's match (each kind one needle or a list) as an `UpstreamMatch`, blank needles dropped, absent kinds left out. */
export function toUpstreamMatch(config: UpstreamMatchConfig): UpstreamMatch {
  const match: UpstreamMatch = {};
  for (const kind of ["component", "region", "text"] as const) {
    const value = config[kind];
    if (value === undefined) continue;
    const needles = (typeof value === "string" ? [value] : [...value]).map((n) => n.trim()).filter((n) => n !== "");
    if (needles.length > 0) match[kind] = needles;
  }
  return match;
}

/**
 * Common regions of AWS, GCP and Azure, each group a region's code and the names providers show it by. A convenience:
 * a region needle that equals (case- and accent-insensitively) any entry of a group also looks for the group's other
 * entries, so `us-west-2` finds "Amazon RDS (Oregon)" and `Oregon` finds "us-west-2". A name shared by two groups
 * ("Oregon" is AWS us-west-2 and GCP us-west1) looks for both. A needle in no group is looked for as given.
 */
export const regionAliases: readonly (readonly string[])[] = [
  // AWS
  ["us-east-1", "N. Virginia", "Northern Virginia"],
  ["us-east-2", "Ohio"],
  ["us-west-1", "N. California", "Northern California"],
  ["us-west-2", "Oregon"],
  ["ca-central-1", "Canada (Central)", "Montreal"],
  ["sa-east-1", "São Paulo"],
  ["eu-west-1", "Ireland"],
  ["eu-west-2", "London"],
  ["eu-west-3", "Paris"],
  ["eu-central-1", "Frankfurt"],
  ["eu-north-1", "Stockholm"],
  ["eu-south-1", "Milan"],
  ["ap-south-1", "Mumbai"],
  ["ap-southeast-1", "Singapore"],
  ["ap-southeast-2", "Sydney"],
  ["ap-northeast-1", "Tokyo"],
  ["ap-northeast-2", "Seoul"],
  ["ap-east-1", "Hong Kong"],
  // GCP
  ["us-central1", "Iowa"],
  ["us-east1", "South Carolina"],
  ["us-east4", "Northern Virginia"],
  ["us-west1", "Oregon"],
  ["europe-west1", "Belgium"],
  ["europe-west2", "London"],
  ["europe-west3", "Frankfurt"],
  ["europe-west4", "Netherlands"],
  ["asia-northeast1", "Tokyo"],
  ["asia-southeast1", "Singapore"],
  // Azure
  ["eastus", "East US"],
  ["eastus2", "East US 2"],
  ["westus", "West US"],
  ["westus2", "West US 2"],
  ["centralus", "Central US"],
  ["northeurope", "North Europe"],
  ["westeurope", "West Europe"],
  ["uksouth", "UK South"],
  ["southeastasia", "Southeast Asia"],
];

/** Impact of an unresolved provider incident → the status it gives; an impact not listed (and "none") → degraded_performance. */
export const impactStatus: Readonly<Record<string, UpstreamStatus>> = {
  none: "degraded_performance",
  minor: "degraded_performance",
  major: "partial_outage",
  critical: "major_outage",
};

/** Incident statuses (Statuspage's, lower-cased) that say it is over, besides a `resolvedAt`. */
const closedIncidentStatuses: ReadonlySet<string> = new Set(["resolved", "postmortem", "completed"]);

/** Maintenance statuses (Statuspage's) that say it is going on now. */
const activeMaintenanceStatuses: ReadonlySet<string> = new Set(["in_progress", "verifying"]);

const rank: Record<UpstreamStatus, number> = {
  under_maintenance: 0,
  operational: 0,
  degraded_performance: 1,
  partial_outage: 2,
  major_outage: 3,
};

/**
 * Reads the upstream's part of a feed. All comparisons ignore case, accents and runs of white space.
 *
 * Components. A provider component matches when `component` or `region` is given and each one given holds:
 * - component: its name, or its group and name together, contains a `component` needle ("Amazon RDS" in
 *   "Amazon RDS (Oregon)", or in the group "Amazon RDS" of "us-west-2");
 * - region: its group and name contain a region needle, or an alias of one from `regionAliases`, as a whole word:
 *   not inside a longer word or number, and not followed by a space and a digit, so `eastus` does not find "eastus2",
 *   `europe-west1` not "europe-west10", "East US" not "East US 2" (while `us-west` still finds "us-west-2").
 * `text` says nothing about components.
 *
 * Incidents. An unresolved incident (no `resolvedAt`, status not resolved/postmortem/completed) matches when any holds:
 * - it names a matched component (incident.components, by name); a name also borne by a component that did not match
 *   (the same "us-west-2" under two groups) is ambiguous and does not count on its own;
 * - its title and text hold the given kinds of `component` and `region` as above (at least one of them given);
 * - its title and text contain a `text` needle — the loosest rule, meant for a feed of the upstream alone (a
 *   per-service RSS feed whose items say "RDS" but not "Amazon RDS").
 *
 * Status: the worst (operational < degraded_performance < partial_outage < major_outage) of the matched components'
 * statuses and of the matching incidents' impacts (none and minor → degraded_performance, major → partial_outage,
 * critical → major_outage, anything else → degraded_performance: the provider still reports something). When that is
 * operational, a matched component under maintenance, or a maintenance in progress naming one, gives
 * under_maintenance. Nothing matched → operational. A `match` with no needle at all matches every component, incident
 * and maintenance of the feed.
 *
 * Reason: when an incident is as bad as the status, "provider reports an incident: <title> (since HH:MM UTC)" for the
 * worst one ("provider reports N incidents, the worst: …" for several); otherwise the worst components,
 * "<label> is <status>" ("<label> and N more are <status>"); a maintenance with no component under maintenance,
 * "provider maintenance in progress: <title>"; nothing matched, "no provider component or open incident matches"
 * ("no open provider incident" for a feed without components).
 */
export function readUpstream(snapshot: FeedSnapshot, match: UpstreamMatch): UpstreamReading {
  const componentNeedles = needlesOf(match.component);
  const regionNeedles = expandRegions(needlesOf(match.region));
  const textNeedles = needlesOf(match.text);
  const everything = componentNeedles.length === 0 && regionNeedles.length === 0 && textNeedles.length === 0;

  const holds = (haystack: string): boolean =>
    (componentNeedles.length > 0 || regionNeedles.length > 0) &&
    (componentNeedles.length === 0 || componentNeedles.some((n) => haystack.includes(n))) &&
    (regionNeedles.length === 0 || regionNeedles.some((n) => containsWord(haystack, n)));

  const matched = snapshot.components.filter((c) => everything || holds(normalise(`${c.group ?? ""} ${c.name}`)));
  const matchedSet = new Set(matched);
  const matchedNames = new Set(matched.map((c) => normalise(c.name)));
  const unmatchedNames = new Set(snapshot.components.filter((c) => !matchedSet.has(c)).map((c) => normalise(c.name)));
  const namesMatched = (names: readonly string[]): boolean =>
    names.some((name) => matchedNames.has(normalise(name)) && !unmatchedNames.has(normalise(name)));

  const incidents = snapshot.incidents
    .filter((incident) => incident.resolvedAt === null && !closedIncidentStatuses.has(incident.status.trim().toLowerCase()))
    .filter((incident) => {
      if (everything || namesMatched(incident.components)) return true;
      const words = normalise(`${incident.title} ${incident.text}`);
      return holds(words) || textNeedles.some((n) => words.includes(n));
    })
    .sort(
      (a, b) =>
        rank[statusOfImpact(b.impact)] - rank[statusOfImpact(a.impact)] ||
        a.startedAt.getTime() - b.startedAt.getTime() ||
        a.id.localeCompare(b.id),
    );

  let status: UpstreamStatus = "operational";
  for (const component of matched) status = worstOf(status, component.status);
  for (const incident of incidents) status = worstOf(status, statusOfImpact(incident.impact));

  const labels = matched.map(labelOf);
  const worstIncident = incidents[0];
  if (worstIncident !== undefined && rank[statusOfImpact(worstIncident.impact)] >= rank[status]) {
    const what = `${oneLine(worstIncident.title)} (since ${utcTime(worstIncident.startedAt)})`;
    const reason = incidents.length === 1 ? `provider reports an incident: ${what}` : `provider reports ${incidents.length} incidents, the worst: ${what}`;
    return { status, incidents, matchedComponents: labels, reason };
  }
  if (status !== "operational") {
    return { status, incidents, matchedComponents: labels, reason: statusLine(matched.filter((c) => c.status === status), status) };
  }

  const inMaintenance = matched.filter((c) => c.status === "under_maintenance");
  if (inMaintenance.length > 0) {
    return { status: "under_maintenance", incidents, matchedComponents: labels, reason: statusLine(inMaintenance, "under_maintenance") };
  }
  const maintenance = snapshot.maintenances.find(
    (m) => activeMaintenanceStatuses.has(m.status.trim().toLowerCase()) && (everything || namesMatched(m.components)),
  );
  if (maintenance !== undefined) {
    return { status: "under_maintenance", incidents, matchedComponents: labels, reason: `provider maintenance in progress: ${oneLine(maintenance.title)}` };
  }
  if (matched.length > 0) return { status, incidents, matchedComponents: labels, reason: statusLine(matched, "operational") };
  const reason = snapshot.components.length === 0 ? "no open provider incident" : "no provider component or open incident matches";
  return { status, incidents, matchedComponents: labels, reason };
}

/** The status an unresolved incident's impact gives (see `impactStatus`). */
export function statusOfImpact(impact: string): UpstreamStatus {
  const key = impact.trim().toLowerCase();
  return Object.hasOwn(impactStatus, key) ? (impactStatus[key] ?? "degraded_performance") : "degraded_performance";
}

/** "13:20 UTC" for a time; "unknown time" for an invalid date. */
export function utcTime(date: Date): string {
  return Number.isNaN(date.getTime()) ? "unknown time" : `${date.toISOString().slice(11, 16)} UTC`;
}

/** A component as people read it: its name, with its group before it when the name does not already hold it. */
function labelOf(component: UpstreamComponent): string {
  const { group, name } = component;
  if (group === null || group.trim() === "" || normalise(name).includes(normalise(group))) return name;
  return `${group} / ${name}`;
}

function statusLine(components: readonly UpstreamComponent[], status: UpstreamStatus): string {
  const first = components[0];
  if (first === undefined) return status;
  return components.length === 1 ? `${labelOf(first)} is ${status}` : `${labelOf(first)} and ${components.length - 1} more are ${status}`;
}

function needlesOf(list: readonly string[] | undefined): string[] {
  return [...new Set((list ?? []).map(normalise).filter((n) => n !== ""))];
}

function expandRegions(needles: readonly string[]): string[] {
  const expanded = new Set(needles);
  for (const needle of needles) {
    for (const group of regionAliases) {
      const entries = group.map(normalise);
      if (entries.includes(needle)) for (const entry of entries) expanded.add(entry);
    }
  }
  return [...expanded];
}

/** Lower case, accents dropped, white space collapsed. */
function normalise(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

const wordChar = /[\p{L}\p{N}]/u;

/** Whether `needle` occurs in `haystack` not inside a longer word or number, and not followed by a space and a digit. */
function containsWord(haystack: string, needle: string): boolean {
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = haystack[at - 1];
    const after = haystack.slice(at + needle.length, at + needle.length + 2);
    const startsWord = before === undefined || !wordChar.test(before) || !wordChar.test(needle[0] ?? "");
    const endsWord = after === "" || ((!wordChar.test(after[0] ?? "") || !wordChar.test(needle.at(-1) ?? "")) && !/^ \d/.test(after));
    if (startsWord && endsWord) return true;
  }
  return false;
}
