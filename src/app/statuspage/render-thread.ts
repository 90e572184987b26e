import { parentPort } from "node:worker_threads";
import { renderSite } from "../../statuspage/render/site.ts";
import { buildPageView, type ViewInput } from "../../statuspage/view/build.ts";
import { buildSnapshot, type Artifact, type Snapshot } from "./snapshot.ts";

/** A render's result as it crosses threads: every path, and the artifacts that changed since the last one. */
export interface RenderReply {
  paths: string[];
  changed: [string, Artifact][];
}

// Runs in a worker thread: building the view, rendering every file and compressing them takes a few hundred
// milliseconds on a large page, which the HTTP thread must not spend while a crowd is reading the page.
let previous: Snapshot | undefined;
parentPort?.on("message", (input: ViewInput) => {
  void (async () => {
    try {
      const view = buildPageView(input);
      const snapshot = await buildSnapshot(renderSite(view), input.now, previous);
      const changed = [...snapshot.files].filter(([path, artifact]) => previous?.files.get(path) !== artifact);
      previous = snapshot;
      parentPort?.postMessage({ ok: true, reply: { paths: [...snapshot.files.keys()], changed } satisfies RenderReply });
    } catch (error) {
      parentPort?.postMessage({ ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  })();
});
