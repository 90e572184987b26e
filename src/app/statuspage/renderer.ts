import { Worker } from "node:worker_threads";
import type { Logger } from "../../observability/logger.ts";
import { renderSite } from "../../statuspage/render/site.ts";
import { buildPageView, type ViewInput } from "../../statuspage/view/build.ts";
import type { RenderReply } from "./render-thread.ts";
import { buildSnapshot, type Artifact, type Snapshot } from "./snapshot.ts";

type Message = { ok: true; reply: RenderReply } | { ok: false; message: string };

/** Where renders run: in a worker thread once one takes longer than this in the main thread, always, or never. */
export type RenderThreadMode = "auto" | "always" | "never";

/** In `auto`, a render that keeps the main thread busy longer than this moves the next ones to a worker thread. */
export const threadAfterMs = 25;

/**
 * Renders the site. A small page renders in a few milliseconds, in this thread; a large one (hundreds of
 * components) takes hundreds, which the HTTP thread must not spend while a crowd reads the page: in `auto`
 * mode a render (after the first, which runs cold) that takes longer than `threadAfterMs` moves rendering
 * to a worker thread for good (a thread costs about 100 MB, so small pages do without). Falls back to this thread when the
 * worker cannot run.
 */
export class SiteRenderer {
  readonly #logger: Logger;
  readonly #mode: RenderThreadMode;
  #useThread: boolean;
  #worker: Worker | undefined;
  #failed = false;
  #renders = 0;
  #waiting: { resolve: (m: Message) => void; reject: (e: Error) => void } | undefined;

  constructor(logger: Logger, mode: RenderThreadMode = "auto") {
    this.#logger = logger;
    this.#mode = mode;
    this.#useThread = mode === "always";
  }

  /** Whether renders run in the worker thread (false after it failed and rendering fell back to this thread). */
  get threaded(): boolean {
    return this.#worker !== undefined && !this.#failed;
  }

  /** The snapshot for `input`, reusing `previous`'s unchanged artifacts. One render at a time. */
  async render(input: ViewInput, previous: Snapshot | undefined): Promise<Snapshot> {
    const worker = this.#failed || !this.#useThread ? undefined : this.#start();
    if (worker === undefined) {
      const started = performance.now();
      const files = renderSite(buildPageView(input));
      const busyMs = performance.now() - started;
      // The first render runs cold (code not yet optimised): only later ones say how long rendering takes.
      if (this.#mode === "auto" && !this.#useThread && ++this.#renders > 1 && busyMs > threadAfterMs) {
        this.#useThread = true;
        this.#logger.info({ ms: Math.round(busyMs) }, "the status page takes long to render: rendering in a worker thread from now on");
      }
      return buildSnapshot(files, input.now, previous);
    }
    const message = await new Promise<Message>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      worker.postMessage(input);
    });
    if (!message.ok) throw new Error(`rendering the status page failed: ${message.message}`);
    const files = new Map<string, Artifact>();
    const changed = new Map(message.reply.changed);
    for (const path of message.reply.paths) {
      const artifact = changed.get(path) ?? previous?.files.get(path);
      if (artifact) files.set(path, revive(artifact));
    }
    return { files, generatedAt: input.now };
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #start(): Worker | undefined {
    if (this.#worker) return this.#worker;
    try {
      const worker = new Worker(new URL("./render-worker.mjs", import.meta.url));
      worker.unref();
      worker.on("message", (m: Message) => {
        const waiting = this.#waiting;
        this.#waiting = undefined;
        waiting?.resolve(m);
      });
      const fail = (error: Error) => {
        this.#logger.warn({ err: error }, "the status page's render thread stopped: rendering in the main thread");
        this.#failed = true;
        this.#worker = undefined;
        const waiting = this.#waiting;
        this.#waiting = undefined;
        waiting?.reject(error);
      };
      worker.on("error", fail);
      worker.on("exit", (code) => {
        if (this.#worker === worker && code !== 0) fail(new Error(`render thread exited with code ${code}`));
      });
      this.#worker = worker;
      return worker;
    } catch (error) {
      this.#logger.warn({ err: error }, "no render thread: rendering the status page in the main thread");
      this.#failed = true;
      return undefined;
    }
  }
}

/** Buffers come back from another thread as plain Uint8Arrays. */
function revive(artifact: Artifact): Artifact {
  const buffer = (bytes: Uint8Array | null) => (bytes === null || Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { ...artifact, body: buffer(artifact.body) as Buffer, gzip: buffer(artifact.gzip), br: buffer(artifact.br) };
}
