import { evidenceWithDiagnosis } from "./diagnosis-lines.ts";
import { dateOf, inTimeOrder, nameOf, signalOf, type TimelineEvent, type TimelineSignal } from "./evidence-summary.ts";

/** The incident a postmortem is about. */
export interface PostmortemIncident {
  id: string;
  name: string;
  /** The impact level, e.g. "major". */
  impact: string;
  rootIds: string[];
  impactedIds: string[];
  /** The onset: the first failing check. */
  startedAt: Date;
  /** The last successful check before the onset, when known: the failure may have begun as early as this. */
  earliestPossibleStart: Date | null;
  /** When the incident was confirmed and opened. */
  createdAt: Date;
  publishedAt: Date | null;
  resolvedAt: Date | null;
}

/** An update of the incident, by automation ("system") or a person. */
export interface PostmortemUpdate {
  status: string;
  body: string;
  actor: string;
  createdAt: Date;
}

/** An outage window of one component (the structural shape of windows.ts's, as far as the postmortem reads it). */
export interface PostmortemWindow {
  componentId: string;
  start: Date;
  /** Null while the component is still impaired. */
  end: Date | null;
  /** The worst status of the window, e.g. "major_outage". */
  worst: string;
  intervals: { status: string; from: Date; to: Date | null }[];
}

/** Everything a postmortem draft is written from. */
export interface PostmortemInput {
  incident: PostmortemIncident;
  updates: PostmortemUpdate[];
  events: TimelineEvent[];
  /** Outage windows of the incident's components. */
  windows: PostmortemWindow[];
  /** Component id → display name; the id is shown when a component has none. */
  names: Record<string, string>;
  /** IANA time zone the document's times are shown in; "UTC" when absent. */
  timeZone?: string;
}

/** How long each phase of the response took, in ms; null when it has not happened. */
export interface PostmortemMetrics {
  timeToDetectMs: number | null;
  timeToAcknowledgeMs: number | null;
  timeToPublishMs: number | null;
  timeToResolveMs: number | null;
}

/**
 * The response metrics of an incident, each clamped at 0 (clock skew between a probe and the server must not give a
 * negative time). The onset is `startedAt`, the first failing check; detection is `createdAt`, when the failure was
 * confirmed and the incident opened.
 * - timeToDetect = createdAt − startedAt;
 * - timeToAcknowledge = the first event or update by an actor other than "system" at or after createdAt, minus
 *   createdAt; null when no person has acted;
 * - timeToPublish = publishedAt − startedAt; null when never published;
 * - timeToResolve = resolvedAt − startedAt; null while open.
 */
export function postmortemMetrics(input: Pick<PostmortemInput, "incident" | "updates" | "events">): PostmortemMetrics {
  const { incident } = input;
  const created = incident.createdAt.getTime();
  const human = [
    ...input.events.filter((e) => e.actor !== "system").map((e) => e.at.getTime()),
    ...input.updates.filter((u) => u.actor !== "system").map((u) => u.createdAt.getTime()),
  ].filter((t) => t >= created);
  const since = (from: Date, to: Date | null): number | null => (to === null ? null : Math.max(0, to.getTime() - from.getTime()));
  return {
    timeToDetectMs: since(incident.startedAt, incident.createdAt),
    timeToAcknowledgeMs: human.length === 0 ? null : Math.min(...human) - created,
    timeToPublishMs: since(incident.startedAt, incident.publishedAt),
    timeToResolveMs: since(incident.startedAt, incident.resolvedAt),
  };
}

