// `vigil demo` in-process (runDemo), at a high speed: the story replays against the stand-ins, the narration tells
// the key steps (the incident rooted at the orders database, the likely upstream cause, the resolution), the report
// ends with the timings table, and everything is cleaned up afterwards: no temp dir, no port still listening.
// Once with the TCP stand-in database, and once with a real MariaDB when it is installed.
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { mariadbMissing } from "../../src/demo/mariadb.ts";
import { runDemo, type DemoResult, type DemoStory } from "../../src/demo/run.ts";

const pathVariable = process.env.PATH ?? "";
const mariadbSkipped = process.env.VIGIL_REQUIRE_SERVERS !== "1" && mariadbMissing(pathVariable) !== undefined;

async function replay(mariadb: boolean, story: DemoStory = "crash-loop"): Promise<{ result: DemoResult; text: string }> {
  let text = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const result = await runDemo({ out, speed: 300, mariadb, requireMariadb: mariadb, pathVariable, story });
  return { result, text };
}

/** Whether a connection to the port is refused (nothing listens there any more). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/** Everything the replay started is stopped: no temp dir, no port still listening. */
async function expectCleanedUp(result: DemoResult, ports: number): Promise<void> {
  expect(existsSync(result.dir)).toBe(false);
  expect(result.ports).toHaveLength(ports);
  for (const port of result.ports) expect(await refused(port), `port ${port}`).toBe(true);
}

