import type { CommandInstaller } from "./command.ts";
import { exitCodes } from "./exit-codes.ts";
import { remoteApi, remoteOptions, type RemoteFlags } from "./remote.ts";

/** An upstream as GET /api/v1/upstreams lists it. */
export interface UpstreamJson {
  id: string;
  name: string;
  status: string;
  reason: string;
  degraded_since: string | null;
  incident: { title: string; url: string | null; started_at: string } | null;
  matched: string[];
  show_on_status_page: boolean;
  feed: {
    state: "pending" | "ok" | "failing";
    last_success_at: string | null;
    last_attempt_at: string | null;
    last_error: string | null;
    failures: number;
    next_attempt_at: string | null;
  };
}

/** The reason, and the feed's latest error since its last success (the status is then the last one read). */
function reasonText(upstream: UpstreamJson): string {
  const reason = upstream.reason.replaceAll("\n", " ");
  return upstream.feed.last_error === null ? reason : `${reason} (feed: ${upstream.feed.last_error.replaceAll("\n", " ")})`;
}

/** Upstreams as a table with a header; the last column (the reason) is not padded. */
export function upstreamTable(upstreams: readonly UpstreamJson[]): string {
  const header = ["ID", "STATUS", "SINCE", "FEED", "REASON"];
  const rows = upstreams.map((u) => [u.id, u.status, u.degraded_since ?? "-", u.feed.state, reasonText(u)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join("  ").trimEnd();
  return [header, ...rows].map(format).join("\n") + "\n";
}

/** `vigil upstreams`: what the upstream providers' status feeds say, on a running Vigil, through its API. */
export const upstreamsCommand: CommandInstaller = (program, io, finish) => {
  remoteOptions(program.command("upstreams").description("the upstream providers' status from their feeds, and the feeds' health, on a running Vigil (VIGIL_URL, VIGIL_TOKEN)"))
    .option("--refresh", "read the feeds now first (needs a write token)")
    .option("--json", "print JSON")
    .action(async (flags: RemoteFlags & { refresh?: boolean; json?: boolean }) => {
      const api = remoteApi(io, flags);
      const { upstreams } = (flags.refresh ? await api.send("POST", "/api/v1/upstreams/refresh") : await api.get("/api/v1/upstreams")) as { upstreams: UpstreamJson[] };
      io.stdout(flags.json ? `${JSON.stringify(upstreams, null, 2)}\n` : upstreams.length === 0 ? "no upstreams\n" : upstreamTable(upstreams));
      finish(exitCodes.ok);
    });
};
