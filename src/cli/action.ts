import { InvalidArgumentError } from "commander";
import { actionRunStatuses, type ActionRunStatus } from "../actions/types.ts";
import type { CommandInstaller } from "./command.ts";
import { exitCodes } from "./exit-codes.ts";
import { remoteApi, remoteOptions, type RemoteFlags } from "./remote.ts";

/** A run as GET /api/v1/actions/runs answers it. */
export interface ActionRunJson {
  id: string;
  action: string;
  type: string;
  incident: string | null;
  idempotency_key: string;
  status: ActionRunStatus;
  attempts: number;
  next_attempt_at: string | null;
  deadline_at: string;
  requested_by: string;
  approvals_required: number;
  approval_timeout_at: string | null;
  /** A reconciliation's window (its component and start), or the ramp step that asked for the run. */
  params: { window?: { component: string; start: string }; step?: Record<string, unknown> } | null;
  output: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** How often `--wait` asks how a run stands. */
const waitPollMs = 500;

function statusText(value: string): string {
  if (!(actionRunStatuses as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${actionRunStatuses.join(", ")}`);
  return value;
}

/** Runs as a table with a header; the last column (the last error) is not padded. */
export function runTable(runs: readonly ActionRunJson[]): string {
  const header = ["ID", "ACTION", "INCIDENT", "STATUS", "ATTEMPTS", "CREATED", "REQUESTED BY", "LAST ERROR"];
  const rows = runs.map((r) => [r.id, r.action, r.incident ?? "-", r.status, String(r.attempts), r.created_at, r.requested_by, (r.last_error ?? "").replaceAll("\n", " ")]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join("  ").trimEnd();
  return [header, ...rows].map(format).join("\n") + "\n";
}

/** One line: `run_… scale-down for inc_…: succeeded after 2 attempts` (`for orders-db@… (inc_…)` for a window's run). */
function line(run: ActionRunJson): string {
  const window = run.params?.window;
  const incident = run.incident === null ? "" : ` for ${run.incident}`;
  const target = window === undefined ? incident : ` for ${window.component}@${window.start}${run.incident === null ? "" : ` (${run.incident})`}`;
  const attempts = run.attempts === 0 ? "" : ` after ${run.attempts} attempt${run.attempts === 1 ? "" : "s"}`;
  const error = run.last_error === null || run.status === "succeeded" ? "" : `: ${run.last_error}`;
  return `${run.id} ${run.action}${target}: ${run.status.replace("_", " ")}${attempts}${error}`;
}

const over = (run: ActionRunJson) => run.status !== "pending" && run.status !== "running" && run.status !== "waiting_approval";

/** `vigil action run|runs|cancel|approve|reject`: runbook actions of a running Vigil, through its API. */
export const actionCommand: CommandInstaller = (program, io, finish) => {
  const action = program.command("action").description("run runbook actions and list their runs on a running Vigil (VIGIL_URL, VIGIL_TOKEN)");
  const print = (json: boolean | undefined, value: unknown, text: () => string) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : text());

  remoteOptions(action.command("run").description("run an action now (attempted by the leader, retried until its deadline)").argument("<id>", "action id, from actions.definitions"))
    .option("--incident <id>", "the incident it runs for (its facts are sent to the action)")
    .option("--window <id>", "a closed outage window it runs for, as vigil windows lists it (<component>@<start>): replays a reconciliation; the incident is the window's unless --incident is given")
    .option("--wait", "wait until the run is over, and exit 1 unless it succeeded")
    .option("--json", "print JSON")
    .action(async (id: string, flags: RemoteFlags & { incident?: string; window?: string; wait?: boolean; json?: boolean }) => {
      const api = remoteApi(io, flags);
      let run = (await api.send("POST", "/api/v1/actions/runs", { action: id, incident: flags.incident ?? null, ...(flags.window !== undefined ? { window: flags.window } : {}) })) as ActionRunJson;
      if (flags.wait) {
        while (!over(run)) {
          await new Promise((resolve) => setTimeout(resolve, waitPollMs));
          run = (await api.get(`/api/v1/actions/runs/${encodeURIComponent(run.id)}`)) as ActionRunJson;
        }
      }
      print(flags.json, run, () => `${line(run)}\n${flags.wait && run.output ? `${run.output.endsWith("\n") ? run.output : `${run.output}\n`}` : ""}`);
      finish(flags.wait && run.status !== "succeeded" ? exitCodes.failed : exitCodes.ok);
    });

  remoteOptions(action.command("cancel").description("cancel a run that is not over: not attempted (again), or its attempt under way aborted").argument("<run>", "run id, e.g. run_0123456789abcdef"))
    .option("--json", "print JSON")
    .action(async (id: string, flags: RemoteFlags & { json?: boolean }) => {
      const run = (await remoteApi(io, flags).send("POST", `/api/v1/actions/runs/${encodeURIComponent(id)}/cancel`)) as ActionRunJson;
      print(flags.json, run, () => `${line(run)}\n`);
      finish(exitCodes.ok);
    });

  for (const decision of ["approve", "reject"] as const) {
    const description = decision === "approve" ? "approve a run waiting for approval (as a person: a token of yours, not a service's)" : "reject a run waiting for approval: it never runs";
    remoteOptions(action.command(decision).description(description).argument("<run>", "run id, e.g. run_0123456789abcdef"))
      .option("--comment <text>", "why, kept with the decision and on the timeline")
      .option("--json", "print JSON")
      .action(async (id: string, flags: RemoteFlags & { comment?: string; json?: boolean }) => {
        const run = (await remoteApi(io, flags).send("POST", `/api/v1/actions/runs/${encodeURIComponent(id)}/${decision}`, { comment: flags.comment ?? null })) as ActionRunJson;
        print(flags.json, run, () => `${line(run)}\n`);
        finish(exitCodes.ok);
      });
  }

  remoteOptions(action.command("runs").description("runs of actions, newest first"))
    .option("--incident <id>", "only this incident's")
    .option("--action <id>", "only this action's")
    .option("--status <status>", `only those with this status (${actionRunStatuses.join(", ")})`, statusText)
    .option("--limit <n>", "at most this many (default 100)")
    .option("--json", "print JSON")
    .action(async (flags: RemoteFlags & { incident?: string; action?: string; status?: string; limit?: string; json?: boolean }) => {
      const query = new URLSearchParams();
      if (flags.incident) query.set("incident", flags.incident);
      if (flags.action) query.set("action", flags.action);
      if (flags.status) query.set("status", flags.status);
      if (flags.limit) query.set("limit", flags.limit);
      const text = query.toString();
      const { runs } = (await remoteApi(io, flags).get(`/api/v1/actions/runs${text ? `?${text}` : ""}`)) as { runs: ActionRunJson[] };
      print(flags.json, runs, () => (runs.length === 0 ? "no action runs\n" : runTable(runs)));
      finish(exitCodes.ok);
    });
};
