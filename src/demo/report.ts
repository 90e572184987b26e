/** The end of the replay: the outage windows, the postmortem draft, and the story's times beside Vigil's. */
import type { RunningVigil } from "../app/start.ts";
import { windowJson } from "../incidents/windows.ts";
import type { Narrator } from "./narrator.ts";
import type { PoolMarks } from "./pool-story.ts";
import { withoutVigil, type ScriptMarks } from "./script.ts";
import type { Milestones } from "./watch.ts";

/** Seconds from the first crash to each milestone; null when it did not happen. */
export interface DemoTimings {
  detected: number | null;
  incidentOpened: number | null;
  published: number | null;
  notifiedWebhook: number | null;
  notifiedEmail: number | null;
  providerPosted: number | null;
  likelyUpstream: number | null;
  /** The incident's diagnosis said crash loop (never with the stand-in database, which tells no uptime). */
  diagnosed: number | null;
  recovered: number | null;
  windowsAvailable: number | null;
  resolved: number | null;
}

/** Seconds from the pool filling up to each milestone of the pool story; null when it did not happen. */
export interface PoolTimings {
  detected: number | null;
  incidentOpened: number | null;
  published: number | null;
  notifiedWebhook: number | null;
  notifiedEmail: number | null;
  /** The incident's diagnosis said pool exhaustion. */
  diagnosed: number | null;
  /** A responder stopped the export. */
  stopped: number | null;
  windowsAvailable: number | null;
  resolved: number | null;
}

export function poolTimingsOf(marks: PoolMarks, m: Milestones): PoolTimings {
  const s = since(marks.poolFullAt);
  return {
    detected: s(m.detectedAt),
    incidentOpened: s(m.openedAt),
    published: s(m.publishedAt),
    notifiedWebhook: s(m.webhookAt),
    notifiedEmail: s(m.emailAt),
    diagnosed: s(m.diagnosedAt),
    stopped: s(marks.stoppedAt),
    windowsAvailable: s(m.windowsAt),
    resolved: s(m.resolvedAt),
  };
}

/** Seconds (to a tenth) from `start` to a time; null when either is unknown. */
function since(start: Date | undefined): (at: Date | undefined) => number | null {
  const from = start?.getTime();
  return (at) => (at === undefined || from === undefined ? null : Math.round((at.getTime() - from) / 100) / 10);
}

export function timingsOf(marks: ScriptMarks, m: Milestones): DemoTimings {
  const s = since(marks.firstCrashAt);
  return {
    detected: s(m.detectedAt),
    incidentOpened: s(m.openedAt),
    published: s(m.publishedAt),
    notifiedWebhook: s(m.webhookAt),
    notifiedEmail: s(m.emailAt),
    providerPosted: s(marks.providerPostedAt),
    likelyUpstream: s(m.attributedAt),
    diagnosed: s(m.diagnosedAt),
    recovered: s(marks.recoveredAt),
    windowsAvailable: s(m.windowsAt),
    resolved: s(m.resolvedAt),
  };
}

/** The incident's outage windows, as `vigil windows --incident ID` prints them. */
export async function printWindows(say: Narrator, vigil: RunningVigil, incidentId: string): Promise<void> {
  const margin = vigil.config().incidents.window_margin;
  const windows = (await vigil.incidents.windows({ incidentId })).map((w) => windowJson(w, margin));
  say.print(`Outage windows (as \`vigil windows --incident ${incidentId}\` prints them; margin ${margin / 1000} s each side).`);
  say.print("Reconcile what was modified from margin_from to margin_to, per component:");
  say.print();
  for (const w of windows) say.print(`  ${w.component.padEnd(12)}  ${w.worst_status.padEnd(14)}  ${w.margin_from} → ${w.margin_to ?? "ongoing"}  ${w.incidents.join(" ")}`);
  if (windows.length === 0) say.print("  no outage windows");
}

