// The console's overview and its event stream over plain HTTP, on each store: the page as served (its policy, no
// inline script or style), the stream refused without a session, and changes made through the API (an incident, a
// silence) arriving on the stream. On PostgreSQL the stream is read from a second node, which does not lead: the
// changes are raised on the leader and reach it through the store's NOTIFY.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { keepAliveMs } from "../../src/api/console/events.ts";
import { consolePolicy } from "../../src/api/console/routes.ts";
import { ManualClock, systemClock, type Clock } from "../../src/core/clock.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";

const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
  - { id: checkout, name: Checkout, depends_on: [api] }
`;
const password = consolePassword;

interface Stream {
  events: { event: string; data: any }[];
  status: number;
  close(): void;
}

/** Reads /manage/events with `cookie`, collecting its events as they come. */
async function openStream(base: string, cookie: string): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(`${base}/manage/events`, { headers: { cookie }, signal: abort.signal });
  const stream: Stream = { events: [], status: res.status, close: () => abort.abort() };
  if (res.status !== 200 || !res.body) return stream;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) stream.events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // Aborted by the test.
    }
  })();
  return stream;
}

/** Adds a user (through `home`'s store) and signs in on `node`; the session cookie. */
async function signIn(node: TestVigil, clock: Clock, home: TestVigil = node): Promise<string> {
  const deps = { store: home.vigil.store, clock };
  await addUserWithPassword(deps, "ada@example.com", "viewer");
  const form = await fetch(`${node.vigil.url}/manage/login`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const formCookie = (form.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const res = await fetch(`${node.vigil.url}/manage/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: formCookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf, email: "ada@example.com", password }).toString(),
  });
  expect(res.status).toBe(303);
  return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`the console's overview on ${backend.name}`, () => {
    let target: StoreTarget;
    let leader: TestVigil;
    /** The node the browser talks to: a follower on PostgreSQL, the only node on PGlite. */
    let viewer: TestVigil;
    let cookie: string;

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      const where = target.url ? { databaseUrl: target.url } : {};
      leader = await startTestVigil(config, where);
      viewer = target.url ? await startTestVigil(config, where) : leader;
      if (viewer !== leader) {
        const leaderNode = (await leader.get("/api/v1/cluster")).json.leader?.node;
        expect(leaderNode).toBeDefined();
        await vi.waitFor(async () => expect((await viewer.get("/api/v1/cluster")).json.leader?.node).toBe(leaderNode), { timeout: 20_000, interval: 100 });
      }
      cookie = await signIn(viewer, systemClock, leader);
    }, 120_000);
    afterAll(async () => {
      if (viewer !== leader) await viewer?.dispose();
      await leader?.dispose();
      await target?.dispose();
    });

    it("serves the overview under the console's policy, with no inline script, style or event attribute", async () => {
      const res = await fetch(`${viewer.vigil.url}/manage`, { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-security-policy")).toBe(consolePolicy);
      const html = await res.text();
      expect(html.match(/<script[^>]*>/g)).toEqual([expect.stringMatching(/^<script src="\/manage\/assets\/overview\.js\?v=[\w-]+" defer>$/)]);
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      expect(html).toContain('<main id="main">');
      expect(html).toContain("<h2 id=\"failing-h\">Failing now</h2>");
      expect(html).toContain("Nothing is failing.");
      expect(html).toContain("Production API");

      const script = html.match(/src="(\/manage\/assets\/overview\.js\?v=[\w-]+)"/)?.[1] ?? "";
      const asset = await fetch(`${viewer.vigil.url}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(await asset.text()).toContain('new EventSource("/manage/events")');
      expect((await fetch(`${viewer.vigil.url}/manage/assets/console.css`)).headers.get("cache-control")).toBe("no-cache");
      expect((await fetch(`${viewer.vigil.url}/manage/assets/secrets.txt`)).status).toBe(404);
    });

    it("refuses the stream without a session", async () => {
      const none = await openStream(viewer.vigil.url, "");
      expect(none.status).toBe(401);
      const wrong = await openStream(viewer.vigil.url, "vigil_session=not-a-session");
      expect(wrong.status).toBe(401);
    });

    it("streams the overview at once, then an incident and a silence made through the API on the leader", async () => {
      const stream = await openStream(viewer.vigil.url, cookie);
      try {
        expect(stream.status).toBe(200);
        await expect.poll(() => stream.events.length, { timeout: 10_000 }).toBeGreaterThan(0);
        expect(stream.events[0]).toMatchObject({ event: "overview", data: { announce: [] } });
        expect(stream.events[0]?.data.sections.incidents).toBe("<p>No open incident.</p>");

        const opened = await leader.send("POST", "/api/v1/incidents", { name: "Checkout errors", body: "We are looking into it." });
        expect(opened.status).toBe(201);
        const withIncident = () => stream.events.find((e) => String(e.data.sections?.incidents).includes("Checkout errors"));
        await expect.poll(withIncident, { timeout: 15_000 }).toBeDefined();
        expect(withIncident()?.data.announce).toContain("Incident opened: Checkout errors.");
        expect(withIncident()?.data.sections.incidents).toContain(`data-incident="${opened.json.id}"`);

        const silenced = await leader.send("POST", "/api/v1/silences", { matchers: { component: ["checkout"] }, duration: "2h", comment: "Deploying checkout" });
        expect(silenced.status).toBe(201);
        const withSilence = () => stream.events.find((e) => String(e.data.sections?.silences).includes("Deploying checkout"));
        await expect.poll(withSilence, { timeout: 15_000 }).toBeDefined();
        expect(withSilence()?.data.sections.silences).toContain("component = checkout");
      } finally {
        stream.close();
      }
    }, 60_000);

    it("tells a stream whose session ended so at the next change, and sends it nothing more", async () => {
      const stream = await openStream(viewer.vigil.url, cookie);
      try {
        await expect.poll(() => stream.events.length, { timeout: 10_000 }).toBeGreaterThan(0);
        const user = await leader.vigil.store.users.byEmail("ada@example.com");
        await leader.vigil.store.sessions.removeAllOf(user!.id);
        expect((await leader.send("POST", "/api/v1/incidents", { name: "Relay slow", body: "Looking." })).status).toBe(201);
        await expect.poll(() => stream.events.at(-1)?.event, { timeout: 15_000 }).toBe("signed-out");
        expect(stream.events.some((e) => String(e.data.sections?.incidents).includes("Relay slow"))).toBe(false);
      } finally {
        stream.close();
      }
    }, 60_000);
  });
}

// With the timers held, the engine's periodic step (which also tells the stream) never runs: what reaches the stream
// was raised by the change itself.
describe("the console's overview with the timers held", () => {
  const clock = new ManualClock("2026-12-01T09:00:00Z");
  const timers = new ManualTimers(clock);
  let vigil: TestVigil;
  let cookie: string;

  beforeAll(async () => {
    vigil = await startTestVigil(config, { clock, timers });
    cookie = await signIn(vigil, clock);
  }, 120_000);
  afterAll(async () => {
    await vigil?.dispose();
  });

  it("streams a silence as soon as it is made, and its expiry", async () => {
    const stream = await openStream(vigil.vigil.url, cookie);
    try {
      await expect.poll(() => stream.events.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const silenced = await vigil.send("POST", "/api/v1/silences", { matchers: { component: ["api"] }, duration: "1h", comment: "Rolling out" });
      expect(silenced.status).toBe(201);
      await expect.poll(() => stream.events.at(-1)?.data.sections?.silences, { timeout: 10_000 }).toContain("Rolling out");
      expect(stream.events.at(-1)?.data.announce).toEqual(["Silences in force: 1."]);
      const expired = await fetch(`${vigil.vigil.url}/api/v1/silences/${silenced.json.id}`, { method: "DELETE", headers: { authorization: `Bearer ${vigil.writeToken}` } });
      expect(expired.status).toBe(200);
      await expect.poll(() => stream.events.at(-1)?.data.sections?.silences, { timeout: 10_000 }).toBe("<p>No silence in force.</p>");
    } finally {
      stream.close();
    }
  }, 60_000);
  // Last: it ends the session the others use.
  it("lets a stream go at its next keep-alive once its session has ended, though nothing changes", async () => {
    const stream = await openStream(vigil.vigil.url, cookie);
    try {
      await expect.poll(() => stream.events.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const seen = stream.events.length;
      await timers.advance(keepAliveMs);
      const user = await vigil.vigil.store.users.byEmail("ada@example.com");
      await vigil.vigil.store.sessions.removeAllOf(user!.id);
      expect(stream.events.slice(seen).map((e) => e.event)).not.toContain("signed-out");
      await timers.advance(keepAliveMs);
      await expect.poll(() => stream.events.at(-1)?.event, { timeout: 10_000 }).toBe("signed-out");
    } finally {
      stream.close();
    }
  }, 60_000);
});

describe("the console's overview stream when Vigil stops", () => {
  it("ends the open streams, so that stopping does not wait for them", async () => {
    const vigil = await startTestVigil(config);
    let stopped = false;
    try {
      const cookie = await signIn(vigil, systemClock);
      const res = await fetch(`${vigil.vigil.url}/manage/events`, { headers: { cookie } });
      expect(res.status).toBe(200);
      let ended = false;
      const read = (async () => {
        for await (const _chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          // Read until the server ends the stream.
        }
        ended = true;
      })();
      const started = performance.now();
      await vigil.dispose();
      stopped = true;
      await read;
      expect(ended).toBe(true);
      // Well inside the shutdown grace, which an open stream would otherwise have used up.
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      if (!stopped) await vigil.dispose();
    }
  }, 60_000);
});
