import { describe, expect, it } from "vitest";
import type { OverviewMonitor, OverviewView } from "./overview.ts";
import { describeChanges, overviewSections, sparkline } from "./overview-page.ts";

const monitor = (over: Partial<OverviewMonitor> = {}): OverviewMonitor => ({
  id: "api-health",
  name: "API health",
  type: "http",
  status: "up",
  flapping: false,
  regions: [{ region: "local", status: "up", lastAt: "2026-12-01T09:00:00.000Z" }],
  latencies: [],
  uptime24h: 100,
  uptime30d: 99.5,
  ...over,
});

const view = (over: Partial<OverviewView> = {}): OverviewView => ({
  at: new Date("2026-12-01T09:00:00Z"),
  components: [{ id: "api", name: "Production API", group: null, status: "operational", monitorIds: ["api-health"] }],
  monitors: [monitor()],
  incidents: [],
  maintenances: [],
  silences: [],
  ...over,
});

describe("sparkline", () => {
  it("draws the latencies oldest first, marks failed checks, and says it all in its text", () => {
    const svg = sparkline([
      { latencyMs: 10, ok: true },
      { latencyMs: 30, ok: false },
      { latencyMs: 20, ok: true },
    ]);
    // Lowest latency at the bottom (y grows downwards), highest at the top, across the whole width.
    expect(svg).toContain('<polyline points="3.0,25.0 60.0,3.0 117.0,14.0"/>');
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).toContain('<circle cx="60.0" cy="3.0" r="2.5"/>');
    expect(svg).toContain('role="img" aria-label="Latency of the last 3 checks: 10 to 30 ms, latest 20 ms, 1 failed"');
    expect(svg).not.toMatch(/style=/);
  });

  it("draws a flat line for equal latencies and says so when there is no result", () => {
    expect(sparkline([{ latencyMs: 5, ok: true }, { latencyMs: 5, ok: true }])).toContain('points="3.0,14.0 117.0,14.0"');
    expect(sparkline([])).toBe('<p class="spark meta">No checks yet</p>');
  });
});

describe("overviewSections", () => {
  it("says nothing fails when all is up, and lists a down monitor and a failing component first otherwise", () => {
    expect(overviewSections(view()).failing).toBe("<p>Nothing is failing.</p>");
    const failing = overviewSections(
      view({
        components: [{ id: "api", name: "Production API", group: null, status: "major_outage", monitorIds: ["api-health"] }],
        monitors: [monitor({ status: "down", regions: [{ region: "eu-west", status: "down", lastAt: "" }, { region: "local", status: "up", lastAt: "" }] })],
      }),
    ).failing;
    expect(failing).toContain('<strong>Production API</strong>: <span class="status status-major_outage">Major outage</span>');
    expect(failing).toContain('Monitor <strong>API health</strong>: <span class="status status-down" data-status>Down</span> <span class="meta">(failing in eu-west)</span>');
  });

  it("shows each monitor's status in words, its regions' votes and its uptimes under its component", () => {
    const html = overviewSections(view({ monitors: [monitor({ flapping: true, status: "degraded", uptime24h: 99.123, uptime30d: null })] })).components;
    expect(html).toContain('<h3 id="c-api">Production API: <span class="status status-operational">Operational</span></h3>');
    expect(html).toContain('<span class="status status-degraded" data-status>Degraded (flapping)</span>');
    expect(html).toContain('<ul class="regions" aria-label="Votes of the regions"><li>local: <span class="status status-up">up</span></li></ul>');
    expect(html).toContain("Uptime 24 h <strong>99.12 %</strong>, 30 d <strong>no checks</strong>");
  });

  it("lists monitors of no component apart, and says when nothing is configured", () => {
    expect(overviewSections(view({ components: [] })).components).toContain("<h3>Monitors of no component</h3>");
    expect(overviewSections(view({ components: [], monitors: [] })).components).toBe("<p>No component or monitor is configured.</p>");
  });

  it("links each incident to its room, says which are not published yet, and escapes what people typed", () => {
    const html = overviewSections(
      view({
        incidents: [
          { id: "inc_1", name: "Checkout <errors>", status: "investigating", impact: "major", startedAt: new Date("2026-12-01T08:55:00Z"), published: true },
          { id: "inc_2", name: "Draft", status: "identified", impact: "minor", startedAt: new Date("2026-12-01T08:56:00Z"), published: false },
        ],
      }),
    ).incidents;
    expect(html).toContain('<a href="/manage/incidents/inc_1">Checkout &lt;errors&gt;</a> <span class="meta"></span>');
    expect(html).toContain('<a href="/manage/incidents/inc_2">Draft</a> <span class="meta">(not published yet) </span>');
    expect(html).toContain('since <time datetime="2026-12-01T08:55:00.000Z">2026-12-01 08:55 UTC</time>');
  });

  it("shows maintenances in progress and silences in force", () => {
    const sections = overviewSections(
      view({
        maintenances: [{ id: "mnt_1", name: "Database upgrade", status: "in_progress", scheduledUntil: new Date("2026-12-01T10:00:00Z"), componentIds: ["api"] }],
        silences: [{ id: "sil_1", matchers: { component: ["api", "checkout"], severity: ["minor"] }, endsAt: new Date("2026-12-01T11:00:00Z"), comment: "Deploy", createdBy: "ada" }],
      }),
    );
    expect(sections.maintenances).toContain("<strong>Database upgrade</strong>: in progress until");
    expect(sections.silences).toContain("component = api, checkout; severity = minor, until");
    expect(sections.silences).toContain("by ada: Deploy");
    expect(overviewSections(view()).silences).toBe("<p>No silence in force.</p>");
  });
});

describe("describeChanges", () => {
  it("says which monitors changed status and which incidents opened, moved or were resolved", () => {
    const incident = { id: "inc_1", name: "API outage", status: "investigating", impact: "critical", startedAt: new Date(), published: true };
    expect(describeChanges(view(), view({ monitors: [monitor({ status: "down" })], incidents: [incident] }))).toEqual(["API health is down.", "Incident opened: API outage."]);
    expect(describeChanges(view({ incidents: [incident] }), view({ incidents: [{ ...incident, status: "identified" }] }))).toEqual(["Incident API outage is identified."]);
    expect(describeChanges(view({ incidents: [incident] }), view())).toEqual(["Incident resolved: API outage."]);
    expect(describeChanges(view(), view())).toEqual([]);
  });

  it("says when a maintenance starts or ends and when the silences in force change", () => {
    const maintenance = { id: "mnt_1", name: "Upgrade", status: "in_progress", scheduledUntil: new Date(), componentIds: [] };
    const silence = { id: "sil_1", matchers: {}, endsAt: new Date(), comment: "", createdBy: "ada" };
    expect(describeChanges(view(), view({ maintenances: [maintenance], silences: [silence] }))).toEqual(["Maintenance in progress: Upgrade.", "Silences in force: 1."]);
    expect(describeChanges(view({ maintenances: [maintenance] }), view())).toEqual(["Maintenance over: Upgrade."]);
  });
});
