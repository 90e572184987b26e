/**
 * The overview's HTML, rendered on the server from an OverviewView: what is failing now, open incidents, every
 * component with its monitors (status in words, region votes, a latency sparkline drawn as inline SVG, 24 h and 30 d
 * uptime), maintenances in progress and silences in force. Each live part is one `data-live` element, which the
 * overview's script replaces with the same part rendered again when something changes.
 */
import { esc } from "../../statuspage/render/html/escape.ts";
import type { UserRow } from "../../store/types.ts";
import type { OverviewMonitor, OverviewView } from "./overview.ts";
import { accountSection, consolePage } from "./pages.ts";

/** The parts of the overview that change live, by their `data-live` name. */
export type OverviewSections = Record<"asof" | "failing" | "incidents" | "components" | "maintenances" | "silences", string>;

const monitorStatusText: Record<OverviewMonitor["status"], string> = { up: "Up", degraded: "Degraded", down: "Down", unknown: "Not checked yet" };
const componentStatusText: Record<string, string> = {
  operational: "Operational",
  degraded_performance: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
  under_maintenance: "Under maintenance",
};

const time = (at: Date): string => `<time datetime="${at.toISOString()}">${at.toISOString().slice(0, 16).replace("T", " ")} UTC</time>`;
const percent = (value: number | null): string => (value === null ? "no checks" : `${value.toFixed(value === 100 ? 0 : 2)} %`);
const statusClass = (status: string): string => `status status-${status.replace(/[^a-z_]/g, "")}`;

function monitorStatus(m: OverviewMonitor): string {
  return `<span class="${statusClass(m.status)}" data-status>${monitorStatusText[m.status]}${m.flapping ? " (flapping)" : ""}</span>`;
}

/** A latency sparkline as inline SVG, with its meaning in words for those who cannot see it. */
export function sparkline(latencies: readonly { latencyMs: number; ok: boolean }[]): string {
  if (latencies.length === 0) return `<p class="spark meta">No checks yet</p>`;
  const values = latencies.map((l) => l.latencyMs);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const [width, height, pad] = [120, 28, 3];
  const x = (i: number) => (latencies.length === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (latencies.length - 1));
  const y = (v: number) => (max === min ? height / 2 : height - pad - ((v - min) * (height - 2 * pad)) / (max - min));
  const points = latencies.map((l, i) => `${x(i).toFixed(1)},${y(l.latencyMs).toFixed(1)}`).join(" ");
  const failed = latencies.flatMap((l, i) => (l.ok ? [] : [`<circle cx="${x(i).toFixed(1)}" cy="${y(l.latencyMs).toFixed(1)}" r="2.5"/>`]));
  const latest = Math.round(values.at(-1) ?? 0);
  const label = `Latency of the last ${latencies.length} checks: ${Math.round(min)} to ${Math.round(max)} ms, latest ${latest} ms${failed.length > 0 ? `, ${failed.length} failed` : ""}`;
  return (
    `<p class="spark"><svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}" focusable="false">` +
    `<polyline points="${points}"/>${failed.join("")}</svg><span aria-hidden="true">${latest} ms</span></p>`
  );
}

function monitorItem(m: OverviewMonitor): string {
  const regions =
    m.regions.length === 0
      ? `<p class="meta">No region has checked it yet</p>`
      : `<ul class="regions" aria-label="Votes of the regions">${m.regions.map((r) => `<li>${esc(r.region)}: <span class="${statusClass(r.status)}">${esc(r.status)}</span></li>`).join("")}</ul>`;
  return (
    `<li class="monitor" data-monitor="${esc(m.id)}"><p><strong>${esc(m.name)}</strong> <span class="meta">${esc(m.type)}</span><br>${monitorStatus(m)}</p>` +
    `${regions}${sparkline(m.latencies)}<p>Uptime 24 h <strong>${percent(m.uptime24h)}</strong>, 30 d <strong>${percent(m.uptime30d)}</strong></p></li>`
  );
}

function failing(view: OverviewView): string {
  const monitors = view.monitors.filter((m) => m.status === "down" || m.status === "degraded");
  const components = view.components.filter((c) => c.status !== "operational" && c.status !== "under_maintenance");
  if (monitors.length === 0 && components.length === 0) return `<p>Nothing is failing.</p>`;
  const items = [
    ...components.map((c) => `<li data-component="${esc(c.id)}"><strong>${esc(c.name)}</strong>: <span class="${statusClass(c.status)}">${esc(componentStatusText[c.status] ?? c.status)}</span></li>`),
    ...monitors.map((m) => {
      const against = m.regions.filter((r) => r.status === "down" || r.status === "degraded").map((r) => r.region);
      return `<li data-monitor="${esc(m.id)}">Monitor <strong>${esc(m.name)}</strong>: ${monitorStatus(m)}${against.length > 0 ? ` <span class="meta">(failing in ${esc(against.join(", "))})</span>` : ""}</li>`;
    }),
  ];
  return `<ul class="list">${items.join("")}</ul>`;
}

function incidents(view: OverviewView): string {
  if (view.incidents.length === 0) return `<p>No open incident.</p>`;
  return `<ul class="list">${view.incidents
    .map((i) => {
      const room = `/manage/incidents/${encodeURIComponent(i.id)}`;
      return `<li data-incident="${esc(i.id)}"><a href="${esc(room)}">${esc(i.name)}</a> <span class="meta">${i.published ? "" : "(not published yet) "}</span><br>Status <strong data-incident-status>${esc(i.status)}</strong>, impact ${esc(i.impact)}, since ${time(i.startedAt)}</li>`;
    })
    .join("")}</ul>`;
}

