/**
 * A configuration rejected for a secret's value must not repeat the secret: not on the terminal (`vigil validate`),
 * not in the log, and not in the `config.rejected` event that every `read` token can see on the timeline.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigHolder } from "../../src/app/reloader.ts";
import { parseConfigText } from "../../src/config/index.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createMetrics } from "../../src/observability/metrics.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";
import { vigilInProcess } from "../helpers/cli.ts";
import { freshTarget, type StoreTarget } from "../helpers/stores.ts";

const good = "site: { name: Acme Status }\ncomponents: [{ id: api, name: API }]\n";
const bad = `site: { name: Acme Status }
components: [{ id: api, name: API, monitors: [api-health] }]
monitors:
  - id: api-health
    type: http
    url: "ftp://admin:hunter2-userinfo@example.com/health?api_key=query-token-123"
notifications:
  channels:
    - id: oncall
      type: webhook
      url: "htps://hooks.example.com/services/T000/B000/path-token-456"
      secret: 8675309123
    - id: pager
      type: pagerduty
      routing_key: 4242424242
subscribers:
  email: { host: smtp.example.com, password: 7777777777, from: status@example.com }
`;
const secrets = ["hunter2-userinfo", "query-token-123", "path-token-456", "8675309123", "4242424242", "7777777777"];

describe("secrets in configuration errors", () => {
  let dir: string;
  let target: StoreTarget;
  let store: Store;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-secret-errors-"));
    target = await freshTarget(process.env.VIGIL_TEST_POSTGRES_URL ? "postgres" : "pglite");
    store = await openStore({ url: target.url, dataDir: target.dataDir });
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("vigil validate names each place and problem without the value", async () => {
    const file = path.join(dir, "bad.yaml");
    await writeFile(file, bad);
    const res = await vigilInProcess(["validate", "--config", file], {});
    expect(res.code).toBe(1);
    for (const secret of secrets) expect(res.stderr).not.toContain(secret);
    expect(res.stderr).toMatch(/bad\.yaml:6:\d+ monitors\[0\]\.url: expected an http:\/\/ or https:\/\/ URL, got a URL "ftp:\/\/example\.com\/…" \(the rest not shown: a URL may hold a secret\)/);
    expect(res.stderr).toMatch(/notifications\.channels\[0\]\.url: expected an http:\/\/ or https:\/\/ URL, got a URL "htps:\/\/hooks\.example\.com\/…"/);
    expect(res.stderr).toMatch(/notifications\.channels\[0\]\.secret: expected text, got a number \(not shown: secret-named key\)/);
    expect(res.stderr).toMatch(/notifications\.channels\[1\]\.routing_key: .*got a number \(not shown: secret-named key\)/);
    expect(res.stderr).toMatch(/subscribers\.email\.password: expected text, got a number \(not shown: secret-named key\)/);
  });

  it("a rejected reload stores and logs the errors without the values", async () => {
    const file = path.join(dir, "vigil.yaml");
    await writeFile(file, good);
    const initial = parseConfigText(good, file, {});
    if (!initial.ok) throw new Error("the test's configuration is invalid");
    const lines: string[] = [];
    const logger = createLogger({ destination: new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }) });
    const holder = new ConfigHolder(initial.config, { file, env: {}, store, clock: new ManualClock("2026-03-14T09:00:00Z"), logger, metrics: createMetrics("test") });
    await writeFile(file, bad);
    const outcome = await holder.reload("token:tok_admin");
    expect(outcome.applied).toBe(false);
    const [event] = await store.events.list({ kinds: ["config.rejected"] });
    expect(event).toBeDefined();
    const stored = JSON.stringify(event);
    expect(stored).toContain("notifications.channels[0].secret");
    expect(stored).toContain("not shown: secret-named key");
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(lines.join("\n")).not.toContain(secret);
    }
  });
});
