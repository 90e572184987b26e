import { inTimeOrder, nameOf } from "../incidents/evidence-summary.ts";
import { describeTimelineEvent } from "../incidents/postmortem.ts";

/** `GET /api/v1/incidents/:id` as `vigil incident show` reads it. */
export interface IncidentDetailJson {
  id: string;
  name: string;
  status: string;
  impact: string;
  root_components: string[];
  impacted_components: string[];
  started_at: string;
  earliest_possible_start: string | null;
  published_at: string | null;
  resolved_at: string | null;
  updates: { status: string; body: string; actor: string; created_at: string }[];
  evidence: { component: string; kind: string; text: string }[];
  timeline: { id: string; at: string; kind: string; actor: string; data: Record<string, unknown> }[];
}

/** `2026-11-27T13:20:06.123Z` → `2026-11-27 13:20:06 UTC`. */
function stamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)} UTC`;
}

/** How long after the start, for people: `+0s`, `+4m 05s`, `+2h 03m`, `+1d 4h`; `-…` before it. */
export function offset(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms)) return "";
  const sign = ms < 0 ? "-" : "+";
  const s = Math.floor(Math.abs(ms) / 1000);
  const [d, h, m, sec] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${sign}${d}d ${h}h`;
  if (h > 0) return `${sign}${h}h ${pad(m)}m`;
  if (m > 0) return `${sign}${m}m ${pad(sec)}s`;
  return `${sign}${sec}s`;
}

const indent = (text: string, by: string) => text.replaceAll("\n", `\n${by}`);

/**
 * An incident for a responder's terminal: what failed (roots) and what it took down (impact), the evidence in words,
 * the likely upstream cause, the timeline oldest first with each event's time and offset from the start, then the
 * public updates. `names` maps component ids to names (an id without one is shown as it is).
 */
export function renderIncidentDetail(incident: IncidentDetailJson, names: Readonly<Record<string, string>>, header: string): string {
  const label = (id: string) => {
    const name = nameOf(names, id);
    return name === id ? id : `${name} (${id})`;
  };
  const lines = [header, ""];
  lines.push(`Root:         ${incident.root_components.map(label).join(", ") || "none recorded"}`);
  const impacted = incident.impacted_components.filter((id) => !incident.root_components.includes(id));
  lines.push(`Impact:       ${incident.impact}${impacted.length > 0 ? `; also affects ${impacted.map(label).join(", ")}` : ""}`);
  const began = incident.earliest_possible_start ? `, possibly from ${stamp(incident.earliest_possible_start)}` : "";
  lines.push(`Started:      ${stamp(incident.started_at)}${began}`);
  lines.push(`Resolved:     ${incident.resolved_at ? `${stamp(incident.resolved_at)} (after ${offset(incident.started_at, incident.resolved_at).slice(1)})` : "not yet"}`);
  lines.push(`Published:    ${incident.published_at ? stamp(incident.published_at) : "no (draft)"}`);

  const evidence = incident.evidence.filter((e) => e.kind !== "upstream");
  lines.push("", "Evidence:", ...(evidence.length > 0 ? evidence.map((e) => `  - ${e.text}`) : ["  none recorded"]));
  const upstream = incident.evidence.filter((e) => e.kind === "upstream");
  lines.push("", "Attribution:", ...(upstream.length > 0 ? upstream.map((e) => `  - ${e.text}`) : ["  no upstream provider attributed"]));

  const name = (id: string) => nameOf(names, id);
  const events = inTimeOrder(incident.timeline.map((e) => ({ ...e, at: new Date(e.at) })));
  lines.push("", "Timeline (UTC, + from the start):");
  if (events.length === 0) lines.push("  no events recorded");
  for (const event of events) {
    const by = event.actor === "system" ? "" : ` (by ${event.actor})`;
    const at = event.at.toISOString();
    lines.push(`  ${stamp(at).slice(0, 19)}  ${offset(incident.started_at, at).padEnd(8)}  ${describeTimelineEvent(event, name)}${by}`);
  }

  lines.push("", "Updates:");
  if (incident.updates.length === 0) lines.push("  none");
  for (const u of incident.updates) lines.push("", `${u.created_at}  ${u.status}  (${u.actor})`, `  ${indent(u.body, "  ")}`);
  return `${lines.join("\n")}\n`;
}
