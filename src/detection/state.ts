import type { MonitorState } from "./types.ts";

/** The state of a monitor nothing has been observed for yet. */
export function initialState(monitorId: string): MonitorState {
  return {
    version: 1,
    monitorId,
    status: "unknown",
    announced: "unknown",
    flapping: false,
    changes: [],
    lastChangeAt: null,
    episode: null,
    regions: {},
  };
}

/**
 * A persisted state (parsed JSON) if it is one this version understands for `monitorId`;
 * undefined otherwise, and detection then starts afresh rather than trusting a foreign shape.
 */
export function restoreState(value: unknown, monitorId: string): MonitorState | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const state = value as Partial<MonitorState>;
  if (state.version !== 1 || state.monitorId !== monitorId) return undefined;
  if (typeof state.regions !== "object" || state.regions === null || !Array.isArray(state.changes)) return undefined;
  return state as MonitorState;
}
