import { agentCommand } from "./agent.ts";
import type { CliIo } from "./io.ts";
import { runProgram } from "./program.ts";

/**
 * `vigil agent` and `vigil agents` alone: bin/vigil.js starts here for them, so that an agent does not load the
 * server, the status page and every other command (its idle memory: docs/performance.md).
 */
export function agentMain(argv: readonly string[], io?: CliIo): Promise<number> {
  return runProgram(argv, [agentCommand], io);
}
