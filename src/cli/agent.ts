import { Option } from "commander";
import { startAgent } from "../agent/run.ts";
import { AgentRefused } from "../agent/client.ts";
import { AppError } from "../core/errors.ts";
import { parseSize } from "../config/size.ts";
import { parseDuration } from "../core/duration.ts";
import { systemClock } from "../core/clock.ts";
import { systemTimers } from "../core/timers.ts";
import type { CommandInstaller } from "./command.ts";
import { commandLogger, packageVersion } from "./io.ts";
import { exitCodes } from "./exit-codes.ts";
import { logOptions } from "./options.ts";
import { remoteApi, remoteOptions, type RemoteFlags } from "./remote.ts";

/** The agents as GET /api/v1/agents answers. */
export interface AgentsJson {
  agents: { id: string; region: string; version: string; hostname: string | null; last_seen: string; state: "live" | "silent"; buffer: { results: number; dropped: number }; checks_per_second: number }[];
}

/** The agents as a table: region, id, state, last seen, buffer, check rate, version, host. */
export function agentsText(answer: AgentsJson): string {
  if (answer.agents.length === 0) return "no agents have reported yet\n";
  const header = ["REGION", "AGENT", "STATE", "LAST SEEN", "BUFFERED", "DROPPED", "CHECKS/S", "VERSION", "HOST"];
  const rows = answer.agents.map((a) => [a.region, a.id, a.state, a.last_seen, String(a.buffer.results), String(a.buffer.dropped), a.checks_per_second.toFixed(2), a.version, a.hostname ?? ""]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join("  ").trimEnd();
  return `${[header, ...rows].map(format).join("\n")}\n`;
}

/** `vigil agent`: a remote probe agent; `vigil agents`: the agents a running Vigil knows. */
export const agentCommand: CommandInstaller = (program, io, finish) => {
  const command = program
    .command("agent")
    .description("run a remote probe agent: check a region's monitors from here and report to Vigil (no database needed)")
    .addOption(new Option("--server <url...>", "a Vigil node's address; give several to fail over between them (default: $VIGIL_URL)"))
    .addOption(new Option("--token <token>", "an agent token (vigil token create --scope agent --region ID); default: $VIGIL_AGENT_TOKEN, which stays out of ps and shell history"))
    .option("--region <id>", "the region it checks from; must be its token's (default: the token's)")
    .option("--data <dir>", "where it keeps its id, its last assignments and unsent results", "./vigil-agent")
    .addOption(new Option("--concurrency <n>", "checks running at once").default(100).argParser((v) => positiveInt(v, "--concurrency")))
    .addOption(new Option("--buffer-size <size>", "the most unsent results kept on disk (oldest dropped first)").default("200MB"))
    .addOption(new Option("--buffer-age <duration>", "unsent results older than this are dropped").default("24h"));
  for (const option of logOptions()) command.addOption(option);
  command.action(async (flags: { server?: string[]; token?: string; region?: string; data: string; concurrency: number; bufferSize: string; bufferAge: string; logFormat?: string; logLevel?: string }) => {
    const servers = flags.server ?? (io.env["VIGIL_URL"] ? [io.env["VIGIL_URL"]] : []);
    if (servers.length === 0) throw new AppError("bad_request", "vigil agent needs --server URL (or $VIGIL_URL): the Vigil node it reports to");
    for (const server of servers) if (!/^https?:\/\/[^\s/]+/i.test(server)) throw new AppError("bad_request", `--server must be an http:// or https:// address, got "${server.slice(0, 80)}"`);
    const token = flags.token ?? io.env["VIGIL_AGENT_TOKEN"];
    if (!token) throw new AppError("bad_request", "vigil agent needs --token or $VIGIL_AGENT_TOKEN: an agent token (vigil token create --scope agent --region ID)");
    const maxBytes = parseSize(flags.bufferSize);
    if (maxBytes === undefined || maxBytes < 1024 * 1024) throw new AppError("bad_request", `--buffer-size must be a size of at least 1MB such as 200MB, got "${flags.bufferSize}"`);
    const maxAgeMs = parseDuration(flags.bufferAge);
    if (maxAgeMs === undefined || maxAgeMs < 60_000) throw new AppError("bad_request", `--buffer-age must be a duration of at least 1m such as 24h, got "${flags.bufferAge}"`);
    const logger = commandLogger(io, flags);
    const agent = await startAgent({
      servers,
      token,
      ...(flags.region === undefined ? {} : { region: flags.region }),
      dataDir: flags.data,
      concurrency: flags.concurrency,
      version: packageVersion(),
      logger,
      clock: systemClock,
      timers: systemTimers,
      limits: { maxBytes, maxAgeMs },
    });
    logger.info({ agent: agent.id, servers, region: flags.region, data: flags.data }, "vigil agent is running");
    // Its timers do not hold the process (they are unref'd): while no node answers, this does.
    const alive = setInterval(() => undefined, 3_600_000);
    const onStop = () => void agent.stop();
    process.once("SIGINT", onStop);
    process.once("SIGTERM", onStop);
    try {
      await agent.done;
      logger.info("agent stopped");
      finish(exitCodes.ok);
    } catch (error) {
      if (error instanceof AgentRefused) {
        io.stderr(`vigil agent: ${error.message}\n`);
        finish(exitCodes.failed);
        return;
      }
      throw error;
    } finally {
      clearInterval(alive);
      process.off("SIGINT", onStop);
      process.off("SIGTERM", onStop);
    }
  });

  remoteOptions(program.command("agents").description("the remote probe agents a running Vigil knows: region, state, last seen, buffer, check rate (VIGIL_URL, VIGIL_TOKEN)"))
    .option("--json", "print JSON")
    .action(async (flags: RemoteFlags & { json?: boolean }) => {
      const answer = (await remoteApi(io, flags).get("/api/v1/agents")) as AgentsJson;
      io.stdout(flags.json ? `${JSON.stringify(answer, null, 2)}\n` : agentsText(answer));
      finish(exitCodes.ok);
    });
};

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new AppError("bad_request", `${flag} must be a whole number of at least 1, got "${value}"`);
  return n;
}
