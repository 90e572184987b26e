import { Gauge, type Registry } from "prom-client";
import { lastRead } from "../../observability/last-read.ts";
import type { AgentRow } from "../../store/types.ts";

/**
 * Per-agent gauges on `/metrics`, read from the store (every node answers the same): when each agent was last heard,
 * its buffer, what it dropped, and its check rate. A scrape never waits more than half a second for the store: a
 * node cut off from its database still answers `/metrics` (with the agents as last read), which is when it matters.
 */
export function registerAgentGauges(registry: Registry, agents: () => Promise<AgentRow[]>): void {
  const labelNames = ["agent", "region"] as const;
  const read = lastRead(agents, [] as AgentRow[]);
  const gauge = (name: string, help: string, value: (row: AgentRow) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await read()) this.set({ agent: row.id, region: row.region }, value(row));
      },
    });
  gauge("vigil_agent_last_seen_timestamp_seconds", "When a node last heard each remote agent (Unix time).", (r) => r.lastSeen.getTime() / 1000);
  gauge("vigil_agent_buffered_results", "Results waiting on each agent's disk behind its last batch.", (r) => r.bufferResults);
  gauge("vigil_agent_dropped_results", "Results each agent dropped from its full (or too old) buffer, as it last reported (it only grows).", (r) => r.bufferDropped);
  gauge("vigil_agent_checks_per_second", "Each agent's checks per second over its last minute, as it last reported.", (r) => r.checksPerSecond);
}
