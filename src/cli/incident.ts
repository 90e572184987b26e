import { InvalidArgumentError, Option } from "commander";
import { componentStatuses, type ComponentStatus } from "../incidents/component-status.ts";
import { impacts } from "../incidents/impact.ts";
import { incidentStatuses } from "../incidents/lifecycle.ts";
import type { CommandInstaller } from "./command.ts";
import { exitCodes } from "./exit-codes.ts";
import { renderIncidentDetail, type IncidentDetailJson } from "./incident-show.ts";
import { remoteApi, remoteOptions, type RemoteFlags } from "./remote.ts";

interface IncidentJson {
  id: string;
  name: string;
  status: string;
  impact: string;
  root_components: string[];
  impacted_components: string[];
  started_at: string;
  published_at: string | null;
  resolved_at: string | null;
}

/** `--component api=major_outage`, repeatable. */
function componentStatus(value: string, previous: Record<string, ComponentStatus> = {}): Record<string, ComponentStatus> {
  const [id, status = "major_outage"] = value.split("=");
  if (!id || !(componentStatuses as readonly string[]).includes(status)) {
    throw new InvalidArgumentError(`expected <component>=<status> with status one of ${componentStatuses.join(", ")}`);
  }
  return { ...previous, [id]: status as ComponentStatus };
}

function line(incident: IncidentJson): string {
  const affected = [...incident.root_components, ...incident.impacted_components].join(", ") || "no components";
  return `${incident.id}  ${incident.status.padEnd(13)}  ${incident.impact.padEnd(8)}  ${incident.started_at}  ${incident.name}  [${affected}]${incident.published_at ? "" : "  (draft)"}`;
}

/** `vigil incident list|show|open|update|resolve`: incidents of a running Vigil, through its API. */
export const incidentCommand: CommandInstaller = (program, io, finish) => {
  const incident = program.command("incident").description("list, read, open, update, note and resolve incidents on a running Vigil (VIGIL_URL, VIGIL_TOKEN)");
  const print = (json: boolean | undefined, value: unknown, text: () => string) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : text());

  remoteOptions(incident.command("list").description("incidents, newest first"))
    .option("--open", "unresolved ones only")
    .option("--component <id>", "incidents affecting this component")
    .option("--limit <n>", "how many", "50")
    .option("--json", "print JSON")
    .action(async (flags: RemoteFlags & { open?: boolean; component?: string; limit: string; json?: boolean }) => {
      const query = new URLSearchParams({ limit: flags.limit, ...(flags.open ? { open: "true" } : {}), ...(flags.component ? { component: flags.component } : {}) });
      const { incidents } = (await remoteApi(io, flags).get(`/api/v1/incidents?${query}`)) as { incidents: IncidentJson[] };
      print(flags.json, incidents, () => (incidents.length === 0 ? "no incidents\n" : incidents.map(line).join("\n") + "\n"));
      finish(exitCodes.ok);
    });

  remoteOptions(
    incident
      .command("show")
      .description("an incident: roots, impact, evidence, upstream attribution, the timeline in time order and the updates")
      .argument("<id>", "incident id, e.g. inc_0123456789abcdef"),
  )
    .option("--json", "print the API's incident object (with evidence, metrics and the timeline)")
    .action(async (id: string, flags: RemoteFlags & { json?: boolean }) => {
      const api = remoteApi(io, flags);
      const full = (await api.get(`/api/v1/incidents/${encodeURIComponent(id)}`)) as IncidentDetailJson;
      if (flags.json) {
        print(true, full, () => "");
      } else {
        const { components } = (await api.get("/api/v1/components")) as { components: { id: string; name: string }[] };
        io.stdout(renderIncidentDetail(full, Object.fromEntries(components.map((c) => [c.id, c.name])), line(full)));
      }
      finish(exitCodes.ok);
    });

  remoteOptions(incident.command("open").description("open an incident by hand (published at once unless --draft)"))
    .requiredOption("--name <name>", "title, e.g. \"Elevated API errors\"")
    .requiredOption("--body <markdown>", "the first public message")
    .option("--component <id=status>", "an affected component and its status (repeatable; status defaults to major_outage)", componentStatus)
    .addOption(new Option("--status <status>", "initial status").choices(["investigating", "identified", "monitoring"]))
    .addOption(new Option("--impact <impact>", "impact instead of the derived one").choices(impacts))
    .option("--draft", "keep it unpublished")
    .option("--json", "print JSON")
    .action(async (flags: RemoteFlags & { name: string; body: string; component?: Record<string, ComponentStatus>; status?: string; impact?: string; draft?: boolean; json?: boolean }) => {
      const body = {
        name: flags.name,
        body: flags.body,
        ...(flags.component ? { components: flags.component } : {}),
        ...(flags.status ? { status: flags.status } : {}),
        ...(flags.impact ? { impact: flags.impact } : {}),
        ...(flags.draft ? { publish: false } : {}),
      };
      const created = (await remoteApi(io, flags).send("POST", "/api/v1/incidents", body)) as IncidentJson;
      print(flags.json, created, () => `opened ${line(created)}\n`);
      finish(exitCodes.ok);
    });

  remoteOptions(incident.command("update").description("post an update, optionally with a new status").argument("<id>", "incident id"))
    .requiredOption("--body <markdown>", "the message")
    .addOption(new Option("--status <status>", "new status").choices(incidentStatuses))
    .option("--release", "hand the incident back to automation (no hold)")
    .option("--draft", "do not publish a draft incident with this update")
    .option("--json", "print JSON")
    .action(async (id: string, flags: RemoteFlags & { body: string; status?: string; release?: boolean; draft?: boolean; json?: boolean }) => {
      const body = { body: flags.body, ...(flags.status ? { status: flags.status } : {}), ...(flags.release ? { hold: false } : {}), ...(flags.draft ? { publish: false } : {}) };
      const updated = (await remoteApi(io, flags).send("POST", `/api/v1/incidents/${encodeURIComponent(id)}/updates`, body)) as IncidentJson;
      print(flags.json, updated, () => `updated ${line(updated)}\n`);
      finish(exitCodes.ok);
    });

  remoteOptions(incident.command("note").description("add an internal note to the timeline (never published)").argument("<id>", "incident id"))
    .requiredOption("--body <markdown>", "the note")
    .action(async (id: string, flags: RemoteFlags & { body: string }) => {
      const note = (await remoteApi(io, flags).send("POST", `/api/v1/incidents/${encodeURIComponent(id)}/notes`, { body: flags.body })) as { id: string; at: string };
      io.stdout(`noted on ${id} at ${note.at}\n`);
      finish(exitCodes.ok);
    });

  remoteOptions(incident.command("resolve").description("resolve an incident").argument("<id>", "incident id"))
    .option("--body <markdown>", "the closing message")
    .option("--json", "print JSON")
    .action(async (id: string, flags: RemoteFlags & { body?: string; json?: boolean }) => {
      const resolved = (await remoteApi(io, flags).send("POST", `/api/v1/incidents/${encodeURIComponent(id)}/resolve`, flags.body ? { body: flags.body } : {})) as IncidentJson;
      print(flags.json, resolved, () => `resolved ${line(resolved)}\n`);
      finish(exitCodes.ok);
    });
};
