import { describe, expect, it } from "vitest";
import { parseConfigText, type VigilConfig } from "../../config/index.ts";
import { regionsInputOf, type RegionStatusOf } from "./regions.ts";

function configOf(text: string): VigilConfig {
  const parsed = parseConfigText(text, "vigil.yaml", {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

const yaml = (showRegions: boolean, own = "") => `
statuspage: { show_regions: ${showRegions} }
${own}
regions:
  - { id: eu-west, name: Europe West, location: Frankfurt }
  - { id: us-east, name: US East }
components:
  - { id: api, name: API, monitors: [api-health, api-eu] }
  - { id: orders-db, name: Orders database, hidden: true, monitors: [db-check] }
  - { id: jobs, name: Jobs, monitors: [cron] }
  - { id: docs, name: Docs }
monitors:
  - { id: api-health, type: http, url: "https://api.example.com/health" }
  - { id: api-eu, type: http, url: "https://eu.example.com/health", regions: [eu-west] }
  - { id: db-check, type: tcp, host: db.example.com, port: 5432 }
  - { id: cron, type: heartbeat, secret: "a-long-enough-secret-1234" }
`;

type Seen = ReturnType<RegionStatusOf>;
const seen: Record<string, Seen> = {
  "api-health": { regions: { local: { status: "up", stale: false }, "eu-west": { status: "down", stale: false }, "ap-south": { status: "down", stale: false } } },
  "api-eu": { regions: { "eu-west": { status: "up", stale: true } } },
};
const statusOf: RegionStatusOf = (id) => seen[id] ?? { regions: {} };

describe("the regions the page is given", () => {
  it("is nothing without statuspage.show_regions", () => {
    expect(configOf(yaml(false)).statuspage.show_regions).toBe(false);
    expect(regionsInputOf(configOf(yaml(false)), statusOf)).toBeUndefined();
  });

  it("names regions as declared (the server's own by its id), reads visible components' monitors only, and the regions that check each", () => {
    const input = regionsInputOf(configOf(yaml(true)), statusOf);
    expect(input?.names).toEqual([
      { id: "local", name: "local" },
      { id: "eu-west", name: "Europe West" },
      { id: "us-east", name: "US East" },
    ]);
    expect(input?.monitorsOf).toEqual({ api: ["api-health", "api-eu"], jobs: ["cron"] });
    expect(input?.checks).toEqual([
      // A region no longer declared (ap-south) is not read; one with nothing yet (us-east) is unknown.
      { monitorId: "api-health", region: "local", status: "up", stale: false },
      { monitorId: "api-health", region: "eu-west", status: "down", stale: false },
      { monitorId: "api-health", region: "us-east", status: "unknown", stale: false },
      { monitorId: "api-eu", region: "eu-west", status: "up", stale: true },
      // A heartbeat monitor's pings come to the server: its own region only.
      { monitorId: "cron", region: "local", status: "unknown", stale: false },
    ]);
  });

  it("names the server's own region as declared when it is declared with a name", () => {
    const input = regionsInputOf(configOf(yaml(true, "probe: { region: eu-west }")), statusOf);
    expect(input?.names).toEqual([
      { id: "eu-west", name: "Europe West" },
      { id: "us-east", name: "US East" },
    ]);
  });
});