/**
 * A duration in the two largest units that matter, trailing zero unit dropped: "45 s" under a minute, "3 min 20 s"
 * under an hour, "1 h 42 min" under a day, "2 d 3 h" beyond. Rounded to the smaller unit shown (so 59.6 s is
 * "1 min"). Throws RangeError on a negative or non-finite duration.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a duration must be a finite number ≥ 0, got ${ms}`);
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string): string =>
    small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return pair(Math.floor(s / 60), "min", s % 60, "s");
  const min = Math.round(s / 60);
  if (min < 1440) return pair(Math.floor(min / 60), "h", min % 60, "min");
  const h = Math.round(min / 60);
  return pair(Math.floor(h / 24), "d", h % 24, "h");
}

const closingSections: readonly [heading: string, hint: string][] = [
  ["Root cause", "What made it fail, and why then? Follow the evidence down to the cause, not just the trigger."],
  ["What went well", "Detection, response and communication that worked and should be kept."],
  ["What went wrong", "Where detection, response or communication was late, noisy or missing."],
  ["Lessons", "What this incident taught about the system and about how it is run."],
  ["Action items", "One per line, with an owner and a due date, e.g. - [ ] Alert on replica lag (owner: db team, due 2024-06-01)."],
];

/**
 * A Markdown draft of the incident's postmortem, sections in order: "# Postmortem: <name>"; Summary (what failed, by
 * root names, from when to when, impact level, duration, and how much earlier it may have begun); Impact (a table of
 * the outage windows, one row each, roots first then impacted components then others; an incident component without
 * one is listed with "no recorded impairment"); Metrics (`postmortemMetrics` with `formatDuration`, "—" when
 * null); Timeline (events and updates merged in time order, one bullet "`HH:MM:SS` — text" each, "(by actor)" for
 * people, bodies quoted; a status event and the update posted with it by the same actor within a second are one bullet;
 * a bold date line before each new local day); Evidence (the diagnoses first, then `summariseEvidence`: `evidenceWithDiagnosis`, or "No evidence was recorded."); then
 * empty Root cause, What went well, What went wrong, Lessons and Action items, each with a hint comment.
 * Times are shown in `timeZone` (default "UTC") with their offset; table cells have pipes escaped and names and
 * single-line texts have line breaks collapsed. Throws RangeError on an unknown time zone.
 */
export function draftPostmortem(input: PostmortemInput): string {
  const { incident } = input;
  const timeZone = input.timeZone ?? "UTC";
  const clock = clockIn(timeZone);
  const name = (id: string): string => inline(nameOf(input.names, id));
  const out: string[] = [];

  out.push(`# Postmortem: ${inline(incident.name)}`, "");

  out.push("## Summary", "", summary(input, clock, name), "");

  out.push("## Impact", "", ...impactTable(input, clock, name), "");

  const metrics = postmortemMetrics(input);
  const value = (ms: number | null): string => (ms === null ? "—" : formatDuration(ms));
  out.push(
    "## Metrics",
    "",
    "| Metric | Value | Measured |",
    "| --- | --- | --- |",
    `| Time to detect | ${value(metrics.timeToDetectMs)} | first failing check → incident confirmed |`,
    `| Time to acknowledge | ${value(metrics.timeToAcknowledgeMs)} | incident confirmed → first action by a person |`,
    `| Time to publish | ${value(metrics.timeToPublishMs)} | first failing check → published on the status page |`,
    `| Time to resolve | ${value(metrics.timeToResolveMs)} | first failing check → resolved |`,
    "",
  );

  out.push("## Timeline", "", ...timeline(input, clock, name, timeZone), "");

  const evidence = evidenceWithDiagnosis(input.events, input.names);
  out.push("## Evidence", "");
  if (evidence.length === 0) out.push("No evidence was recorded.");
  for (const line of evidence) out.push(`- ${inline(line.text)}`);
  out.push("");

  for (const [heading, hint] of closingSections) out.push(`## ${heading}`, "", `<!-- ${hint} -->`, "");

  return `${out.join("\n").trimEnd()}\n`;
}

interface Clock {
  /** "2024-05-01 12:00:00 UTC+02:00". */
  stamp(at: Date): string;
  /** "2024-05-01". */
  day(at: Date): string;
  /** "12:00:00". */
  time(at: Date): string;
}

function clockIn(timeZone: string): Clock {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "longOffset",
  });
  const parts = (at: Date): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const part of format.formatToParts(at)) out[part.type] = part.value;
    return out;
  };
  const day = (p: Record<string, string>): string => `${p["year"]}-${p["month"]}-${p["day"]}`;
  const time = (p: Record<string, string>): string => `${p["hour"]}:${p["minute"]}:${p["second"]}`;
  return {
    stamp(at) {
      const p = parts(at);
      // longOffset gives "GMT+02:00", and "GMT" (or "GMT+00:00") at a zero offset.
      const offset = (p["timeZoneName"] ?? "").replace(/^GMT/, "");
      return `${day(p)} ${time(p)} ${offset === "" || offset === "+00:00" ? "UTC" : `UTC${offset}`}`;
    },
    day: (at) => day(parts(at)),
    time: (at) => time(parts(at)),
  };
}

