import { Option } from "commander";
import type { CommandInstaller } from "./command.ts";
import { exitCodes } from "./exit-codes.ts";
import { remoteApi, remoteOptions, type RemoteFlags } from "./remote.ts";

interface WindowJson {
  /** `<component>@<start>`: what `vigil action run --window` takes. */
  id: string;
  component: string;
  incidents: string[];
  start: string;
  confirmed_start: string;
  earliest_possible_start: string | null;
  end: string | null;
  worst_status: string;
  margin_from: string;
  margin_to: string | null;
}

// The id comes last, so that scripts reading the columns before it by position keep working.
const columns = ["component", "start", "confirmed_start", "earliest_possible_start", "end", "worst_status", "margin_from", "margin_to", "incidents", "id"] as const;

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The windows as CSV, one row per window, incidents joined by spaces. */
export function windowsCsv(windows: readonly WindowJson[]): string {
  const rows = windows.map((w) => columns.map((c) => csvField(c === "incidents" ? w.incidents.join(" ") : (w[c] ?? ""))).join(","));
  return [columns.join(","), ...rows].join("\r\n") + "\r\n";
}

/** `vigil windows`: outage windows for reconciliation jobs, from a running Vigil. */
export const windowsCommand: CommandInstaller = (program, io, finish) => {
  remoteOptions(program.command("windows").description("outage windows: when each component was impaired (for reconciliation); VIGIL_URL, VIGIL_TOKEN"))
    .option("--component <id>", "only this component")
    .option("--incident <id>", "only this incident's windows")
    .option("--since <when>", "windows overlapping the time since (ISO time or 7d, 12h, 30m)")
    .option("--until <when>", "… and before (ISO time or 7d, 12h, 30m ago)")
    .option("--margin <ms>", "widen each window by this many milliseconds (default: incidents.window_margin)")
    .addOption(new Option("--format <format>", "output").choices(["table", "json", "csv"]).default("table"))
    .action(async (flags: RemoteFlags & { component?: string; incident?: string; since?: string; until?: string; margin?: string; format: "table" | "json" | "csv" }) => {
      const api = remoteApi(io, flags);
      const query = new URLSearchParams({ ...(flags.margin ? { margin: flags.margin } : {}) });
      let windows: WindowJson[];
      if (flags.incident) {
        windows = ((await api.get(`/api/v1/incidents/${encodeURIComponent(flags.incident)}/windows?${query}`)) as { windows: WindowJson[] }).windows;
        if (flags.component) windows = windows.filter((w) => w.component === flags.component);
      } else {
        if (flags.component) query.set("component", flags.component);
        if (flags.since) query.set("from", flags.since);
        if (flags.until) query.set("to", flags.until);
        windows = ((await api.get(`/api/v1/windows?${query}`)) as { windows: WindowJson[] }).windows;
      }
      if (flags.format === "json") io.stdout(`${JSON.stringify(windows, null, 2)}\n`);
      else if (flags.format === "csv") io.stdout(windowsCsv(windows));
      else if (windows.length === 0) io.stdout("no outage windows\n");
      // The id first (what `vigil action run --window` takes; it names the component), in a column as wide as the longest.
      else for (const w of windows) io.stdout(`${w.id.padEnd(Math.max(...windows.map((x) => x.id.length)))}  ${w.worst_status.padEnd(20)}  ${w.margin_from} → ${w.margin_to ?? "ongoing"}  ${w.incidents.join(" ")}\n`);
      finish(exitCodes.ok);
    });
};
