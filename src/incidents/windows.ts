import { formatDuration } from "../core/duration.ts";
import { worstOf, type ComponentStatus } from "./component-status.ts";

/** One status change of a component, as recorded on the timeline. */
export interface StatusChange {
  componentId: string;
  /** When the change was confirmed (recorded). */
  at: Date;
  from: ComponentStatus;
  to: ComponentStatus;
  /** First failing check of the cause, when known (earlier than `at`). */
  since: Date | null;
  /** Last good check before the cause, when known: the outage may have begun any time after it. */
  lastUpAt: Date | null;
  /** Incidents that held this component when the change was recorded. */
  incidentIds: readonly string[];
}

/** A stretch of an outage window spent at one status level; `to` is null for the last stretch of an ongoing window. */
export interface WindowInterval {
  status: ComponentStatus;
  from: Date;
  to: Date | null;
}

/** A maximal run during which one component was impaired (see `isImpaired`). */
export interface OutageWindow {
  componentId: string;
  /** Union of incidentIds of the changes inside the window, sorted, unique. */
  incidentIds: string[];
  /** Consecutive intervals by status level; the first starts at confirmedStart; the last has to = end. */
  intervals: WindowInterval[];
  /** The opening change's `since`, or confirmedStart when unknown (never after confirmedStart). */
  start: Date;
  /** `at` of the change that opened the window. */
  confirmedStart: Date;
  /** The opening change's lastUpAt (never after start), null when unknown. */
  earliestPossibleStart: Date | null;
  /** `at` of the change back to a non-impaired status; null while still impaired. */
  end: Date | null;
  /** Worst status over the intervals (by `worstOf`). */
  worst: ComponentStatus;
}

/** Which windows to return; every given field must match. */
export interface WindowQuery {
  componentId?: string;
  /** Only windows whose incidentIds include it. */
  incidentId?: string;
  /** Only windows overlapping [from, to): see `outageWindows`. */
  from?: Date;
  to?: Date;
}

/**
 * Whether a status counts as an outage: degraded_performance, partial_outage and major_outage do; operational does
 * not, and neither does under_maintenance, which is planned rather than a failure.
 */
export function isImpaired(status: ComponentStatus): boolean {
  return status === "degraded_performance" || status === "partial_outage" || status === "major_outage";
}

/**
 * The outage windows in a status history, for reconciliation ("everything modified while checkout was down").
 *
 * Changes may come in any order: each component's are sorted by `at` (input order kept for equal `at`); a change
 * whose `at` is not a valid date cannot be placed and is skipped. A change from a non-impaired to an impaired status
 * opens a window; from one impaired level to another it ends the current interval and starts one at `at` (the same
 * level changes nothing); back to a non-impaired status it ends the window at `at`. A change whose `from` disagrees
 * with the previous change's `to` (events went missing) is trusted by its `to`: it is read as a change from the last
 * known status. When a component's first change is from an impaired status, its history begins mid-outage: the window
 * starts at that change's `at` (its `since` and `lastUpAt` describe that change, not the unseen opening, so they are
 * not used), and if that change already ends the outage the window is a single zero-length interval at the `from`
 * level, so that the recovery is not lost.
 *
 * `start` is the opening change's `since` and `earliestPossibleStart` its `lastUpAt`, each clamped so that
 * earliestPossibleStart ≤ start ≤ confirmedStart; an invalid `since` or `lastUpAt` counts as unknown.
 *
 * The query keeps windows matching every given field. `from`/`to` keep windows overlapping [from, to), a window
 * reaching back to its earliest known bound (earliestPossibleStart, else start) and up to `end`, an open one forever:
 * it overlaps when that bound is before `to` and `end` is null or after `from`. So a window ending exactly at `from`,
 * or beginning exactly at `to`, is left out. Throws RangeError on an invalid query date.
 *
 * Windows come ordered by start, then componentId.
 */