async function expectTheStory({ result, text }: { result: DemoResult; text: string }): Promise<void> {
  if (result.story !== "crash-loop") throw new Error(`expected the crash-loop story, got ${result.story}`);
  expect(text).toContain("Status page:  http://127.0.0.1:");
  expect(text).toMatch(/The orders database CRASHES/);
  expect(text).toMatch(/monitor orders-db is DOWN/);
  // Opened at the database, or at the API with the database becoming its root a moment later.
  expect(text).toMatch(/INCIDENT OPENED: "[^"]+ outage"/);
  expect(text).toMatch(/(root|root is now) Orders database \[orders-db\]/);
  expect(text).toMatch(/PUBLISHED on the status page/);
  // The public update's evidence is in generic words: no address, port or raw error reaches the status page.
  const published = /PUBLISHED on the status page[^\n]*\n\s+"([^\n]*)"/.exec(text)?.[1];
  expect(published).toMatch(/^We are investigating /);
  expect(published).not.toMatch(/127\.0\.0\.1|localhost|ECONN|:\d{2,5}\b|\((connect|assertion|timeout)\)/);
  expect(text).toMatch(/Replay over in (\d+m)?\d+s\./);
  expect(text).toMatch(/webhook +received incident\.created/);
  expect(text).toMatch(/e-mail +to oncall@acme\.example: \[Acme\] \[Critical\] [^\n]*outage: investigating/);
  expect(text).toContain("LIKELY UPSTREAM CAUSE: Amazon RDS (Oregon)");
  expect(text).toMatch(/incident is now monitoring/);
  expect(text).toMatch(/vigil +RESOLVED/);
  expect(text).toMatch(/Outage windows \(as `vigil windows --incident inc_[0-9a-f]+` prints them/);
  expect(text).toMatch(/ {2}orders-db +major_outage +\d{4}-\d\d-\d\dT[\d:.]+Z → \d{4}-/);
  expect(text).toContain("# Postmortem: Orders database outage");
  expect(text).toContain("The likely cause is upstream: Amazon RDS (Oregon)");
  // The table: the story's times beside the measured ones.
  expect(text).toMatch(/first alert to the team +\+8 min +\+\d+\.\d s webhook, \+\d+\.\d s e-mail/);
  expect(text).toMatch(/public status "Investigating" +\+30 min +\+\d+\.\d s/);
  expect(text).toMatch(/cause known: the cloud provider +\+102 min +\+\d+\.\d s \(the provider posted at \+\d+\.\d s, story \+\d+ min\)/);
  expect(text).toMatch(/reconciliation window +by hand, afterwards +\+\d+\.\d s/);

  const t = result.timings;
  // The stand-in database tells no uptime: no restart, so no crash-loop diagnosis.
  for (const [name, value] of Object.entries(t)) if (name !== "diagnosed" || result.database === "mariadb") expect(value, name).not.toBeNull();
  expect(t.incidentOpened!).toBeLessThan(10);
  expect(t.published!).toBeLessThan(10);
  expect(t.notifiedWebhook!).toBeLessThan(15);
  expect(t.likelyUpstream!).toBeGreaterThanOrEqual(t.providerPosted!);
  expect(t.resolved!).toBeGreaterThan(t.recovered!);

  await expectCleanedUp(result, 6);
}

describe("vigil demo", () => {
  it("is a command of vigil, with its options", async () => {
    let stdout = "";
    const io = { env: {}, cwd: process.cwd(), stdout: (t: string) => void (stdout += t), stderr: () => {}, isTty: false };
    expect(await main(["node", "vigil", "demo", "--help"], io)).toBe(0);
    for (const option of ["--story <story>", "--speed <n>", "--keep", "--no-mariadb", "--port <port>"]) expect(stdout).toContain(option);
    expect(stdout).toContain('(choices: "crash-loop", "pool")');
    expect(await main(["node", "vigil", "demo", "--speed", "0"], io)).toBe(2);
    expect(await main(["node", "vigil", "demo", "--story", "lunch"], io)).toBe(2);
  });

  it("replays the story with the stand-in database, narrates it, reports the timings and cleans up", async () => {
    const run = await replay(false);
    expect(run.result.database).toBe("stand-in");
    expect(run.text).toContain("--no-mariadb: using the stand-in database");
    await expectTheStory(run);
  }, 180_000);

  it.skipIf(mariadbSkipped)("replays it with a real MariaDB, with restart and crash-loop evidence", async () => {
    const run = await replay(true);
    expect(run.result.database).toBe("mariadb");
    expect(run.text).toMatch(/evidence: the database RESTARTED/);
    expect(run.text).toMatch(/evidence: the database is CRASH-LOOPING/);
    // The diagnosis says crash loop, with the pool's use before the first crash: not the pool.
    expect(run.text).toMatch(/vigil +DIAGNOSIS: Orders database: crash loop: \d+ restarts in [^;\n]+; connections were \d+ of 151 before the first\n/);
    expect(run.result.diagnosis).toMatch(/^Orders database: crash loop: /);
    expect(run.result.diagnosis).not.toMatch(/pool/);
    expect(run.text).toMatch(/diagnosis: crash loop, not the pool +misread: an analytics tool blamed +\+\d+\.\d s/);
    await expectTheStory(run);
  }, 180_000);

  it.skipIf(mariadbSkipped)("replays the pool story: an analytics tool exhausts the pool, and the diagnosis names it", async () => {
    const { result, text } = await replay(true, "pool");
    if (result.story !== "pool") throw new Error("expected the pool story");
    expect(result.database).toBe("mariadb");
    expect(text).toMatch(/The analytics tool's nightly export holds 20 connections/);
    expect(text).toMatch(/POOL IS EXHAUSTED/);
    expect(text).toMatch(/evidence: the connection pool is nearly EXHAUSTED: \d+ of 40 connections in use/);
    expect(text).toMatch(/monitor orders-db is DOWN, confirmed by a re-check: Too many connections/);
    expect(text).toMatch(/INCIDENT OPENED: "[^"]+ outage"/);
    // The diagnosis names the pool and who holds it, and claims no restart.
    const diagnosis = /^Orders database: pool exhausted: the server refuses new connections; last seen (\d+) of 40, (\d+) held by analytics@127\.0\.0\.1 \((\d+) idle\); server up \d+ (s|min)$/;
    expect(result.diagnosis).toMatch(diagnosis);
    const [, seen, held, idle] = diagnosis.exec(result.diagnosis ?? "")!.map(Number);
    expect(held).toBeLessThanOrEqual(seen!);
    expect(idle).toBeLessThan(held!);
    expect(text).not.toMatch(/restart/i);
    expect(text).toMatch(/A responder reads Vigil's diagnosis, which names the analytics tool, and stops the export/);
    expect(text).toMatch(/vigil +RESOLVED/);
    expect(text).toMatch(/ {2}orders-db +major_outage +\d{4}-\d\d-\d\dT[\d:.]+Z → \d{4}-/);
    expect(text).toContain("# Postmortem: Orders database outage");
    expect(text).toMatch(/cause named: pool exhaustion, and who holds it +\+\d+\.\d s/);
    for (const [name, value] of Object.entries(result.timings)) expect(value, name).not.toBeNull();
    expect(result.timings.diagnosed!).toBeLessThan(15);
    expect(result.timings.resolved!).toBeGreaterThan(result.timings.stopped!);
    await expectCleanedUp(result, 5);
  }, 180_000);

  it("refuses the pool story without MariaDB, saying why", async () => {
    await expect(runDemo({ out: new Writable({ write: (_c, _e, done) => done() }), speed: 300, mariadb: false, story: "pool", pathVariable })).rejects.toThrow(
      "the pool story needs a real MariaDB: --no-mariadb leaves none",
    );
  });
});