function summary(input: PostmortemInput, clock: Clock, name: (id: string) => string): string {
  const { incident } = input;
  const roots = unique(incident.rootIds);
  const impacted = unique(incident.impactedIds).filter((id) => !roots.includes(id));
  const what = roots.length > 0 ? `${listOf(roots.map(name))} failed` : `${inline(incident.name)} began`;
  const sentences: string[] = [];
  if (incident.resolvedAt === null) {
    sentences.push(`${what} at ${clock.stamp(incident.startedAt)}; the incident is not resolved yet.`);
  } else {
    const duration = formatDuration(Math.max(0, incident.resolvedAt.getTime() - incident.startedAt.getTime()));
    sentences.push(`${what} at ${clock.stamp(incident.startedAt)} and the incident was resolved at ${clock.stamp(incident.resolvedAt)}, ${duration} later.`);
  }
  sentences.push(`The impact was ${inline(incident.impact)}.`);
  if (impacted.length > 0) sentences.push(`It also affected ${listOf(impacted.map(name))}.`);
  const earliest = incident.earliestPossibleStart;
  if (earliest !== null && earliest.getTime() < incident.startedAt.getTime()) {
    const gap = formatDuration(incident.startedAt.getTime() - earliest.getTime());
    sentences.push(`The last successful check before it was at ${clock.stamp(earliest)}, so the failure may have begun up to ${gap} earlier.`);
  }
  for (const event of inTimeOrder(input.events)) {
    if (event.kind !== "incident.upstream_attributed") continue;
    const provider = stringOf(event.data["upstream_name"]) ?? stringOf(event.data["upstream_id"]) ?? "a provider";
    const title = stringOf(event.data["title"]);
    const url = stringOf(event.data["url"]);
    const since = dateOf(event.data["since"]);
    const reported = title === null ? "a problem" : `an incident, ${inline(title)}`;
    sentences.push(`The likely cause is upstream: ${inline(provider)} reported ${reported}${since === null ? "" : ` from ${clock.stamp(since)}`}${url === null ? "" : ` (<${url}>)`}.`);
  }
  return sentences.join(" ");
}

function impactTable(input: PostmortemInput, clock: Clock, name: (id: string) => string): string[] {
  const { incident } = input;
  const roots = new Set(incident.rootIds);
  const order = unique([...incident.rootIds, ...incident.impactedIds, ...input.windows.map((w) => w.componentId)]);
  const rows = ["| Component | Worst status | Start | End | Duration |", "| --- | --- | --- | --- | --- |"];
  for (const id of order) {
    const label = cell(roots.has(id) ? `${name(id)} (root)` : name(id));
    const windows = inTimeOrder(input.windows.filter((w) => w.componentId === id).map((w) => ({ ...w, at: w.start })));
    if (windows.length === 0) rows.push(`| ${label} | no recorded impairment | — | — | — |`);
    for (const w of windows) {
      const end = w.end === null ? "ongoing" : clock.stamp(w.end);
      const duration = w.end === null ? "ongoing" : formatDuration(Math.max(0, w.end.getTime() - w.start.getTime()));
      rows.push(`| ${label} | ${cell(humanStatus(w.worst))} | ${clock.stamp(w.start)} | ${end} | ${duration} |`);
    }
  }
  return rows;
}

interface Entry {
  at: Date;
  text: string;
  actor: string;
  body: string | null;
}

// A status event and the update a person (or automation) posted with it are written in one transaction.
const pairingToleranceMs = 1_000;

