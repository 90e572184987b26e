import { readFile } from "node:fs/promises";
import type { ActionContext, ActionFacts } from "./types.ts";

/** Whether a process runs (a zombie, killed but not yet reaped by the container's init, does not). */
export async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat !== "" && !/^\d+ \(.*\) Z/.test(stat);
}

/** The facts of a run for an open database incident, as the runner builds them. */
export function factsFixture(overrides: Partial<ActionFacts["run"]> = {}): ActionFacts {
  return {
    run: { id: "run_test1", action: "scale-down", idempotency_key: "action:run_test1", attempt: 1, requested_by: "user:ada@example.com", ...overrides },
    window: null,
    incident: {
      id: "inc_orders",
      name: "Orders database outage",
      status: "investigating",
      impact: "major",
      started_at: "2026-12-01T10:00:00.000Z",
      resolved_at: null,
      root_components: ["orders-db"],
      impacted_components: ["orders-db", "api"],
      url: "https://status.example.com/incidents/inc_orders",
    },
    components: [
      { id: "orders-db", name: "Orders database", status: "major_outage" },
      { id: "api", name: "Production API", status: "partial_outage" },
    ],
    windows: [{ component: "orders-db", start: "2026-12-01T09:59:30.000Z", earliest_possible_start: "2026-12-01T09:59:30.000Z", confirmed_start: "2026-12-01T10:00:00.000Z", end: null, worst: "major_outage" }],
    evidence: [{ component: "orders-db", kind: "db.crash_loop", text: "Orders database restarted 3 times in 2 minutes" }],
    step: null,
  };
}

/** An attempt's context: a real clock and fetch, a timeout of `timeoutMs`. */
export function actionContext(timeoutMs = 5_000, now: () => Date = () => new Date()): ActionContext {
  return { signal: AbortSignal.timeout(timeoutMs + 1_000), timeoutMs, now, fetch };
}