export function outageWindows(changes: readonly StatusChange[], query: WindowQuery = {}): OutageWindow[] {
  const fromMs = queryBound(query.from, "from");
  const toMs = queryBound(query.to, "to");

  const byComponent = new Map<string, StatusChange[]>();
  for (const change of changes) {
    if (validMs(change.at) === null) continue;
    const list = byComponent.get(change.componentId);
    if (list === undefined) byComponent.set(change.componentId, [change]);
    else list.push(change);
  }

  const windows: OutageWindow[] = [];
  for (const [componentId, list] of byComponent) {
    // Array.prototype.sort is stable, so changes recorded at the same instant keep their input order.
    list.sort((a, b) => a.at.getTime() - b.at.getTime());
    windows.push(...windowsOf(componentId, list));
  }

  return windows
    .filter((window) => {
      if (query.componentId !== undefined && window.componentId !== query.componentId) return false;
      if (query.incidentId !== undefined && !window.incidentIds.includes(query.incidentId)) return false;
      const lowMs = (window.earliestPossibleStart ?? window.start).getTime();
      if (toMs !== null && lowMs >= toMs) return false;
      if (fromMs !== null && window.end !== null && window.end.getTime() <= fromMs) return false;
      return true;
    })
    .sort((a, b) => a.start.getTime() - b.start.getTime() || a.componentId.localeCompare(b.componentId));
}

/**
 * The time range to reconcile for a window: from its earliest known bound (earliestPossibleStart, else start) minus
 * `marginMs` to its end plus `marginMs`; `to` stays null while the window is open. Throws RangeError on a negative
 * or non-finite margin.
 */
export function withMargin(window: OutageWindow, marginMs: number): { from: Date; to: Date | null } {
  if (!Number.isFinite(marginMs) || marginMs < 0) throw new RangeError(`marginMs must be a finite number ≥ 0, got ${marginMs}`);
  const from = new Date((window.earliestPossibleStart ?? window.start).getTime() - marginMs);
  return { from, to: window.end === null ? null : new Date(window.end.getTime() + marginMs) };
}

// A window being built: intervals so far (the last one still open) and the incidents seen.
interface Draft {
  start: number;
  confirmedStart: number;
  earliestPossibleStart: number | null;
  intervals: WindowInterval[];
  incidentIds: Set<string>;
}

function windowsOf(componentId: string, sorted: readonly StatusChange[]): OutageWindow[] {
  const windows: OutageWindow[] = [];
  let last: ComponentStatus | null = null;
  let draft: Draft | null = null;

  for (const change of sorted) {
    const atMs = change.at.getTime();
    // Trust `to` over a disagreeing `from`: the change is read as one from the last known status.
    const previous: ComponentStatus = last ?? change.from;
    last = change.to;

    if (!isImpaired(previous)) {
      if (isImpaired(change.to)) draft = opened(change, atMs);
      continue;
    }

    // Only the first change can find the component impaired with no window open: history begins mid-outage.
    if (draft === null) {
      draft = {
        start: atMs,
        confirmedStart: atMs,
        earliestPossibleStart: null,
        intervals: [{ status: isImpaired(change.to) ? change.to : previous, from: new Date(atMs), to: null }],
        incidentIds: new Set(),
      };
    }
    for (const id of change.incidentIds) draft.incidentIds.add(id);

    const current = draft.intervals[draft.intervals.length - 1];
    if (current === undefined) continue; // a draft always has an interval
    if (!isImpaired(change.to)) {
      current.to = new Date(atMs);
      windows.push(finished(componentId, draft, atMs));
      draft = null;
    } else if (change.to !== current.status) {
      current.to = new Date(atMs);
      draft.intervals.push({ status: change.to, from: new Date(atMs), to: null });
    }
  }

  if (draft !== null) windows.push(finished(componentId, draft, null));
  return windows;
}

function opened(change: StatusChange, atMs: number): Draft {
  const sinceMs = validMs(change.since);
  const start = sinceMs === null ? atMs : Math.min(sinceMs, atMs);
  const lastUpMs = validMs(change.lastUpAt);
  return {
    start,
    confirmedStart: atMs,
    earliestPossibleStart: lastUpMs === null ? null : Math.min(lastUpMs, start),
    intervals: [{ status: change.to, from: new Date(atMs), to: null }],
    incidentIds: new Set(change.incidentIds),
  };
}

function finished(componentId: string, draft: Draft, endMs: number | null): OutageWindow {
  return {
    componentId,
    incidentIds: [...draft.incidentIds].sort(),
    intervals: draft.intervals,
    start: new Date(draft.start),
    confirmedStart: new Date(draft.confirmedStart),
    earliestPossibleStart: draft.earliestPossibleStart === null ? null : new Date(draft.earliestPossibleStart),
    end: endMs === null ? null : new Date(endMs),
    worst: draft.intervals.reduce<ComponentStatus>((worst, interval) => worstOf(worst, interval.status), "operational"),
  };
}

