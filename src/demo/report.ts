/** The end of the replay: the outage windows, the postmortem draft, and the story's times beside Vigil's. */
import type { RunningVigil } from "../app/start.ts";
import { windowJson } from "../incidents/windows.ts";
import type { Narrator } from "./narrator.ts";
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
  recovered: number | null;
  windowsAvailable: number | null;
  resolved: number | null;
}

export function timingsOf(marks: ScriptMarks, m: Milestones): DemoTimings {
  const from = marks.firstCrashAt?.getTime();
  const s = (at: Date | undefined) => (at === undefined || from === undefined ? null : Math.round((at.getTime() - from) / 100) / 10);
  return {
    detected: s(m.detectedAt),
    incidentOpened: s(m.openedAt),
    published: s(m.publishedAt),
    notifiedWebhook: s(m.webhookAt),
    notifiedEmail: s(m.emailAt),
    providerPosted: s(marks.providerPostedAt),
    likelyUpstream: s(m.attributedAt),
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

/** The story's times beside this replay's. */
export function printTable(say: Narrator, t: DemoTimings, speed: number, rootName: string): void {
  const sec = (v: number | null) => (v === null ? "did not happen" : `+${v.toFixed(1)} s`);
  const rows: [string, string, string][] = [
    ["outage confirmed (monitor down)", "-", sec(t.detected)],
    ["incident opened", "-", `${sec(t.incidentOpened)}, root: ${rootName}`],
    ["first alert to the team", `+${withoutVigil.firstAlertMs / 60_000} min`, `${sec(t.notifiedWebhook)} webhook, ${sec(t.notifiedEmail)} e-mail`],
    ['public status "Investigating"', `+${withoutVigil.publicPostMs / 60_000} min`, sec(t.published)],
    ["cause known: the cloud provider", `+${withoutVigil.causeKnownMs / 60_000} min`, `${sec(t.likelyUpstream)} (the provider posted at ${sec(t.providerPosted)}${t.providerPosted === null ? "" : `, story +${Math.round((t.providerPosted * speed) / 60)} min`})`],
    ["reconciliation window", "by hand, afterwards", `${sec(t.windowsAvailable)}, exact, per component (above)`],
    ["resolved", "-", `${sec(t.resolved)} (the database was back at ${sec(t.recovered)})`],
  ];
  const head: [string, string, string] = ["", "the story, without Vigil", "Vigil, measured in this replay"];
  const w0 = Math.max(...[head, ...rows].map((r) => r[0].length));
  const w1 = Math.max(...[head, ...rows].map((r) => r[1].length));
  const line = (r: [string, string, string]) => `  ${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`.trimEnd();
  say.print("Times from the first crash:");
  say.print();
  say.print(line(head));
  say.print(`  ${"-".repeat(w0)}  ${"-".repeat(w1)}  ${"-".repeat(30)}`);
  for (const r of rows) say.print(line(r));
  say.print();
  say.print(`Vigil ran in real time; only the story around it was accelerated (×${speed}: a story minute took ${(60 / speed).toFixed(1)} s).`);
  say.print("Detection, the incident, the status page and the alerts took those seconds, as they would in production.");
  say.print("The provider's cause is known once the provider posts and its feed is read (every 15 s here, 60 s by default).");
}
