// An outage of a hidden component that no visible component depends on: the public update never names it, and never
// reads "affecting ." either.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpSink, type HttpSink } from "../helpers/http-sink.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

describe("a hidden component alone", () => {
  let sink: HttpSink;
  let test: TestVigil;

  beforeAll(async () => {
    sink = await startHttpSink();
    sink.reply({ status: 500, body: "down" });
    test = await startTestVigil(`
site: { name: Acme Status }
components:
  - { id: batch-db, name: Batch database, hidden: true, monitors: [batch-db-check] }
  - { id: api, name: Production API }
monitors:
  - { id: batch-db-check, type: http, url: "${sink.url}/health", interval: 1s, timeout: 500ms, recheck: 200ms }
`);
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
    await sink?.close();
  });

  it("says an internal system is affected", async () => {
    const v2json = async () => (await fetch(`${test.vigil.url}/api/v2/incidents.json`)).json();
    // The public snapshot follows the incident within a second.
    await expect.poll(async () => (await v2json()).incidents.length, { timeout: 15_000 }).toBe(1);
    const v2 = await v2json();
    const body: string = v2.incidents[0].incident_updates[0].body;
    expect(body).toMatch(/^We are investigating a partial outage affecting an internal system\./);
    expect(body).not.toContain("Batch database");
  });
});
