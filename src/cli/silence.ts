import { InvalidArgumentError, type Command } from "commander";
import { parseDuration } from "../core/duration.ts";
import type { CommandInstaller } from "./command.ts";
import { exitCodes } from "./exit-codes.ts";
import { remoteApi, remoteOptions, type RemoteApi, type RemoteFlags } from "./remote.ts";

interface SilenceJson {
  id: string;
  matchers: { component?: string[]; group?: string[]; severity?: string[]; kind?: string[]; labels?: Record<string, string> };
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  created_at: string;
  state: "pending" | "active" | "expired";
}

interface AddFlags extends RemoteFlags {
  component?: string[];
  group?: string[];
  kind?: string[];
  severity?: string[];
  label?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  duration?: string;
  comment: string;
  createdBy?: string;
  json?: boolean;
}

/** A repeatable option's values, in order. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--label team=payments`, repeatable. */
function label(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError("expected <name>=<value>, such as team=payments");
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

function durationText(value: string): string {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError("expected a duration greater than zero, such as 30m, 2h or 1d");
  return value;
}

/** The matchers in one line: `component=api,web kind=monitor.* label.team=payments`. */
export function matchersText(matchers: SilenceJson["matchers"]): string {
  const parts: string[] = [];
  for (const key of ["component", "group", "severity", "kind"] as const) {
    const values = matchers[key];
    if (values) parts.push(`${key}=${values.join(",")}`);
  }
  for (const [name, value] of Object.entries(matchers.labels ?? {})) parts.push(`label.${name}=${value}`);
  return parts.join(" ");
}

/** Silences as a table with a header; the last column (the comment) is not padded. */
export function silenceTable(silences: readonly SilenceJson[]): string {
  const header = ["ID", "STATE", "STARTS", "ENDS", "CREATED BY", "MATCHERS", "COMMENT"];
  const rows = silences.map((s) => [s.id, s.state, s.starts_at, s.ends_at, s.created_by, matchersText(s.matchers), s.comment.replaceAll("\n", " ")]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join("  ").trimEnd();
  return [header, ...rows].map(format).join("\n") + "\n";
}

function line(silence: SilenceJson): string {
  return `${silence.id} (${silence.state}) ${silence.starts_at} → ${silence.ends_at}: ${matchersText(silence.matchers)}`;
}

/** DELETE through the remote client: its `send` accepts every method at run time, but its type lists only POST, PUT and PATCH. */
function remoteDelete(api: RemoteApi, path: string): Promise<unknown> {
  return (api.send as unknown as (method: "DELETE", path: string) => Promise<unknown>)("DELETE", path);
}

/** `vigil silence add|list|expire`: silences of a running Vigil, through its API. */
export const silenceCommand: CommandInstaller = (program, io, finish) => {
  const silence = program.command("silence").description("add, list and expire notification silences on a running Vigil (VIGIL_URL, VIGIL_TOKEN)");
  const print = (json: boolean | undefined, value: unknown, text: () => string) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : text());

  const add: Command = remoteOptions(silence.command("add").description("silence the notifications that match every condition given, from now (or --starts-at) for --duration or until --ends-at"))
    .option("--component <id>", "a component of the message (repeatable: any of them)", collect)
    .option("--group <name>", "a component group of the message (repeatable)", collect)
    .option("--kind <kind>", "a message kind or glob, such as 'monitor.*'; '*' silences everything (repeatable)", collect)
    .option("--severity <severity>", "a severity, or a minimum such as '>=major' (repeatable)", collect)
    .option("--label <name=value>", "a label the message carries with this value (repeatable)", label)
    .option("--duration <duration>", "how long, such as 2h or 30m", durationText)
    .option("--starts-at <time>", "start, ISO 8601 with a zone (default: now)")
    .option("--ends-at <time>", "end, ISO 8601 with a zone (instead of --duration)")
    .requiredOption("--comment <text>", "why, such as \"deploy of api 4.2\"")
    .option("--created-by <name>", "who (default: the token)")
    .option("--json", "print JSON");
  add.action(async (flags: AddFlags) => {
    if (!flags.component && !flags.group && !flags.kind && !flags.severity && !flags.label) {
      add.error("error: give at least one of --component, --group, --kind, --severity, --label (--kind '*' silences everything)");
    }
    if ((flags.duration === undefined) === (flags.endsAt === undefined)) add.error("error: give either --duration or --ends-at");
    const severity = flags.severity?.length === 1 && flags.severity[0]?.startsWith(">=") ? flags.severity[0] : flags.severity;
    const body = {
      matchers: {
        ...(flags.component ? { component: flags.component } : {}),
        ...(flags.group ? { group: flags.group } : {}),
        ...(severity ? { severity } : {}),
        ...(flags.kind ? { kind: flags.kind } : {}),
        ...(flags.label ? { labels: flags.label } : {}),
      },
      comment: flags.comment,
      ...(flags.startsAt ? { starts_at: flags.startsAt } : {}),
      ...(flags.endsAt ? { ends_at: flags.endsAt } : {}),
      ...(flags.duration ? { duration: flags.duration } : {}),
      ...(flags.createdBy ? { created_by: flags.createdBy } : {}),
    };
    const created = (await remoteApi(io, flags).send("POST", "/api/v1/silences", body)) as SilenceJson;
    print(flags.json, created, () => `silenced ${line(created)}\n`);
    finish(exitCodes.ok);
  });

  remoteOptions(silence.command("list").description("active and pending silences, by start"))
    .option("--all", "expired ones too")
    .option("--json", "print JSON")
    .action(async (flags: RemoteFlags & { all?: boolean; json?: boolean }) => {
      const { silences } = (await remoteApi(io, flags).get(`/api/v1/silences${flags.all ? "?state=all" : ""}`)) as { silences: SilenceJson[] };
      print(flags.json, silences, () => (silences.length === 0 ? "no silences\n" : silenceTable(silences)));
      finish(exitCodes.ok);
    });

  remoteOptions(silence.command("expire").description("end a silence now").argument("<id>", "silence id, e.g. sil_0123456789abcdef"))
    .option("--json", "print JSON")
    .action(async (id: string, flags: RemoteFlags & { json?: boolean }) => {
      const expired = (await remoteDelete(remoteApi(io, flags), `/api/v1/silences/${encodeURIComponent(id)}`)) as SilenceJson;
      print(flags.json, expired, () => `expired ${line(expired)}\n`);
      finish(exitCodes.ok);
    });
};
