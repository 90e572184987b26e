import type { Logger } from "pino";
import { AppError } from "../core/errors.ts";
import type { Timers } from "../core/timers.ts";

/** One step of a shutdown, named for the log and for the error when it never ends. */
export interface ShutdownStep {
  name: string;
  run(): Promise<void>;
}

/**
 * Runs the steps in order; a step that fails is logged and the next one runs all the same (a failed hand-over must not
 * keep the store open). The whole shutdown is bounded: past `deadlineMs` it rejects naming the step still running, so
 * that the process exits (and the operator reads what hung) instead of waiting forever on, say, a connection the
 * network dropped without a word.
 */
export function runShutdown(steps: ShutdownStep[], options: { deadlineMs: number; timers: Timers; logger: Logger }): Promise<void> {
  const { timers, logger } = options;
  let current = "starting";
  let failed: unknown;
  const work = (async () => {
    for (const step of steps) {
      current = step.name;
      const startedAt = performance.now();
      try {
        await step.run();
        logger.debug({ step: step.name, ms: Math.round(performance.now() - startedAt) }, "shutdown step done");
      } catch (error) {
        failed ??= error;
        logger.error({ err: error, step: step.name }, "shutdown step failed");
      }
    }
    if (failed !== undefined) throw failed;
  })();
  let timer: unknown;
  const deadline = new Promise<never>((_, reject) => {
    timer = timers.setTimeout(() => {
      reject(new AppError("internal", `shutdown did not finish within ${Math.round(options.deadlineMs / 1000)} s: still ${current}`));
    }, options.deadlineMs);
  });
  return Promise.race([work, deadline]).finally(() => timers.clearTimeout(timer));
}
