import path from "node:path";
import { gatherViewInput, publicUrlOf } from "../app/statuspage/gather.ts";
import { writeSiteDir } from "../app/statuspage/export.ts";
import { buildSnapshot } from "../app/statuspage/snapshot.ts";
import { systemClock } from "../core/clock.ts";
import { renderSite } from "../statuspage/render/site.ts";
import { buildPageView } from "../statuspage/view/build.ts";
import { openStore } from "../store/open.ts";
import type { CommandInstaller } from "./command.ts";
import { commandLogger, loadForCommand } from "./context.ts";
import { exitCodes } from "./exit-codes.ts";
import { configOption, dataOption } from "./options.ts";

/** `vigil export --out DIR`: the whole public site as static files, from the store. */
export const exportCommand: CommandInstaller = (program, io, finish) => {
  program
    .command("export")
    .description("write the public status page (HTML, v2 JSON, feeds, badges, widget) as static files, from the store")
    .requiredOption("-o, --out <dir>", "directory to write (created if needed; Vigil owns it: files it did not write are removed)")
    .addOption(configOption())
    .addOption(dataOption())
    .action(async (flags: { out: string; config?: string; data?: string }) => {
      const { config, settings } = await loadForCommand(io, flags);
      const store = await openStore({ url: settings.databaseUrl, dataDir: settings.dataDir, logger: commandLogger(io, { logLevel: "warn" }) });
      try {
        const now = systemClock.now();
        const publicUrl = publicUrlOf(config, `http://${settings.host}:${settings.port}`);
        // Component statuses as last recorded on the timeline: no checks run here.
        const view = buildPageView(await gatherViewInput(store, config, { now, publicUrl, fromConfig: true }));
        const dir = path.resolve(io.cwd, flags.out);
        const count = await writeSiteDir(dir, await buildSnapshot(renderSite(view), now));
        io.stdout(`wrote ${count} files to ${dir} (${view.status.description}; ${view.incidents.length} incidents)\n`);
      } finally {
        await store.close();
      }
      finish(exitCodes.ok);
    });
};
