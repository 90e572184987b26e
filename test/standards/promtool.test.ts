// Vigil's /metrics as Prometheus' own linter reads it: `promtool check metrics` on the output of a running Vigil
// (after it served a request, so the request histogram has series). Skipped when promtool is not installed
// (Debian package prometheus), required with VIGIL_REQUIRE_SERVERS=1 as CI sets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { debianTool, runTool } from "../helpers/tools.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const promtool = debianTool("promtool", "prometheus");

describe.skipIf(promtool.skip !== undefined)(`promtool check metrics${promtool.skip ? ` (skipped: ${promtool.skip})` : ""}`, () => {
  let test: TestVigil;

  beforeAll(async () => {
    test = await startTestVigil("site: { name: Acme Status }\ncomponents:\n  - { id: api, name: Production API }\n");
  }, 120_000);

  afterAll(async () => {
    await test?.dispose();
  });

  it("finds no problem in Vigil's metrics", async () => {
    expect((await fetch(`${test.vigil.url}/healthz`)).status).toBe(200);
    // As Prometheus scrapes it: with a token (/metrics is not public by default).
    const res = await fetch(`${test.vigil.url}/metrics`, { headers: { authorization: `Bearer ${test.token}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("vigil_http_request_duration_seconds_count");
    expect(text).toMatch(/^vigil_event_loop_delay_seconds\{quantile="1"\} /m);
    expect(text).toMatch(/^vigil_store_table_bytes\{table="events"\} \d+$/m);
    const checked = await runTool(promtool.path as string, ["check", "metrics"], text);
    expect({ code: checked.code, problems: `${checked.stdout}${checked.stderr}` }).toEqual({ code: 0, problems: "" });
  }, 30_000);
});
