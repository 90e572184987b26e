import path from "node:path";
import { socketPathOf } from "../app/local-socket.ts";
import { formatConfigIssues, type ConfigIssue } from "../config/index.ts";
import { AppError, isAppError } from "../core/errors.ts";
import type { CommandInstaller } from "./command.ts";
import { loadForCommand } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import { askLocal } from "./local.ts";
import { configOption, dataOption } from "./options.ts";
import { remoteApi, remoteOptions, type RemoteFlags } from "./remote.ts";

type ReloadFlags = RemoteFlags & { config?: string; data?: string; json?: boolean };
type Applied = { file: string; added: string[]; changed: string[]; removed: string[] };

/**
 * `vigil reload`: the running server re-reads its configuration file. On this machine, over the local socket in the data
 * dir of the embedded store (no token needed); with --url, --token, or VIGIL_TOKEN and no --data, through the API.
 */
export const reloadCommand: CommandInstaller = (program, io, finish) => {
  remoteOptions(
    program
      .command("reload")
      .description("make a running Vigil re-read its configuration: over the local socket in its data dir, or through the API with --token/VIGIL_TOKEN")
      .addOption(configOption())
      .addOption(dataOption()),
  )
    .option("--json", "print JSON")
    .action(async (flags: ReloadFlags) => {
      let applied: Applied;
      try {
        applied = (await (viaApi(io.env, flags) ? remoteApi(io, flags).send("POST", "/api/v1/reload") : viaSocket(flags))) as Applied;
      } catch (error) {
        // main prints no config_invalid error (a command's own file errors are printed as they are found): say it here.
        if (!isAppError(error) || error.code !== "config_invalid") throw error;
        const places = error.details.length === 0 ? "" : `${formatConfigIssues(error.details as readonly ConfigIssue[])}\n`;
        io.stderr(`vigil: ${error.message}\n${places}`);
        finish(exitCodes.failed);
        return;
      }
      if (flags.json) io.stdout(JSON.stringify(applied) + "\n");
      else io.stdout(`reloaded ${applied.file}: added ${list(applied.added)}, changed ${list(applied.changed)}, removed ${list(applied.removed)}\n`);
      finish(exitCodes.ok);
    });

  async function viaSocket(flags: ReloadFlags): Promise<unknown> {
    // The data dir is all the socket needs: with --data, a configuration being edited is not read here.
    let dataDir = flags.data === undefined ? undefined : path.resolve(io.cwd, flags.data);
    if (dataDir === undefined) {
      const { settings } = await loadForCommand(io, flags);
      if (settings.databaseUrl !== undefined) {
        throw new AppError("bad_request", "on PostgreSQL, `vigil reload` goes through the API: set VIGIL_TOKEN (an admin token from `vigil token create --scope admin`) and VIGIL_URL, or send SIGHUP to the server's pid");
      }
      dataDir = settings.dataDir;
    }
    const answer = await askLocal(dataDir, { op: "reload" });
    if (answer === undefined) {
      throw new AppError("store_unavailable", `no Vigil answers on ${socketPathOf(dataDir)}: is \`vigil serve\` running with this data dir (--data)? To reload one elsewhere, set VIGIL_URL and VIGIL_TOKEN`);
    }
    return answer;
  }
};

// --url or --token: the API; --data: the socket; else VIGIL_TOKEN, when set, picks the API.
function viaApi(env: Record<string, string | undefined>, flags: ReloadFlags): boolean {
  if (flags.url !== undefined || flags.token !== undefined) return true;
  return flags.data === undefined && Boolean(env["VIGIL_TOKEN"]);
}

function list(ids: readonly string[]): string {
  return ids.length === 0 ? "none" : ids.join(", ");
}