function validMs(date: Date | null): number | null {
  if (date === null) return null;
  const ms = date.getTime();
  return Number.isFinite(ms) ? ms : null;
}

function queryBound(date: Date | undefined, name: string): number | null {
  if (date === undefined) return null;
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`query ${name} must be a valid date`);
  return ms;
}

/** A window's id: `<component>@<start>` (ISO 8601), as the API and `vigil windows` show it and `window.closed` triggers key it. */
export function windowId(componentId: string, start: Date): string {
  return `${componentId}@${start.toISOString()}`;
}

/**
 * The component and start a window id names (the component is what comes before the last `@`); null when it is no
 * window id: no `@`, nothing before it, or no ISO 8601 instant after it that reads back the same.
 */
export function parseWindowId(id: string): { componentId: string; start: Date } | null {
  const at = id.lastIndexOf("@");
  if (at <= 0) return null;
  const text = id.slice(at + 1);
  const start = new Date(text);
  if (!Number.isFinite(start.getTime()) || start.toISOString() !== text) return null;
  return { componentId: id.slice(0, at), start };
}

/**
 * The window of `componentId` that starts at `start` exactly (as its id names it), read through `windows` over the
 * millisecond around its start (the store reads a window overlapping it whole); undefined when there is none.
 */
export async function windowAt(windows: (query: WindowQuery) => Promise<OutageWindow[]>, componentId: string, start: Date): Promise<OutageWindow | undefined> {
  const ms = start.getTime();
  const found = await windows({ componentId, from: new Date(ms - 1), to: new Date(ms + 1) });
  return found.find((w) => w.componentId === componentId && w.start.getTime() === ms);
}

/** A window as the API, the CLI and the `window.closed` event show it: ISO times, snake_case, with the margin applied. */
export interface WindowJson {
  /** `<component>@<start>`: see `windowId`. */
  id: string;
  component: string;
  incidents: string[];
  start: string;
  confirmed_start: string;
  earliest_possible_start: string | null;
  end: string | null;
  worst_status: ComponentStatus;
  margin_ms: number;
  margin_from: string;
  margin_to: string | null;
  intervals: { status: ComponentStatus; from: string; to: string | null }[];
}

/** `window` as JSON, widened by `marginMs` on both sides (see `withMargin`). */
export function windowJson(window: OutageWindow, marginMs: number): WindowJson {
  const margin = withMargin(window, marginMs);
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    id: windowId(window.componentId, window.start),
    component: window.componentId,
    incidents: [...window.incidentIds],
    start: window.start.toISOString(),
    confirmed_start: window.confirmedStart.toISOString(),
    earliest_possible_start: iso(window.earliestPossibleStart),
    end: iso(window.end),
    worst_status: window.worst,
    margin_ms: marginMs,
    margin_from: margin.from.toISOString(),
    margin_to: iso(margin.to),
    intervals: window.intervals.map((i) => ({ status: i.status, from: i.from.toISOString(), to: iso(i.to) })),
  };
}

/**
 * The headline and text of a `window.closed` event (its data, a `WindowJson`): the outage window itself (start to
 * end) apart from the reconciliation bounds (`margin_from` to `margin_to`: the earliest possible start minus the
 * margin, the end plus it), each said to be what it is.
 */
export function windowClosedText(name: string, data: Readonly<Record<string, unknown>>): { title: string; text: string } {
  const str = (key: string) => (typeof data[key] === "string" ? (data[key] as string) : "unknown");
  const marginMs = typeof data["margin_ms"] === "number" && Number.isSafeInteger(data["margin_ms"]) && data["margin_ms"] >= 0 ? data["margin_ms"] : 0;
  const margin = marginMs === 0 ? "" : ` ${formatDuration(marginMs)}`;
  const earliest = typeof data["earliest_possible_start"] === "string" ? "the earliest possible start" : "the start";
  return {
    title: `[Window] ${name} was impaired from ${str("start")} to ${str("end")}; reconcile ${str("margin_from")} to ${str("margin_to")}`,
    text:
      `Outage window of ${name}: ${str("worst_status")} from ${str("start")} (earliest possible ${str("earliest_possible_start")}) to ${str("end")}. ` +
      (marginMs === 0
        ? `Reconciliation bounds (no margin): ${str("margin_from")} (${earliest}) to ${str("margin_to")} (the end).`
        : `Reconciliation bounds, widened by the${margin} margin: ${str("margin_from")} (${earliest} minus${margin}) to ${str("margin_to")} (the end plus${margin}).`),
  };
}
