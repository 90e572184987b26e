/**
 * Responders' messages about runbook actions' runs (docs/actions.md): a run waiting for people's approval, one whose
 * approval did not come in time, and a recovery ramp that aborted (a step's run or its health gate failed). They go to the team's channels only
 * (never to subscribers or a Statuspage-format webhook), each linking to the run in the console.
 */
import type { MessageComponent, MessageKind, NotificationMessage, Severity } from "./types.ts";

/** What a run's message reads of its timeline event (a DispatchEvent of message.ts). */
export interface ActionEvent {
  kind: string;
  subject: string | null;
  data: Record<string, unknown>;
}

/** An incident as a run's message reads it (message.ts's IncidentContext extends it). */
export interface ActionIncident {
  id: string;
  name: string;
  status: string;
  impact: string;
  startedAt: Date;
  resolvedAt: Date | null;
  rootIds: string[];
  impactedIds: string[];
}

/** What a run's message reads besides its event (a part of message.ts's MessageContext). */
export interface ActionMessageContext {
  site: { name: string; url: string };
  components: ReadonlyMap<string, { name: string; group: string | null; status: string }>;
  /** The event's subject, when that is an incident. */
  incident?: ActionIncident | undefined;
}

/** The timeline event kinds of actions' runs that make a message (the others: requested, started, approved… do not). */
export const actionMessageKinds: ReadonlySet<string> = new Set<MessageKind>(["action.approval_requested", "action.approval_timed_out", "action.ramp_aborted"]);

/** The console's page of a run: the runs' list at its row (`/manage/actions#run-<id>`). */
export function runConsoleUrl(siteUrl: string, runId: string): string {
  return `${siteUrl}/manage/actions#run-${encodeURIComponent(runId)}`;
}

/**
 * The message of an action run's event, or null for another kind. The event's subject is the run's incident, or the
 * run itself outside incidents; `ctx.incident` is that incident when there is one, and gives the message its incident
 * and components (their status now: a run changes none). The dedup key is the run's id, so a receiver such as
 * PagerDuty keeps one alert per run.
 *
 * - `action.approval_requested` (minor): who may approve, by when, and where: the console's row of the run, or
 *   `vigil action approve RUN`.
 * - `action.approval_timed_out` (minor): the run will not run; how to ask again.
 * - `action.ramp_aborted` (major): the step the ramp stopped at, why, and whether its `on_abort` action was asked for.
 */
export function actionMessage(event: ActionEvent, ctx: ActionMessageContext, base: Pick<NotificationMessage, "eventId" | "at" | "site" | "labels">): NotificationMessage | null {
  if (!actionMessageKinds.has(event.kind)) return null;
  const d = event.data;
  const run = text(d["run"]) ?? event.subject ?? "";
  const action = text(d["action"]) ?? "?";
  // The subject is the run's incident, unless it is the run itself.
  const incident = ctx.incident !== undefined && event.subject !== null && event.subject !== run && ctx.incident.id === event.subject ? ctx.incident : undefined;
  const forIncident = incident === undefined ? "" : ` for ${incident.name} (${incident.id})`;
  const url = runConsoleUrl(ctx.site.url, run);
  const common = {
    ...base,
    markdown: null,
    url,
    dedupKey: run,
    incident: incident === undefined ? null : incidentOf(incident),
    components: incident === undefined ? [] : componentsOf(incident, ctx),
    labels: { action, run },
  };
  if (event.kind === "action.approval_requested") {
    const required = count(d["required"]) ?? 1;
    const roles = Array.isArray(d["roles"]) ? d["roles"].filter((r): r is string => typeof r === "string") : [];
    const timeout = date(d["timeout_at"]);
    return {
      ...common,
      kind: "action.approval_requested",
      severity: "minor",
      title: `[Action] ${action} waits for approval (0 of ${required})`,
      text: [
        `Action ${action}${typeLabel(d)}${forIncident} waits for approval: ${required === 1 ? "1 person" : `${required} people`} must approve it, not the one who asked for it.`,
        `Who may approve: ${roles.length === 0 ? "responder" : roles.join(" or ")} (or a higher role).`,
        timeout === null ? "" : `Unless approved by ${utc(timeout)}, it times out and does not run.`,
        `Approve or reject it at ${url}, or: vigil action approve ${run}`,
      ]
        .filter((line) => line !== "")
        .join("\n"),
    };
  }
  if (event.kind === "action.approval_timed_out") {
    const approvals = count(d["approvals"]) ?? 0;
    const required = count(d["required"]) ?? 1;
    return {
      ...common,
      kind: "action.approval_timed_out",
      severity: "minor",
      title: `[Action] ${action} not approved in time (${approvals} of ${required})`,
      text: `Action ${action}${typeLabel(d)}${forIncident} was not approved in time (${approvals} of ${required} approvals): it does not run. If it is still needed, ask for it again: vigil action run ${action}${incident === undefined ? "" : ` --incident ${incident.id}`}`,
    };
  }
  const step = count(d["step"]);
  const of = count(d["of"]);
  const reason = text(d["reason"]);
  const onAbort = text(d["on_abort_run"]);
  const at = step === null ? "" : ` at step ${step}${of === null ? "" : ` of ${of}`}`;
  return {
    ...common,
    kind: "action.ramp_aborted",
    severity: "major",
    title: `[Action] ramp ${action} aborted${at}`,
    text: [
      `Recovery ramp ${action}${forIncident} aborted${at}${reason === null ? "" : `: ${reason.replace(/\.$/, "")}`}.`,
      onAbort === null ? "No on_abort action was asked for." : `Its on_abort action${text(d["on_abort_action"]) === null ? "" : ` ${text(d["on_abort_action"])}`} was asked for: run ${onAbort}.`,
      `See the run at ${url}`,
    ].join("\n"),
  };
}

/** The incident as a message carries it. */
function incidentOf(incident: ActionIncident): NonNullable<NotificationMessage["incident"]> {
  const impact = (["none", "minor", "major", "critical"] as const).find((s) => s === incident.impact) ?? "none";
  return { id: incident.id, name: incident.name, status: incident.status, impact: impact satisfies Severity, startedAt: incident.startedAt, resolvedAt: incident.resolvedAt, rootIds: incident.rootIds, impactedIds: incident.impactedIds };
}

/** The incident's components, roots first, with their status now (a run's event changes none: no previous status). */
function componentsOf(incident: ActionIncident, ctx: ActionMessageContext): MessageComponent[] {
  return [...new Set([...incident.rootIds, ...incident.impactedIds])].map((id) => {
    const c = ctx.components.get(id);
    return { id, name: c?.name ?? id, group: c?.group ?? null, status: c?.status ?? "operational", previousStatus: null };
  });
}

/** ` (webhook)`: the action's type, when the event says it. */
function typeLabel(d: Record<string, unknown>): string {
  const type = text(d["type"]);
  return type === null ? "" : ` (${type})`;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : null;
}

function date(value: unknown): Date | null {
  return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? new Date(value) : null;
}

/** `2026-12-07 09:30 UTC`. */
function utc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