function components(view: OverviewView): string {
  const byId = new Map(view.monitors.map((m) => [m.id, m]));
  const shown = new Set<string>();
  const blocks = view.components.map((c) => {
    const monitors = c.monitorIds.flatMap((id) => {
      const m = byId.get(id);
      if (!m) return [];
      shown.add(id);
      return [monitorItem(m)];
    });
    return (
      `<h3 id="c-${esc(c.id)}">${esc(c.name)}${c.group ? ` <span class="meta">(${esc(c.group)})</span>` : ""}: <span class="${statusClass(c.status)}">${esc(componentStatusText[c.status] ?? c.status)}</span></h3>` +
      (monitors.length === 0 ? `<p class="meta">No monitor.</p>` : `<ul class="list">${monitors.join("")}</ul>`)
    );
  });
  const others = view.monitors.filter((m) => !shown.has(m.id));
  if (others.length > 0) blocks.push(`<h3>Monitors of no component</h3><ul class="list">${others.map(monitorItem).join("")}</ul>`);
  return blocks.length === 0 ? `<p>No component or monitor is configured.</p>` : blocks.join("");
}

function maintenances(view: OverviewView): string {
  if (view.maintenances.length === 0) return `<p>No maintenance in progress.</p>`;
  return `<ul class="list">${view.maintenances
    .map((m) => `<li data-maintenance="${esc(m.id)}"><strong>${esc(m.name)}</strong>: ${esc(m.status.replace("_", " "))} until ${time(m.scheduledUntil)}${m.componentIds.length > 0 ? ` <span class="meta">(${esc(m.componentIds.join(", "))})</span>` : ""}</li>`)
    .join("")}</ul>`;
}

function matcherText(matchers: Record<string, unknown>): string {
  return Object.entries(matchers)
    .map(([key, value]) => `${key} = ${Array.isArray(value) ? value.map(String).join(", ") : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)}`)
    .join("; ");
}

function silences(view: OverviewView): string {
  if (view.silences.length === 0) return `<p>No silence in force.</p>`;
  return `<ul class="list">${view.silences
    .map((s) => `<li data-silence="${esc(s.id)}">${esc(matcherText(s.matchers))}, until ${time(s.endsAt)}, by ${esc(s.createdBy)}${s.comment ? `: ${esc(s.comment)}` : ""}</li>`)
    .join("")}</ul>`;
}

/** The live parts of the overview, rendered. */
export function overviewSections(view: OverviewView): OverviewSections {
  return {
    asof: `As of ${view.at.toISOString().slice(0, 19).replace("T", " ")} UTC.`,
    failing: failing(view),
    incidents: incidents(view),
    components: components(view),
    maintenances: maintenances(view),
    silences: silences(view),
  };
}

const section = (key: keyof OverviewSections, title: string, html: string) =>
  `<section aria-labelledby="${key}-h"><h2 id="${key}-h">${title}</h2><div data-live="${key}">${html}</div></section>`;

/** The overview page: signed in, with its live parts and the script that keeps them current. */
export function overviewPage(input: { user: UserRow; csrf: string; view: OverviewView }): string {
  const parts = overviewSections(input.view);
  return consolePage(
    "Overview",
    `<h1>Overview</h1><p class="live"><span data-live="asof">${parts.asof}</span> <a href="/manage">Reload</a> <span id="live-state"></span></p>` +
      `<div id="announce" class="vh" role="status" aria-live="polite"></div>` +
      section("failing", "Failing now", parts.failing) +
      section("incidents", "Open incidents", parts.incidents) +
      section("components", "Components and monitors", parts.components) +
      section("maintenances", "Maintenances in progress", parts.maintenances) +
      section("silences", "Silences in force", parts.silences) +
      accountSection(input),
    { chrome: { user: input.user, csrf: input.csrf, current: "/manage" }, scripts: ["overview.js"], narrow: false },
  );
}

/** What changed between two views, in sentences a screen reader announces. */
export function describeChanges(before: OverviewView, after: OverviewView): string[] {
  const sentences: string[] = [];
  const old = new Map(before.monitors.map((m) => [m.id, m]));
  for (const m of after.monitors) {
    const was = old.get(m.id);
    if (was && was.status !== m.status) sentences.push(`${m.name} is ${monitorStatusText[m.status].toLowerCase()}.`);
  }
  const openBefore = new Map(before.incidents.map((i) => [i.id, i]));
  const openAfter = new Set(after.incidents.map((i) => i.id));
  for (const i of after.incidents) {
    const was = openBefore.get(i.id);
    if (!was) sentences.push(`Incident opened: ${i.name}.`);
    else if (was.status !== i.status) sentences.push(`Incident ${i.name} is ${i.status}.`);
  }
  for (const i of before.incidents) if (!openAfter.has(i.id)) sentences.push(`Incident resolved: ${i.name}.`);
  const names = (list: readonly { id: string }[]) => new Set(list.map((x) => x.id));
  const [mBefore, mAfter] = [names(before.maintenances), names(after.maintenances)];
  for (const m of after.maintenances) if (!mBefore.has(m.id)) sentences.push(`Maintenance in progress: ${m.name}.`);
  for (const m of before.maintenances) if (!mAfter.has(m.id)) sentences.push(`Maintenance over: ${m.name}.`);
  const [sBefore, sAfter] = [names(before.silences), names(after.silences)];
  if ([...sAfter].some((id) => !sBefore.has(id)) || [...sBefore].some((id) => !sAfter.has(id))) sentences.push(`Silences in force: ${after.silences.length}.`);
  return sentences;
}
