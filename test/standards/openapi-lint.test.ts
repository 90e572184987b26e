// The OpenAPI document Vigil serves, as API tooling reads it: @apidevtools/swagger-parser validates it against the
// OpenAPI 3.1 schema, @redocly/cli lints it with its recommended rules (no error, no warning), its license is the
// project's, and what the routes really answer (404, 409, 413, 415, 401, 403, 429…) is documented for each of them.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: api, name: Production API }
subscribers:
  webhooks: true
  allow_private_webhooks: true
  rate_limit: { requests: 1, per: 10m }
`;

type Doc = { info: { license?: unknown }; paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>> };

const require = createRequire(import.meta.url);
const redoclyBin = path.join(path.dirname(require.resolve("@redocly/cli/package.json")), "bin", "cli.js");
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { license: string };

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("the OpenAPI document", () => {
  let test: TestVigil;
  let doc: Doc;
  let dir: string;

  beforeAll(async () => {
    test = await startTestVigil(config);
    doc = (await (await fetch(`${test.vigil.url}/api/v1/openapi.json`)).json()) as Doc;
    dir = await mkdtemp(path.join(tmpdir(), "vigil-openapi-"));
  }, 120_000);

  afterAll(async () => {
    await test?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("carries the project's license", () => {
    expect(doc.info.license).toEqual({ name: pkg.license, identifier: pkg.license });
  });

  it("is valid OpenAPI 3.1 for swagger-parser", async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  }, 30_000);

  it("passes redocly lint's recommended rules without an error or a warning", async () => {
    const file = path.join(dir, "openapi.json");
    await writeFile(file, JSON.stringify(doc));
    const res = await run(process.execPath, [redoclyBin, "lint", file, "--format=json"]);
    const report = JSON.parse(res.stdout.slice(res.stdout.indexOf("{"))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
    const problems = report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(", ")}`);
    expect({ problems, code: res.code }).toEqual({ problems: [], code: 0 });
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  describe("documents what the routes really answer", () => {
    /** The operation `method url` falls under, and whether it documents `status`. */
    const documented = (method: string, url: string, status: number): { operation: string; documented: boolean } => {
      const pathname = url.split("?")[0] as string;
      for (const [template, operations] of Object.entries(doc.paths)) {
        const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
        const operation = operations[method.toLowerCase()];
        if (pattern.test(pathname) && operation) return { operation: operation.operationId, documented: String(status) in operation.responses };
      }
      throw new Error(`no operation for ${method} ${pathname}`);
    };
    const call = async (method: string, url: string, options: { token?: string | null; body?: unknown; contentType?: string } = {}) => {
      const headers: Record<string, string> = {};
      const token = options.token === undefined ? test.writeToken : options.token;
      if (token) headers["authorization"] = `Bearer ${token}`;
      if (options.body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
      const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      const res = await fetch(`${test.vigil.url}${url}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      return { status: res.status, json: (await res.json()) as { id?: string } };
    };

    it("404, 409, 401, 403, 413, 415 and 429, each where a real request got it", async () => {
      const opened = await call("POST", "/api/v1/incidents", { body: { name: "Search is slow", body: "Looking into it." } });
      expect(opened.status).toBe(201);
      const id = opened.json.id as string;
      const seen: [string, string, number][] = [];
      const expectStatus = async (method: string, url: string, status: number, options?: Parameters<typeof call>[2]) => {
        expect((await call(method, url, options)).status, `${method} ${url}`).toBe(status);
        seen.push([method, url, status]);
      };
      await expectStatus("GET", "/api/v1/incidents/inc_0000000000000000", 404);
      await expectStatus("POST", "/api/v1/incidents", 404, { body: { name: "x", body: "y", components: { nope: "major_outage" } } });
      await expectStatus("GET", "/api/v1/timeline?incident=inc_0000000000000000", 404);
      await expectStatus("POST", "/api/v1/upstreams/refresh", 404, { body: { ids: ["nope"] } });
      await expectStatus("POST", `/api/v1/incidents/${id}/publish`, 409);
      await expectStatus("PUT", `/api/v1/incidents/${id}/postmortem`, 409, { body: { body: "Too early." } });
      await expectStatus("POST", `/api/v1/incidents/${id}/resolve`, 200, { body: {} });
      await expectStatus("POST", `/api/v1/incidents/${id}/postmortem/publish`, 200);
      await expectStatus("POST", `/api/v1/incidents/${id}/postmortem/publish`, 409);
      await expectStatus("POST", "/api/v1/incidents", 401, { token: null, body: { name: "x", body: "y" } });
      await expectStatus("POST", "/api/v1/incidents", 403, { token: test.token, body: { name: "x", body: "y" } });
      await expectStatus("POST", "/api/v1/incidents", 415, { body: "name=x", contentType: "text/plain" });
      await expectStatus("POST", "/api/v1/incidents", 413, { body: { name: "x", body: "y".repeat(1_100_000) } });
      await expectStatus("POST", "/api/v1/incidents", 400, { body: "{not json" });
      await expectStatus("POST", "/api/v1/subscriptions", 202, { token: null, body: { webhook_url: "http://127.0.0.1:9/hook" } });
      await expectStatus("POST", "/api/v1/subscriptions", 429, { token: null, body: { webhook_url: "http://127.0.0.1:9/other" } });
      const undocumented = seen.map(([method, url, status]) => ({ method, url, status, ...documented(method, url, status) })).filter((s) => !s.documented);
      expect(undocumented).toEqual([]);
    }, 60_000);
  });
});
