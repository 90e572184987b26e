import { describe, expect, it } from "vitest";
import { renderOpsgenie, OpsgenieConfig } from "./channels/opsgenie.ts";
import { PagerDutyConfig, renderPagerDuty } from "./channels/pagerduty.ts";
import { renderSlack } from "./channels/slack.ts";
import { statuspageBody, vigilBody } from "./channels/webhook.ts";
import { renderEmail, EmailConfig } from "./channels/email.ts";
import { messageFromEvent, type DispatchEvent, type MessageContext } from "./message.ts";
import type { NotificationMessage } from "./types.ts";

const at = new Date("2026-12-07T09:00:00Z");
const incident = {
  id: "inc_1",
  name: "Orders database outage",
  status: "investigating",
  impact: "major",
  startedAt: new Date("2026-12-07T08:55:00Z"),
  resolvedAt: null,
  rootIds: ["orders-db"],
  impactedIds: ["api"],
  publishedAt: null,
  latestBody: "Investigating.",
};
const ctx: MessageContext = {
  site: { name: "Acme Status", url: "https://status.example.com" },
  components: new Map([
    ["orders-db", { name: "Orders database", group: "Infrastructure", status: "major_outage" }],
    ["api", { name: "Production API", group: null, status: "partial_outage" }],
  ]),
  incident,
  // A run changes no component: its message names no previous status, whatever the changes say.
  statusBefore: () => "operational",
  statuspage: () => ({ page: { id: "p1", status_indicator: "major", status_description: "Partial System Outage" }, incident: null, components: [] }) as never,
};
const approval = { run: "run_0a1b", action: "scale-down", type: "webhook", required: 2, roles: ["responder", "admin"], timeout_at: "2026-12-07T09:30:00.000Z", approve: "/api/v1/actions/runs/run_0a1b/approve" };
const ramp = { run: "run_0c2d", action: "scale-up", type: "ramp", step: 2, of: 5, reason: "error rate 7% above 5%", on_abort_run: "run_0e3f" };
const event = (kind: string, data: Record<string, unknown>, subject: string | null = "inc_1"): DispatchEvent => ({ id: "41", at, kind, subject, data });
const message = (e: DispatchEvent, c: MessageContext = ctx): NotificationMessage => {
  const m = messageFromEvent(e, c);
  if (m === null) throw new Error(`no message for ${e.kind}`);
  return m;
};
const alone: MessageContext = { ...ctx, incident: undefined };

describe("an action run waiting for approval", () => {
  it("names the action, the incident, who may approve, the timeout, and links to the run in the console", () => {
    expect(message(event("action.approval_requested", approval))).toEqual({
      eventId: "41",
      at,
      site: ctx.site,
      kind: "action.approval_requested",
      severity: "minor",
      title: "[Action] scale-down waits for approval (0 of 2)",
      text: [
        "Action scale-down (webhook) for Orders database outage (inc_1) waits for approval: 2 people must approve it, not the one who asked for it.",
        "Who may approve: responder or admin (or a higher role).",
        "Unless approved by 2026-12-07 09:30 UTC, it times out and does not run.",
        "Approve or reject it at https://status.example.com/manage/actions#run-run_0a1b, or: vigil action approve run_0a1b",
      ].join("\n"),
      markdown: null,
      url: "https://status.example.com/manage/actions#run-run_0a1b",
      dedupKey: "run_0a1b",
      incident: { id: "inc_1", name: "Orders database outage", status: "investigating", impact: "major", startedAt: incident.startedAt, resolvedAt: null, rootIds: ["orders-db"], impactedIds: ["api"] },
      components: [
        { id: "orders-db", name: "Orders database", group: "Infrastructure", status: "major_outage", previousStatus: null },
        { id: "api", name: "Production API", group: null, status: "partial_outage", previousStatus: null },
      ],
      labels: { action: "scale-down", run: "run_0a1b" },
    });
  });

  it("outside an incident (the run is its own subject) names none and no component", () => {
    const m = message(event("action.approval_requested", { ...approval, required: 1, roles: ["admin"] }, "run_0a1b"), alone);
    expect(m).toMatchObject({ kind: "action.approval_requested", title: "[Action] scale-down waits for approval (0 of 1)", dedupKey: "run_0a1b", incident: null, components: [] });
    expect(m.text.split("\n").slice(0, 2)).toEqual(["Action scale-down (webhook) waits for approval: 1 person must approve it, not the one who asked for it.", "Who may approve: admin (or a higher role)."]);
    // An incident in the context that is not the event's subject is not this run's.
    expect(message(event("action.approval_requested", approval, "run_0a1b")).incident).toBeNull();
  });

  it("says when its approval did not come in time, and how to ask again", () => {
    const m = message(event("action.approval_timed_out", { run: "run_0a1b", action: "scale-down", type: "webhook", approvals: 1, required: 2, error: "approval timed out with 1 of 2 approvals" }));
    expect(m).toMatchObject({ kind: "action.approval_timed_out", severity: "minor", title: "[Action] scale-down not approved in time (1 of 2)", dedupKey: "run_0a1b", url: "https://status.example.com/manage/actions#run-run_0a1b" });
    expect(m.text).toBe("Action scale-down (webhook) for Orders database outage (inc_1) was not approved in time (1 of 2 approvals): it does not run. If it is still needed, ask for it again: vigil action run scale-down --incident inc_1");
    expect(message(event("action.approval_timed_out", { run: "run_0a1b", action: "scale-down", approvals: 0, required: 1 }, "run_0a1b"), alone).text).toMatch(/ask for it again: vigil action run scale-down$/);
  });
});

