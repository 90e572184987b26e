import { Writable } from "node:stream";
import { InvalidArgumentError, Option } from "commander";
import { defaultSpeed, demoStories, runDemo, type DemoStory } from "../demo/run.ts";
import type { CommandInstaller } from "./command.ts";
import { packageVersion } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import { portOption } from "./options.ts";

/** `vigil demo`: the story Vigil is built from, replayed in accelerated time against local stand-ins. */
export const demoCommand: CommandInstaller = (program, io, finish) => {
  program
    .command("demo")
    .description("replay a crash-looping database outage against local stand-ins, narrating what Vigil does (about 1½ minutes)")
    .addOption(
      new Option("--story <story>", "crash-loop: the database crash-loops (default); pool: an analytics tool exhausts its connection pool (needs MariaDB)").choices(demoStories),
    )
    .addOption(
      new Option("--speed <n>", `story time runs N times faster than real time (default ${defaultSpeed})`).argParser((text) => {
        const speed = Number(text);
        if (!(Number.isFinite(speed) && speed > 0)) throw new InvalidArgumentError("expected a number above 0");
        return speed;
      }),
    )
    .option("--keep", "leave Vigil and the stand-ins running after the replay, until Ctrl-C")
    .option("--no-mariadb", "use the stand-in TCP database even when MariaDB is installed")
    .addOption(Object.assign(portOption(), { description: "Vigil's port (default: a free one)" }))
    .action(async (flags: { story?: DemoStory; speed?: number; keep?: boolean; mariadb: boolean; port?: number }) => {
      // Ctrl-C (or SIGTERM) stops the replay, or ends a kept demo; everything started is stopped either way.
      // A second signal, while cleaning up, exits at once.
      const controller = new AbortController();
      const now = () => process.exit(exitCodes.failed);
      const onSignal = () => {
        process.once("SIGINT", now);
        controller.abort(new Error("interrupted"));
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        await runDemo({
          out: new Writable({ write: (chunk, _encoding, done) => (io.stdout(String(chunk)), done()) }),
          speed: flags.speed ?? defaultSpeed,
          story: flags.story ?? "crash-loop",
          mariadb: flags.mariadb,
          ...(flags.port !== undefined ? { port: flags.port } : {}),
          keep: flags.keep ?? false,
          signal: controller.signal,
          version: packageVersion(),
          pathVariable: io.env.PATH ?? "",
        });
        finish(exitCodes.ok);
      } catch (error) {
        // Whatever went wrong (a stand-in that would not start, Vigil never getting somewhere), it is cleaned up.
        const why = controller.signal.aborted ? "interrupted" : error instanceof Error ? error.message : String(error);
        io.stderr(`vigil demo: ${why}; everything it started has been stopped\n`);
        finish(exitCodes.failed);
      } finally {
        for (const listener of [onSignal, now]) process.off("SIGINT", listener);
        process.off("SIGTERM", onSignal);
      }
    });
};
