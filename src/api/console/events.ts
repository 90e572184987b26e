/**
 * The overview's live updates: server-sent events at /manage/events. A client gets the overview's live parts at
 * once, then again after each change this node learns of (LivePort: the engine's changes on the leader, the leader's
 * NOTIFY on the other nodes, a silence made anywhere), rendered once for all the node's clients. A client whose
 * session has ended is told so and let go, at the next change or at the next keep-alive, whichever comes first.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { gatherOverview, type OverviewDeps, type OverviewView } from "./overview.ts";
import { describeChanges, overviewSections } from "./overview-page.ts";
import { nonPagePolicy } from "../public/security-headers.ts";
import { systemTimers, type Timers } from "../../core/timers.ts";

/**
 * How often an idle stream gets a comment, so that proxies and the server's socket timeout keep it open; its session is
 * checked each time, so a stream outlives its session by at most this long even when nothing changes.
 */
export const keepAliveMs = 15_000;

/** One connected browser. */
export interface FeedClient {
  send(event: string, data: unknown): void;
  /** Whether its session is still alive (checked before each update). */
  signedIn(): Promise<boolean>;
  end(): void;
}

/** The node's overview stream: one render per change, sent to every client. */
export class OverviewFeed {
  readonly #deps: OverviewDeps;
  readonly #logger: FastifyBaseLogger;
  readonly #clients = new Set<FeedClient>();
  #view: OverviewView | undefined;
  #sent = "";
  #running: Promise<void> | undefined;
  #again = false;
  #unsubscribe: (() => void) | undefined;

  constructor(deps: OverviewDeps, logger: FastifyBaseLogger) {
    this.#deps = deps;
    this.#logger = logger;
  }

  /** Adds a client and sends it the overview now. */
  async add(client: FeedClient): Promise<void> {
    this.#clients.add(client);
    this.#unsubscribe ??= this.#deps.live?.subscribe(() => this.changed());
    const view = await gatherOverview(this.#deps);
    // The first client's view is what the next update's announcements are told against.
    this.#view ??= view;
    client.send("overview", { sections: overviewSections(view), announce: [] });
  }

  remove(client: FeedClient): void {
    this.#clients.delete(client);
    if (this.#clients.size > 0) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#view = undefined;
    this.#sent = "";
  }

  /** Something changed: render again (once, however many changes arrive meanwhile) and send what differs. */
  changed(): Promise<void> {
    if (this.#clients.size === 0) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop()
      .catch((error: unknown) => this.#logger.error({ err: error }, "updating the console's overview failed"))
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Ends every stream (the server is stopping). */
  close(): void {
    for (const client of [...this.#clients]) {
      client.end();
      this.remove(client);
    }
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      const view = await gatherOverview(this.#deps);
      const sections = overviewSections(view);
      const { asof: _asof, ...content } = sections;
      const key = JSON.stringify(content);
      const before = this.#view;
      this.#view = view;
      if (key === this.#sent) continue;
      this.#sent = key;
      const message = { sections, announce: before ? describeChanges(before, view) : [] };
      await Promise.all(
        [...this.#clients].map(async (client) => {
          if (await client.signedIn()) return client.send("overview", message);
          client.send("signed-out", {});
          client.end();
          this.remove(client);
        }),
      );
    } while (this.#again);
  }
}

/** What the stream's route needs from the console. */
export interface OverviewEventsDeps {
  feed: OverviewFeed;
  /** Whether the request's session is alive and its user may `read`; it does not extend the session. */
  signedIn(request: FastifyRequest): Promise<boolean>;
  /** The keep-alive's timers (the runtime's unless given). */
  timers?: Timers;
}

/** Registers GET /manage/events, and ends its streams when the server closes. */
export function registerOverviewEvents(app: FastifyInstance, deps: OverviewEventsDeps): void {
  app.addHook("preClose", async () => deps.feed.close());
  app.get("/manage/events", async (request: FastifyRequest, reply: FastifyReply) => {
    if (!(await deps.signedIn(request))) {
      return reply.status(401).header("cache-control", "no-store").header("content-type", "text/plain; charset=utf-8").send("sign in at /manage/login");
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
      "x-content-type-options": "nosniff",
      "content-security-policy": nonPagePolicy,
      "x-request-id": request.id,
    });
    // A stream is quiet between changes: the server's idle-socket timeout must not cut it (the comments keep proxies'),
    // and the client is told to come back soon after a broken connection.
    request.raw.socket.setTimeout(0);
    raw.write("retry: 2000\n\n");
    let open = true;
    const timers = deps.timers ?? systemTimers;
    let keepAlive: unknown;
    const beat = () => {
      keepAlive = timers.setTimeout(() => {
        void deps.signedIn(request).then(
          (alive) => {
            if (!open) return;
            if (alive) {
              raw.write(": keep-alive\n\n");
              return beat();
            }
            client.send("signed-out", {});
            client.end();
            deps.feed.remove(client);
          },
          (error: unknown) => {
            request.log.error({ err: error }, "checking a console stream's session failed");
            if (open) beat();
          },
        );
      }, keepAliveMs);
    };
    beat();
    const client: FeedClient = {
      send: (event, data) => {
        if (open) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      signedIn: () => deps.signedIn(request),
      end: () => {
        if (!open) return;
        open = false;
        timers.clearTimeout(keepAlive);
        raw.end();
      },
    };
    raw.on("close", () => {
      open = false;
      timers.clearTimeout(keepAlive);
      deps.feed.remove(client);
    });
    try {
      await deps.feed.add(client);
      // Gone while the first overview was read: the close handler ran before the client was added.
      if (!open) deps.feed.remove(client);
    } catch (error) {
      request.log.error({ err: error }, "reading the console's overview failed");
      client.end();
    }
  });
}
