import { startVigil } from "../app/start.ts";
import { AppError } from "../core/errors.ts";
import { commandLogger, loadForCommand, packageVersion } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import type { CommandInstaller } from "./command.ts";
import { configOption, dataOption, logOptions, portOption } from "./options.ts";

/** `vigil serve`: everything in one process, until SIGTERM or SIGINT. */
export const serveCommand: CommandInstaller = (program, io, finish) => {
  const command = program
    .command("serve")
    .description("run Vigil: API, status page and everything behind them, in one process")
    .addOption(configOption())
    .addOption(dataOption())
    .option("-H, --host <host>", "address to listen on (default: server.host or 127.0.0.1)")
    .addOption(portOption())
    .option("--node-id <id>", "this node's id in a cluster (default: server.node_id, else the host name and port)");
  for (const option of logOptions()) command.addOption(option);
  command.action(async (flags: { config?: string; data?: string; host?: string; port?: number; nodeId?: string; logFormat?: string; logLevel?: string }) => {
    if (flags.nodeId !== undefined && !/^[A-Za-z0-9._:-]{1,100}$/.test(flags.nodeId)) {
      throw new AppError("bad_request", `--node-id must be 1 to 100 letters, digits, dots, colons, underscores or hyphens, got "${flags.nodeId}"`);
    }
    const logger = commandLogger(io, flags);
    const loaded = await loadForCommand(io, flags);
    if (loaded.bundled) logger.info({ file: loaded.file }, "no vigil.yaml here: using the bundled example configuration");
    const { settings } = loaded;
    logger.info({ storage: settings.storageSource, data: settings.databaseUrl ? undefined : settings.dataDir }, "opening the store");
    // The pid file appears before the server is ready: a SIGHUP then must not kill it (the default action).
    const hupWhileStarting = () => logger.warn("SIGHUP while starting: ignored (send it again once Vigil is running)");
    process.on("SIGHUP", hupWhileStarting);
    const vigil = await startVigil({
      config: loaded.config,
      configFile: loaded.file,
      env: loaded.env,
      host: settings.host,
      port: settings.port,
      dataDir: settings.dataDir,
      databaseUrl: settings.databaseUrl,
      logger,
      version: packageVersion(),
      ...(flags.nodeId ? { nodeId: flags.nodeId } : {}),
    });
    // The handlers are in place before the start-up line is out: whoever reads it may signal at once.
    const stopped = new Promise<boolean>((resolve) => {
      const onStop = (signal: NodeJS.Signals) => {
        process.off("SIGHUP", onHup);
        // A second signal while draining means "now".
        process.once("SIGINT", () => process.exit(exitCodes.failed));
        process.once("SIGTERM", () => process.exit(exitCodes.failed));
        vigil.stop(signal).then(
          () => resolve(true),
          (error: unknown) => {
            logger.error({ err: error }, "shutdown failed");
            resolve(false);
          },
        );
      };
      const onHup = () => void vigil.reload("signal:SIGHUP").catch((error: unknown) => logger.error({ err: error }, "reload failed"));
      process.once("SIGINT", onStop);
      process.once("SIGTERM", onStop);
      process.on("SIGHUP", onHup);
      process.off("SIGHUP", hupWhileStarting);
    });
    // The pid is this process's: under `npx` or a shell wrapper, the one a SIGHUP must reach.
    io.stdout(`Vigil is running at ${vigil.url} (pid ${process.pid}; health: ${vigil.url}/healthz, API: ${vigil.url}/api/v1/openapi.json)\n`);
    const clean = await stopped;
    logger.flush();
    finish(clean ? exitCodes.ok : exitCodes.failed);
  });
};
