// The action runner on a real store (PGlite and PostgreSQL), its clock in the test's hands: retries with backoff at
// the times the policy says, the same idempotency key on every attempt, a time-out at the deadline, and a run left
// running by a leader that stopped attempted again with its key.
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runFacts } from "../../src/app/actions/facts.ts";
import { cancelRun, requestRun } from "../../src/app/actions/request.ts";
import { ActionRunner } from "../../src/app/actions/runner.ts";
import { formatConfigIssues, parseConfigText, type VigilConfig } from "../../src/config/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { alive } from "../../src/actions/fixtures.test-helper.ts";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { ManualTimers } from "../helpers/manual-timers.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";

const quiet = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`the action runner on ${backend.name}`, () => {
    let target: StoreTarget;
    let store: Store;
    let sink: HttpSink;
    let config: VigilConfig;
    const clock = new ManualClock("2026-12-01T10:00:00Z");

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      store = await openStore({ url: target.url, dataDir: target.dataDir });
      sink = await startHttpSink();
      const parsed = parseConfigText(
        `site: { name: Acme }
actions:
  definitions:
    - { id: scale-down, type: webhook, url: "${sink.url}/scale", deadline: 10s }
    - { id: short, type: webhook, url: "${sink.url}/scale", deadline: 2s }
    - { id: gated, type: webhook, url: "${sink.url}/scale", deadline: 2s, approval: { required: 1, timeout: 1m } }
`,
        "vigil.yaml",
        {},
      );
      if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
      config = parsed.config;
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await target?.dispose();
      await sink?.close();
    });
    beforeEach(() => sink.reset());

    const runner = (current: () => VigilConfig = () => config, timers = new ManualTimers(clock)) =>
      new ActionRunner({
        store,
        clock,
        timers,
        logger: quiet,
        config: current,
        facts: (run, attempt) => runFacts({ store, windows: async () => [], statuses: () => ({}), publicUrl: () => "https://status.example.com" }, run, attempt),
        retry: { baseMs: 1_000, capMs: 30_000 },
        // Half of each full-jitter ceiling: waits of 500 ms, 1 s, 2 s …
        random: () => 0.5,
      });
    /** A slow exec action (its shell and sleep write their pids to `pids`) and a quick webhook one, in `dir`. */
    const slowAndQuick = async (dir: string) => {
      const pids = path.join(dir, "pids");
      const script = path.join(dir, "slow.sh");
      await writeFile(script, `#!/bin/sh\nsleep 30 &\necho "$$ $!" > "${pids}"\nwait\n`);
      await chmod(script, 0o755);
      const parsed = parseConfigText(`site: { name: Acme }\nactions:\n  allow_exec: true\n  definitions:\n    - { id: slow, type: exec, command: "${script}", timeout: 1m }\n    - { id: quick, type: webhook, url: "${sink.url}/scale" }\n`, "vigil.yaml", {});
      if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
      return { pids, execConfig: parsed.config };
    };
    const answers = (statuses: number[]) => {
      let i = 0;
      sink.reply(() => ({ status: statuses[Math.min(i++, statuses.length - 1)]!, body: "busy" }));
    };

    it("retries with backoff at the policy's times, with the same key, until the receiver takes it", async () => {
      answers([503, 503, 200]);
      const requested = await requestRun({ store, clock, config: () => config }, { actionId: "scale-down", incidentId: null, actor: "user:ada" });
      const t0 = clock.now().getTime();
      const r = runner();
      await r.kick();
      expect(await store.actionRuns.get(requested.id)).toMatchObject({ status: "pending", attempts: 1, nextAttemptAt: new Date(t0 + 500), lastError: `${sink.host} answered 503: busy` });
      // Not due yet: nothing is attempted.
      clock.advance(499);
      await r.kick();
      expect(sink.requests).toHaveLength(1);
      clock.advance(1);
      await r.kick();
      expect(await store.actionRuns.get(requested.id)).toMatchObject({ status: "pending", attempts: 2, nextAttemptAt: new Date(t0 + 500 + 1_000) });
      clock.advance(1_000);
      await r.kick();
      expect(await store.actionRuns.get(requested.id)).toMatchObject({ status: "succeeded", attempts: 3, nextAttemptAt: null, finishedAt: clock.now() });
      expect(sink.requests.map((q) => q.headers["idempotency-key"])).toEqual([requested.idempotencyKey, requested.idempotencyKey, requested.idempotencyKey]);
      expect(sink.requests.map((q) => (q.body as { run: { attempt: number } }).run.attempt)).toEqual([1, 2, 3]);
      const kinds = (await store.events.list({ subject: requested.id })).map((e) => e.kind);
      expect(kinds).toEqual(["action.run_requested", "action.run_started", "action.run_retrying", "action.run_retrying", "action.run_succeeded"]);
      await r.stop();
    });

    it("times a run out when its next attempt would come after its deadline", async () => {
      answers([503]);
      const requested = await requestRun({ store, clock, config: () => config }, { actionId: "short", incidentId: null, actor: "user:ada" });
      const r = runner();
      await r.kick(); // t+0 → next at t+0.5
      clock.advance(500);
      await r.kick(); // t+0.5 → next at t+1.5
      clock.advance(1_000);
      await r.kick(); // t+1.5 → next would be t+3.5, after the deadline at t+2
      const done = await store.actionRuns.get(requested.id);
      expect(done).toMatchObject({ status: "timed_out", attempts: 3, nextAttemptAt: null });
      expect(done?.lastError).toBe(`deadline reached after 3 attempts: ${sink.host} answered 503: busy`);
      const last = (await store.events.list({ subject: requested.id })).at(-1);
      expect(last).toMatchObject({ kind: "action.run_failed", data: { status: "timed_out", attempts: 3 } });
      await r.stop();
    });

    it("times a run out without another attempt when it is reached only after its deadline, keeping the last attempt's error", async () => {
      answers([503]);
      const requested = await requestRun({ store, clock, config: () => config }, { actionId: "short", incidentId: null, actor: "user:ada" });
      const r = runner();
      await r.kick(); // due again at t+0.5
      clock.advance(3_000); // the runner was busy (or no node led) until after the deadline at t+2
      await r.kick();
      expect(sink.requests).toHaveLength(1);
      expect(await store.actionRuns.get(requested.id)).toMatchObject({ status: "timed_out", attempts: 1, lastError: `deadline reached after 1 attempt: ${sink.host} answered 503: busy` });
      await r.stop();
    });

    it("does not attempt a run waiting for approval, and times its approval out at the approval timeout", async () => {
      const requested = await requestRun({ store, clock, config: () => config }, { actionId: "gated", incidentId: null, actor: "user:ada" });
      expect(requested).toMatchObject({ status: "waiting_approval", nextAttemptAt: null, approvalsRequired: 1, approvalDeadlineAt: new Date(clock.now().getTime() + 60_000) });
      const r = runner();
      clock.advance(59_999);
      await r.kick();
      expect(sink.requests).toHaveLength(0);
      expect((await store.actionRuns.get(requested.id))?.status).toBe("waiting_approval");
      clock.advance(1);
      await r.kick();
      expect(sink.requests).toHaveLength(0);
      expect(await store.actionRuns.get(requested.id)).toMatchObject({ status: "timed_out", attempts: 0, finishedAt: clock.now(), lastError: "approval timed out with 0 of 1 approval" });
      expect((await store.events.list({ subject: requested.id })).map((e) => e.kind)).toEqual(["action.run_requested", "action.approval_requested", "action.approval_timed_out"]);
      await r.stop();
    });

    it("runs another action while a slow one is under way; kills the slow one's command when the leader stops, and leaves its run running for the next one", async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "vigil-runner-stop-"));
      try {
        const { pids, execConfig } = await slowAndQuick(dir);
        const requested = await requestRun({ store, clock, config: () => execConfig }, { actionId: "slow", incidentId: null, actor: "user:ada" });
        const r = runner(() => execConfig);
        const pass = r.kick();
        await expect.poll(() => readFile(pids, "utf8").catch(() => ""), { timeout: 10_000 }).toMatch(/^\d+ \d+\n$/);
        answers([200]);
        const quick = await requestRun({ store, clock, config: () => execConfig }, { actionId: "quick", incidentId: null, actor: "user:ada" });
        await r.kick();
        expect(await store.actionRuns.get(quick.id)).toMatchObject({ status: "succeeded" });
        expect(await store.actionRuns.get(requested.id)).toMatchObject({ status: "running" });
        await r.stop();
        await pass;
        const [shell, sleeper] = (await readFile(pids, "utf8")).trim().split(" ").map(Number);
        await expect.poll(async () => [await alive(shell!), await alive(sleeper!)]).toEqual([false, false]);
        expect(await store.actionRuns.get(requested.id)).toMatchObject({ status: "running", attempts: 1 });
        // The next leader puts it back.
        expect((await store.actionRuns.requeueRunning(clock.now())).map((row) => row.id)).toContain(requested.id);
        await store.actionRuns.update(requested.id, { status: "cancelled", nextAttemptAt: null, updatedAt: clock.now() });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("aborts the attempt of a run cancelled while it runs (its command killed) and records no outcome for it", async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "vigil-runner-cancel-"));
      try {
        const { pids, execConfig } = await slowAndQuick(dir);
        const requested = await requestRun({ store, clock, config: () => execConfig }, { actionId: "slow", incidentId: null, actor: "user:ada" });
        const r = runner(() => execConfig);
        const pass = r.kick();
        await expect.poll(() => readFile(pids, "utf8").catch(() => ""), { timeout: 10_000 }).toMatch(/^\d+ \d+\n$/);
        // Cancelled through the API, on any node: the runner sees it at its next look (its poll, each second).
        expect(await cancelRun({ store, clock }, requested.id, "user:ada")).toMatchObject({ status: "cancelled", attempts: 1 });
        await r.kick();
        await pass;
        const [shell, sleeper] = (await readFile(pids, "utf8")).trim().split(" ").map(Number);
        await expect.poll(async () => [await alive(shell!), await alive(sleeper!)]).toEqual([false, false]);
        expect(await store.actionRuns.get(requested.id)).toMatchObject({ status: "cancelled", attempts: 1, lastError: null });
        expect((await store.events.list({ subject: requested.id })).map((e) => [e.kind, e.data["while_running"] ?? null])).toEqual([
          ["action.run_requested", null],
          ["action.run_started", null],
          ["action.run_cancelled", true],
        ]);
        // Over: another cancel is refused.
        await expect(cancelRun({ store, clock }, requested.id, "user:ada")).rejects.toThrow(`action run ${requested.id} is cancelled: a run that is over cannot be cancelled`);
        await r.stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("keeps looking for due runs every second while a run its look started is under way", async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "vigil-runner-poll-"));
      try {
        const { pids, execConfig } = await slowAndQuick(dir);
        const timers = new ManualTimers(clock);
        const r = runner(() => execConfig, timers);
        await r.start();
        // Both asked for on another node, which does not wake this runner: only its look every second finds them.
        const slow = await requestRun({ store, clock, config: () => execConfig }, { actionId: "slow", incidentId: null, actor: "user:ada" });
        await timers.advance(1_000);
        await expect.poll(() => readFile(pids, "utf8").catch(() => ""), { timeout: 10_000 }).toMatch(/^\d+ \d+\n$/);
        answers([200]);
        const quick = await requestRun({ store, clock, config: () => execConfig }, { actionId: "quick", incidentId: null, actor: "user:ada" });
        await timers.advance(1_000);
        await expect.poll(async () => (await store.actionRuns.get(quick.id))?.status, { timeout: 10_000 }).toBe("succeeded");
        await r.stop();
        await store.actionRuns.update(slow.id, { status: "cancelled", nextAttemptAt: null, updatedAt: clock.now() });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("attempts again, with the same key, a run a stopped leader left running", async () => {
      answers([200]);
      const requested = await requestRun({ store, clock, config: () => config }, { actionId: "scale-down", incidentId: null, actor: "user:ada" });
      // The old leader claimed it and stopped before recording an outcome.
      await store.actionRuns.claim(requested.id, clock.now());
      const r = runner();
      await r.start();
      await expect.poll(async () => (await store.actionRuns.get(requested.id))?.status).toBe("succeeded");
      // The attempt cut short counts: this one is the second, under the same key.
      expect(await store.actionRuns.get(requested.id)).toMatchObject({ attempts: 2 });
      expect(sink.only().headers["idempotency-key"]).toBe(requested.idempotencyKey);
      expect((sink.only().body as { run: { attempt: number } }).run.attempt).toBe(2);
      await r.stop();
    });
  });
}