function timeline(input: PostmortemInput, clock: Clock, name: (id: string) => string, timeZone: string): string[] {
  const paired = new Set<PostmortemUpdate>();
  const entries: Entry[] = [];
  for (const event of inTimeOrder(input.events)) {
    let body: string | null = null;
    if (event.kind === "incident.updated" || event.kind === "incident.resolved") {
      const status = stringOf(event.data["status"]);
      const update = input.updates.find(
        (u) =>
          !paired.has(u) &&
          u.actor === event.actor &&
          (status === null || u.status === status) &&
          Math.abs(u.createdAt.getTime() - event.at.getTime()) <= pairingToleranceMs,
      );
      if (update !== undefined) paired.add(update);
      body = update?.body ?? stringOf(event.data["reason"]);
    }
    if (event.kind === "incident.note") body = stringOf(event.data["body"]);
    if (event.kind === "incident.upstream_attributed") body = stringOf(event.data["url"]);
    let text = describeEvent(event, signalOf(event), name);
    if (event.kind === "action.run_succeeded") text += resyncedBounds(event.data, input.windows, clock);
    entries.push({ at: event.at, text, actor: event.actor, body });
  }
  for (const update of input.updates) {
    if (paired.has(update)) continue;
    entries.push({ at: update.createdAt, text: `Update posted (${inline(humanStatus(update.status))})`, actor: update.actor, body: update.body });
  }

  if (entries.length === 0) return ["No events were recorded."];
  const lines = [`Times are in ${timeZone}.`];
  let day: string | null = null;
  for (const entry of inTimeOrder(entries)) {
    const entryDay = clock.day(entry.at);
    if (entryDay !== day) {
      lines.push("", `**${entryDay}**`, "");
      day = entryDay;
    }
    const by = entry.actor === "system" ? "" : ` (by ${inline(entry.actor)})`;
    lines.push(`- \`${clock.time(entry.at)}\` — ${entry.text}${by}`);
    if (entry.body !== null && entry.body.trim() !== "") {
      for (const line of entry.body.trim().split(/\r\n|\r|\n/)) lines.push(line.trim() === "" ? "  >" : `  > ${line.trimEnd()}`);
    }
  }
  return lines;
}

/** One timeline event in words, as the postmortem's timeline and `vigil incident show` list it (Markdown-safe, one line). */
export function describeTimelineEvent(event: TimelineEvent, name: (id: string) => string): string {
  return describeEvent(event, signalOf(event), name);
}

function describeEvent(event: TimelineEvent, signal: TimelineSignal | null, name: (id: string) => string): string {
  const d = event.data;
  switch (event.kind) {
    case "incident.created":
      return signal === null ? "Incident opened" : `Incident opened: ${describeSignal(signal, name)}`;
    case "incident.signal_joined":
      return signal === null ? "Signal joined" : `Signal joined: ${describeSignal(signal, name)}`;
    case "incident.signal_recovered": {
      const ids = Array.isArray(d["components"]) ? d["components"].filter((c): c is string => typeof c === "string") : [];
      return ids.length === 0 ? "Signal recovered" : `${listOf(ids.map(name))} recovered`;
    }
    case "incident.updated": {
      const status = stringOf(d["status"]);
      const previous = stringOf(d["previous"]);
      if (status === null) return "Incident updated";
      if (previous === null) return `Status → ${humanStatus(status)}`;
      if (previous === status) return `Update posted (${humanStatus(status)})`;
      return `Status ${humanStatus(previous)} → ${humanStatus(status)}`;
    }
    case "incident.resolved": {
      const previous = stringOf(d["previous"]);
      return previous === null ? "Resolved" : `Resolved (was ${humanStatus(previous)})`;
    }
    case "incident.published":
      return "Published on the status page";
    case "incident.update_due":
      return "A public update is due";
    case "incident.note":
      return "Note";
    case "incident.upstream_attributed": {
      const summary = stringOf(d["summary"]);
      if (summary === null) return `Likely upstream cause: ${inline(stringOf(d["upstream_name"]) ?? "a provider")}`;
      return inline(summary.charAt(0).toUpperCase() + summary.slice(1));
    }
    case "action.run_requested":
    case "action.run_started":
    case "action.run_retrying":
    case "action.run_succeeded":
    case "action.run_failed":
    case "action.run_cancelled":
    case "action.approval_requested":
    case "action.approved":
    case "action.rejected":
    case "action.approval_timed_out":
      return describeActionRun(event.kind, d, name);
    case "action.ramp_step_started":
    case "action.ramp_gate_passed":
    case "action.ramp_aborted":
      return describeRamp(event.kind, d);
    case "component.status_changed": {
      const component = stringOf(d["component"]);
      const from = stringOf(d["from"]);
      const to = stringOf(d["to"]);
      const label = component === null ? "A component" : name(component);
      return from === null || to === null ? `${label} changed status` : `${label}: ${humanStatus(from)} → ${humanStatus(to)}`;
    }
    default:
      return event.kind.includes("`") ? `Event ${inline(event.kind)}` : `Event \`${inline(event.kind)}\``;
  }
}

