import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecActionConfig, execAction, factsEnv } from "./exec.ts";
import { actionContext, alive, factsFixture } from "./fixtures.test-helper.ts";
import { maxOutputBytes } from "./types.ts";

const token = "cloud-token-7f3a9c";


describe("exec action", () => {
  let dir: string;
  const script = async (name: string, body: string): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-exec-action-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("runs the command with its arguments and no shell, the facts in VIGIL_* variables and on stdin, its output kept with secrets redacted", async () => {
    const file = await script(
      "facts.sh",
      `echo "incident=$VIGIL_INCIDENT_ID key=$VIGIL_IDEMPOTENCY_KEY attempt=$VIGIL_ATTEMPT roots=$VIGIL_INCIDENT_ROOT_COMPONENTS"
echo "args: $1|$2"
echo "using $CLOUD_TOKEN" >&2
echo "home=\${HOME:-unset} path=$PATH"
cat > "${dir}/stdin.json"`,
    );
    const config = ExecActionConfig.parse({ command: file, args: ["deploy/orders-db", "$(rm -rf /); *"], env: { CLOUD_TOKEN: token } });
    const result = await execAction.run(config, factsFixture(), actionContext());
    expect(result.ok).toBe(true);
    const output = result.output ?? "";
    expect(output).toContain("incident=inc_orders key=action:run_test1 attempt=1 roots=orders-db");
    // Arguments reach the program as written: nothing expands them.
    expect(output).toContain("args: deploy/orders-db|$(rm -rf /); *");
    expect(output).toContain("using [redacted]");
    expect(output).not.toContain(token);
    // Vigil's own environment stays behind: PATH is the action's, HOME is not passed.
    expect(output).toContain("home=unset path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    expect(JSON.parse(await readFile(path.join(dir, "stdin.json"), "utf8"))).toEqual(factsFixture());
  });

  it("gives a run's window in VIGIL_WINDOW_* variables, and reads a count of records resynced from the last line", async () => {
    const file = await script(
      "reconcile.sh",
      `echo "id=$VIGIL_WINDOW_ID component=$VIGIL_WINDOW_COMPONENT incidents=$VIGIL_WINDOW_INCIDENTS worst=$VIGIL_WINDOW_WORST"
echo "from=$VIGIL_WINDOW_EARLIEST_START start=$VIGIL_WINDOW_START confirmed=$VIGIL_WINDOW_CONFIRMED_START to=$VIGIL_WINDOW_END"
echo '{"resynced": 1234}'`,
    );
    const window = { id: "orders-db@2026-12-01T09:59:30.000Z", component: "orders-db", start: "2026-12-01T09:59:30.000Z", earliest_possible_start: "2026-12-01T09:59:00.000Z", confirmed_start: "2026-12-01T10:00:00.000Z", end: "2026-12-01T10:31:40.000Z", worst: "major_outage", incidents: ["inc_orders"] };
    expect(await execAction.run(ExecActionConfig.parse({ command: file }), { ...factsFixture(), window }, actionContext())).toEqual({
      ok: true,
      resynced: 1234,
      output:
        "id=orders-db@2026-12-01T09:59:30.000Z component=orders-db incidents=inc_orders worst=major_outage\n" +
        "from=2026-12-01T09:59:00.000Z start=2026-12-01T09:59:30.000Z confirmed=2026-12-01T10:00:00.000Z to=2026-12-01T10:31:40.000Z\n" +
        '{"resynced": 1234}\n',
    });
    // Without an earliest possible start, the earliest start is the start; without a window, no VIGIL_WINDOW_* at all.
    expect(factsEnv({ ...factsFixture(), window: { ...window, earliest_possible_start: null } })["VIGIL_WINDOW_EARLIEST_START"]).toBe("2026-12-01T09:59:30.000Z");
    expect(Object.keys(factsEnv(factsFixture())).filter((name) => name.startsWith("VIGIL_WINDOW_"))).toEqual([]);
    // A last line that is no JSON count is no count: the run succeeded all the same.
    const plain = await script("plain.sh", 'echo "resynced 12 records"');
    expect(await execAction.run(ExecActionConfig.parse({ command: plain }), factsFixture(), actionContext())).toEqual({ ok: true, output: "resynced 12 records\n" });
  });

  it("runs in the configured working directory, with a PATH the action's env sets (secret, as all of env)", async () => {
    const file = await script("where.sh", 'echo "cwd=$(pwd)"; if command -v ls > /dev/null; then echo "ls found"; else echo "ls not found"; fi');
    const run = (env?: Record<string, string>) => execAction.run(ExecActionConfig.parse({ command: file, cwd: dir, ...(env ? { env } : {}) }), factsFixture(), actionContext());
    expect(await run()).toEqual({ ok: true, output: `cwd=${dir}\nls found\n` });
    expect(await run({ PATH: "/vigil-no-such-dir" })).toEqual({ ok: true, output: `cwd=${dir}\nls not found\n` });
  });

  it("kills the command's whole process group at the timeout, and asks for another attempt", async () => {
    const pids = path.join(dir, "pids");
    const file = await script("hang.sh", `sleep 30 &\necho "$$ $!" > "${pids}"\necho started\nwait`);
    const started = performance.now();
    const result = await execAction.run(ExecActionConfig.parse({ command: file }), factsFixture(), actionContext(500));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result).toEqual({ ok: false, retryable: true, timedOut: true, error: `${file} did not finish within 500 ms: killed`, output: "started\n" });
    const [shell, sleeper] = (await readFile(pids, "utf8")).trim().split(" ").map(Number);
    await expect.poll(async () => [await alive(shell!), await alive(sleeper!)]).toEqual([false, false]);
  });

  it("reads exit status 75 as try again, any other failure as final, and a missing program as final", async () => {
    const tempfail = await script("tempfail.sh", "echo 'database still starting'; exit 75");
    expect(await execAction.run(ExecActionConfig.parse({ command: tempfail }), factsFixture(), actionContext())).toEqual({ ok: false, retryable: true, error: `${tempfail} exited with status 75 (try again later)`, output: "database still starting\n" });
    const broken = await script("broken.sh", "echo 'no such deployment' >&2; exit 3");
    expect(await execAction.run(ExecActionConfig.parse({ command: broken }), factsFixture(), actionContext())).toEqual({ ok: false, retryable: false, error: `${broken} exited with status 3`, output: "no such deployment\n" });
    expect(await execAction.run(ExecActionConfig.parse({ command: "vigil-no-such-program" }), factsFixture(), actionContext())).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("vigil-no-such-program: no such program") });
    expect(await execAction.run(ExecActionConfig.parse({ command: tempfail, cwd: "/vigil-no-such-dir" }), factsFixture(), actionContext())).toMatchObject({
      ok: false,
      retryable: false,
      error: `${tempfail}: no such program (or its working directory /vigil-no-such-dir does not exist)`,
    });
  });

  it("keeps the end of a long output, within the cap", async () => {
    const file = await script("long.sh", `i=0\nwhile [ $i -lt 3000 ]; do echo "line $i of the output, with $CLOUD_TOKEN"; i=$((i+1)); done`);
    const result = await execAction.run(ExecActionConfig.parse({ command: file, env: { CLOUD_TOKEN: token } }), factsFixture(), actionContext());
    const output = result.ok ? result.output : "";
    expect(Buffer.byteLength(output)).toBeLessThanOrEqual(maxOutputBytes);
    expect(output.startsWith("…")).toBe(true);
    expect(output.endsWith("line 2999 of the output, with [redacted]\n")).toBe(true);
    expect(output).not.toContain(token.slice(0, 8));
  });
});