describe("a recovery ramp aborted", () => {
  it("says the step, the reason and the on_abort run, for its incident", () => {
    const m = message(event("action.ramp_aborted", ramp));
    expect(m).toMatchObject({ kind: "action.ramp_aborted", severity: "major", title: "[Action] ramp scale-up aborted at step 2 of 5", dedupKey: "run_0c2d", url: "https://status.example.com/manage/actions#run-run_0c2d", incident: { id: "inc_1" }, labels: { action: "scale-up", run: "run_0c2d" } });
    expect(m.components.map((c) => c.id)).toEqual(["orders-db", "api"]);
    expect(m.text).toBe(
      [
        "Recovery ramp scale-up for Orders database outage (inc_1) aborted at step 2 of 5: error rate 7% above 5%.",
        "Its on_abort action was asked for: run run_0e3f.",
        "See the run at https://status.example.com/manage/actions#run-run_0c2d",
      ].join("\n"),
    );
  });

  it("without an incident or an on_abort action says so", () => {
    const m = message(event("action.ramp_aborted", { ...ramp, on_abort_run: null }, "run_0c2d"), alone);
    expect(m).toMatchObject({ title: "[Action] ramp scale-up aborted at step 2 of 5", incident: null, components: [] });
    expect(m.text.split("\n").slice(0, 2)).toEqual(["Recovery ramp scale-up aborted at step 2 of 5: error rate 7% above 5%.", "No on_abort action was asked for."]);
  });

  it("makes no message of the run's other events", () => {
    for (const kind of ["action.run_requested", "action.run_started", "action.run_succeeded", "action.run_failed", "action.approved", "action.rejected", "action.run_cancelled"]) {
      expect(messageFromEvent(event(kind, { run: "run_0a1b", action: "scale-down" }), ctx)).toBeNull();
    }
  });
});

describe("how channels render a run's messages", () => {
  const requested = message(event("action.approval_requested", approval));
  const aborted = message(event("action.ramp_aborted", ramp));
  const timedOut = message(event("action.approval_timed_out", { run: "run_0a1b", action: "scale-down", approvals: 1, required: 2 }));

  it("pages on PagerDuty and Opsgenie once per run, and resolves the request when its approval timed out", () => {
    const pd = PagerDutyConfig.parse({ routing_key: "R0ab12cd34ef56ab78cd90ef12ab34cd" });
    expect(renderPagerDuty(requested, pd)).toMatchObject({
      event_action: "trigger",
      dedup_key: "run_0a1b",
      payload: { summary: "[Action] scale-down waits for approval (0 of 2)", severity: "warning", class: "action.approval_requested", component: "Orders database" },
      links: [{ href: "https://status.example.com/manage/actions#run-run_0a1b", text: "Approve or reject" }],
    });
    expect(renderPagerDuty(aborted, pd)).toMatchObject({ event_action: "trigger", dedup_key: "run_0c2d", payload: { severity: "error" } });
    expect(renderPagerDuty(timedOut, pd)).toEqual({ routing_key: "R0ab12cd34ef56ab78cd90ef12ab34cd", event_action: "resolve", dedup_key: "run_0a1b" });
    const og = OpsgenieConfig.parse({ api_key: "k" });
    expect(renderOpsgenie(requested, og)).toMatchObject({ action: "create", body: { alias: "run_0a1b" } });
    expect(renderOpsgenie(timedOut, og)).toMatchObject({ action: "close", alias: "run_0a1b" });
  });

  it("never sends them in Statuspage's format; Vigil's format carries the link and the incident", () => {
    expect(requested.statuspage).toBeUndefined();
    for (const m of [requested, aborted, timedOut]) expect(statuspageBody(m)).toBeNull();
    expect(vigilBody(requested)).toMatchObject({ event: "action.approval_requested", url: "https://status.example.com/manage/actions#run-run_0a1b", dedup_key: "run_0a1b", incident: { id: "inc_1" } });
  });

  it("says what happened to the run in a chat card and an e-mail, with a button to approve", () => {
    const slack = renderSlack(requested);
    const blocks = JSON.stringify(slack.blocks);
    expect(blocks).toContain("*Status*\\nAction waits for approval");
    expect(slack.blocks.at(-1)).toEqual({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Approve or reject", emoji: true }, url: "https://status.example.com/manage/actions#run-run_0a1b", action_id: "vigil-open" }] });
    expect(JSON.stringify(renderSlack(aborted).blocks)).toContain('"text":"Open the run"');
    const mail = renderEmail(aborted, EmailConfig.parse({ host: "smtp.example.com", from: "vigil@example.com", to: ["oncall@example.com"] }));
    expect(mail.subject).toBe("[Action] ramp scale-up aborted at step 2 of 5");
    expect(mail.text).toContain("Recovery ramp aborted · Acme Status\nhttps://status.example.com/manage/actions#run-run_0c2d");
  });
});