/**
 * A runbook action's run in words: `Action \`scale-down\` succeeded after 2 attempts`; a reconciliation that said how
 * many records it resynced: `Action \`reconcile-orders\` resynced 1,234 records for Orders database`.
 */
function describeActionRun(kind: string, d: Record<string, unknown>, name: (id: string) => string): string {
  const action = `Action \`${inline(stringOf(d["action"]) ?? "?").replaceAll("`", "")}\``;
  const attempts = typeof d["attempts"] === "number" && d["attempts"] > 1 ? ` after ${d["attempts"]} attempts` : "";
  const error = stringOf(d["error"]);
  const why = error === null ? "" : `: ${inline(error)}`;
  switch (kind) {
    case "action.run_requested": {
      // A trigger's run says which incident event fired it.
      const reason = d["reason"];
      const trigger = typeof reason === "object" && reason !== null ? stringOf((reason as Record<string, unknown>)["trigger"]) : null;
      return trigger === null ? `${action} asked for` : `${action} asked for by its trigger on ${inline(trigger.replace(".", " ").replace("_", " "))}`;
    }
    case "action.run_started":
      return `${action} started`;
    case "action.run_retrying":
      return `${action} attempt ${typeof d["attempts"] === "number" ? d["attempts"] : "?"} failed, trying again${why}`;
    case "action.run_succeeded": {
      const resynced = resyncedCount(d);
      if (resynced === null) return `${action} succeeded${attempts}`;
      const component = resyncedWindow(d)?.component;
      return `${action} resynced ${resynced.toLocaleString("en-US")} record${resynced === 1 ? "" : "s"}${component === undefined ? "" : ` for ${inline(name(component))}`}${attempts}`;
    }
    case "action.run_cancelled":
      return `${action} cancelled${d["while_running"] === true ? " while running (its attempt aborted)" : ""}`;
    case "action.approval_requested":
      return `${action} waits for ${typeof d["required"] === "number" ? d["required"] : "?"} approval${d["required"] === 1 ? "" : "s"}`;
    case "action.approved":
      return `${action} approved (${typeof d["approvals"] === "number" ? d["approvals"] : "?"} of ${typeof d["required"] === "number" ? d["required"] : "?"})${stringOf(d["comment"]) === null ? "" : `: ${inline(stringOf(d["comment"]) as string)}`}`;
    case "action.rejected":
      return `${action} rejected${stringOf(d["comment"]) === null ? "" : `: ${inline(stringOf(d["comment"]) as string)}`}`;
    case "action.approval_timed_out":
      return `${action} not approved in time${why}`;
    default:
      return `${action} ${d["status"] === "timed_out" ? "timed out" : "failed"}${attempts}${why}`;
  }
}

/** A recovery ramp's step, gate or abort in words: `Ramp \`recovery\` step 2 of 3: gate held (up for 2 min)`. */
function describeRamp(kind: string, d: Record<string, unknown>): string {
  const ramp = `Ramp \`${inline(stringOf(d["action"]) ?? "?").replaceAll("`", "")}\``;
  const step = `step ${typeof d["step"] === "number" ? d["step"] : "?"} of ${typeof d["of"] === "number" ? d["of"] : "?"}`;
  switch (kind) {
    case "action.ramp_step_started":
      return `${ramp} ${step}: \`${inline(stringOf(d["step_action"]) ?? "?").replaceAll("`", "")}\` asked for`;
    case "action.ramp_gate_passed":
      return `${ramp} ${step}: gate held (${inline(stringOf(d["summary"]) ?? "")})`;
    default: {
      const undo = stringOf(d["on_abort_action"]);
      return `${ramp} aborted at ${step}: ${inline(stringOf(d["reason"]) ?? "")}${undo === null ? "" : `; \`${inline(undo).replaceAll("`", "")}\` asked for`}`;
    }
  }
}