/** The postmortem Vigil drafted at resolution. */
export async function printPostmortem(say: Narrator, vigil: RunningVigil, incidentId: string): Promise<void> {
  const body = (await vigil.store.incidents.get(incidentId))?.postmortemBody;
  say.print(`Postmortem draft (GET /api/v1/incidents/${incidentId}/postmortem):`);
  say.print();
  say.print((body ?? "(none drafted)").replace(/^/gm, "  ").trimEnd());
}

/** Prints `rows` as a table under `head`, columns padded to their widest cell. */
function table(say: Narrator, head: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd();
  say.print(line(head));
  say.print(`  ${widths.map((w, i) => "-".repeat(i === widths.length - 1 ? 30 : w)).join("  ")}`);
  for (const r of rows) say.print(line(r));
}

const sec = (v: number | null) => (v === null ? "did not happen" : `+${v.toFixed(1)} s`);

/** The pool story's times, from the pool filling up, and the diagnosis that tells it from the crash loop. */
export function printPoolTable(say: Narrator, t: PoolTimings, speed: number, diagnosis: string | null): void {
  say.print("Times from the pool filling up:");
  say.print();
  table(say, ["", "Vigil, measured in this replay"], [
    ["outage confirmed (monitor down: saturated)", sec(t.detected)],
    ["incident opened", sec(t.incidentOpened)],
    ["first alert to the team", `${sec(t.notifiedWebhook)} webhook, ${sec(t.notifiedEmail)} e-mail`],
    ['public status "Investigating"', sec(t.published)],
    ["cause named: pool exhaustion, and who holds it", sec(t.diagnosed)],
    ["export stopped by a responder", sec(t.stopped)],
    ["reconciliation window", `${sec(t.windowsAvailable)}, exact, per component (above)`],
    ["resolved", sec(t.resolved)],
  ]);
  say.print();
  say.print(`Vigil's diagnosis: ${diagnosis ?? "none"}`);
  say.print();
  say.print(`Vigil ran in real time; only the story around it was accelerated (×${speed}: a story minute took ${(60 / speed).toFixed(1)} s).`);
}

/** The story's times beside this replay's. */
export function printTable(say: Narrator, t: DemoTimings, speed: number, rootName: string): void {
  const rows: [string, string, string][] = [
    ["outage confirmed (monitor down)", "-", sec(t.detected)],
    ["incident opened", "-", `${sec(t.incidentOpened)}, root: ${rootName}`],
    ["first alert to the team", `+${withoutVigil.firstAlertMs / 60_000} min`, `${sec(t.notifiedWebhook)} webhook, ${sec(t.notifiedEmail)} e-mail`],
    ['public status "Investigating"', `+${withoutVigil.publicPostMs / 60_000} min`, sec(t.published)],
    ["diagnosis: crash loop, not the pool", "misread: an analytics tool blamed", sec(t.diagnosed)],
    ["cause known: the cloud provider", `+${withoutVigil.causeKnownMs / 60_000} min`, `${sec(t.likelyUpstream)} (the provider posted at ${sec(t.providerPosted)}${t.providerPosted === null ? "" : `, story +${Math.round((t.providerPosted * speed) / 60)} min`})`],
    ["reconciliation window", "by hand, afterwards", `${sec(t.windowsAvailable)}, exact, per component (above)`],
    ["resolved", "-", `${sec(t.resolved)} (the database was back at ${sec(t.recovered)})`],
  ];
  say.print("Times from the first crash:");
  say.print();
  table(say, ["", "the story, without Vigil", "Vigil, measured in this replay"], rows);
  say.print();
  say.print(`Vigil ran in real time; only the story around it was accelerated (×${speed}: a story minute took ${(60 / speed).toFixed(1)} s).`);
  say.print("Detection, the incident, the status page and the alerts took those seconds, as they would in production.");
  say.print("The provider's cause is known once the provider posts and its feed is read (every 15 s here, 60 s by default).");
}
