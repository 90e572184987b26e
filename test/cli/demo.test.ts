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
import { runDemo, type DemoResult } from "../../src/demo/run.ts";

const pathVariable = process.env.PATH ?? "";
const mariadbSkipped = process.env.VIGIL_REQUIRE_SERVERS !== "1" && mariadbMissing(pathVariable) !== undefined;

async function replay(mariadb: boolean): Promise<{ result: DemoResult; text: string }> {
  let text = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const result = await runDemo({ out, speed: 300, mariadb, requireMariadb: mariadb, pathVariable });
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

async function expectTheStory({ result, text }: { result: DemoResult; text: string }): Promise<void> {
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
  for (const [name, value] of Object.entries(t)) expect(value, name).not.toBeNull();
  expect(t.incidentOpened!).toBeLessThan(10);
  expect(t.published!).toBeLessThan(10);
  expect(t.notifiedWebhook!).toBeLessThan(15);
  expect(t.likelyUpstream!).toBeGreaterThanOrEqual(t.providerPosted!);
  expect(t.resolved!).toBeGreaterThan(t.recovered!);

  expect(existsSync(result.dir)).toBe(false);
  expect(result.ports).toHaveLength(6);
  for (const port of result.ports) expect(await refused(port), `port ${port}`).toBe(true);
}

describe("vigil demo", () => {
  it("is a command of vigil, with its options", async () => {
    let stdout = "";
    const io = { env: {}, cwd: process.cwd(), stdout: (t: string) => void (stdout += t), stderr: () => {}, isTty: false };
    expect(await main(["node", "vigil", "demo", "--help"], io)).toBe(0);
    for (const option of ["--speed <n>", "--keep", "--no-mariadb", "--port <port>"]) expect(stdout).toContain(option);
    expect(await main(["node", "vigil", "demo", "--speed", "0"], io)).toBe(2);
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
    await expectTheStory(run);
  }, 180_000);
});