/** The count of records a reconciliation said it resynced (`resynced` on `action.run_succeeded`), or null. */
function resyncedCount(d: Record<string, unknown>): number | null {
  const count = d["resynced"];
  return typeof count === "number" && Number.isSafeInteger(count) && count >= 0 ? count : null;
}

/** The window a reconciliation's run was for (`window` on its events), or null. */
function resyncedWindow(d: Record<string, unknown>): { component: string; start: string } | null {
  const window = d["window"];
  if (typeof window !== "object" || window === null) return null;
  const { component, start } = window as Record<string, unknown>;
  return typeof component === "string" && typeof start === "string" ? { component, start } : null;
}

/**
 * `, 10:02:10–10:31:40 UTC`: the bounds of the window a reconciliation resynced, when it is one of the incident's
 * (whole stamps when it spans days); empty otherwise.
 */
function resyncedBounds(d: Record<string, unknown>, windows: readonly PostmortemWindow[], clock: Clock): string {
  const asked = resyncedWindow(d);
  if (resyncedCount(d) === null || asked === null) return "";
  const startMs = Date.parse(asked.start);
  const window = windows.find((w) => w.componentId === asked.component && w.start.getTime() === startMs);
  if (window === undefined || window.end === null) return "";
  const end = clock.stamp(window.end);
  if (clock.day(window.start) !== clock.day(window.end)) return `, ${clock.stamp(window.start)} – ${end}`;
  return `, ${clock.time(window.start)}–${clock.time(window.end)} ${end.split(" ").at(-1) ?? ""}`;
}

function describeSignal(signal: TimelineSignal, name: (id: string) => string): string {
  const d = signal.data;
  const n = name(signal.componentId);
  switch (signal.kind) {
    case "monitor.down": {
      const error = d["error"];
      const message = typeof error === "object" && error !== null ? stringOf((error as Record<string, unknown>)["message"]) : null;
      return message === null ? `${n} down` : `${n} down: ${inline(message)}`;
    }
    case "monitor.degraded": {
      const warning = stringOf(d["warning"]);
      return warning === null ? `${n} degraded` : `${n} degraded: ${inline(warning)}`;
    }
    case "monitor.up": {
      const downFor = d["down_for_ms"];
      return typeof downFor === "number" && Number.isFinite(downFor) && downFor >= 0 ? `${n} up after ${formatDuration(downFor)}` : `${n} up`;
    }
    case "monitor.restart":
      return `${n} restarted`;
    case "monitor.crash_loop": {
      const restarts = d["restarts"];
      // The moment the crash loop was detected, by the rule's count; the evidence tells the whole run of restarts.
      const windowMs = d["window_ms"];
      const within = typeof windowMs === "number" && Number.isFinite(windowMs) && windowMs > 0 ? ` within ${formatDuration(windowMs)}` : "";
      return typeof restarts === "number" ? `${n} crash loop detected (${restarts} restarts${within})` : `${n} crash loop detected`;
    }
    case "monitor.connection_saturation":
      return `${n} connections ${String(d["connections"])} of ${String(d["max_connections"])}`;
    case "monitor.role_change":
      return `${n} role changed ${inline(String(d["from"]))} → ${inline(String(d["to"]))}`;
    case "monitor.flapping":
      return `${n} flapping`;
    case "upstream.degraded": {
      const what = stringOf(d["title"]) ?? stringOf(d["provider"]);
      return what === null ? `${n}: upstream degraded` : `${n}: upstream degraded: ${inline(what)}`;
    }
    default:
      return `${n}: ${inline(signal.kind)}`;
  }
}

/** "major_outage" → "major outage". */
function humanStatus(status: string): string {
  return inline(status.replaceAll("_", " "));
}

/** Text on one line: line breaks (and the spaces around them) become one space. */
function inline(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
}

/** Text safe in a table cell: on one line, pipes escaped. */
function cell(text: string): string {
  return inline(text).replaceAll("|", "\\|");
}

/** "a", "a and b", "a, b and c". */
function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function stringOf(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
