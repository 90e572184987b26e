import type { CommandInstaller } from "./command.ts";
import type { CliIo } from "./context.ts";
import { runProgram } from "./program.ts";
import { demoCommand } from "./demo.ts";
import { exportCommand } from "./export.ts";
import { incidentCommand } from "./incident.ts";
import { migrateCommand } from "./migrate.ts";
import { notifyCommand } from "./notify.ts";
import { reloadCommand } from "./reload.ts";
import { serveCommand } from "./serve.ts";
import { silenceCommand } from "./silence.ts";
import { actionCommand } from "./action.ts";
import { subscribersCommand } from "./subscribers.ts";
import { tokenCommand } from "./token.ts";
import { userCommand } from "./user.ts";
import { upstreamsCommand } from "./upstreams.ts";
import { clusterCommand } from "./cluster.ts";
import { configCommand } from "./config.ts";
import { agentCommand } from "./agent.ts";
import { validateCommand } from "./validate.ts";
import { windowsCommand } from "./windows.ts";


const installers: CommandInstaller[] = [serveCommand, validateCommand, migrateCommand, tokenCommand, userCommand, reloadCommand, incidentCommand, windowsCommand, exportCommand, configCommand, notifyCommand, silenceCommand, actionCommand, subscribersCommand, upstreamsCommand, clusterCommand, agentCommand, demoCommand];

/** Runs the `vigil` command line and returns its exit code. */
export function main(argv: readonly string[], io?: CliIo): Promise<number> {
  return runProgram(argv, installers, io);
}
