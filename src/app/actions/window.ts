import { AppError } from "../../core/errors.ts";
import { parseWindowId, windowAt, type OutageWindow, type WindowQuery } from "../../incidents/windows.ts";
import type { ActionRunParams } from "../../store/schema.ts";

/** What a run asked for a window by hand is recorded with: the window, and the incident it runs for. */
export interface WindowRun {
  params: Required<Pick<ActionRunParams, "window">>;
  /** The incident asked for, else the window's first incident (null for a window no incident held). */
  incidentId: string | null;
}

/**
 * The window a run is asked for by its id (`<component>@<start>`, as `vigil windows` lists it) and the incident the
 * run is for: the one given, else the window's first. AppError validation_failed for no window id, not_found for a
 * window the recorded history does not show, conflict for one still open (its end is not known yet).
 */
export async function windowRun(windows: (query: WindowQuery) => Promise<OutageWindow[]>, id: string, incidentId: string | null): Promise<WindowRun> {
  const parsed = parseWindowId(id);
  if (parsed === null) throw new AppError("validation_failed", `"${id}" is no window id: expected <component>@<start>, the start an ISO 8601 instant in UTC with milliseconds, as vigil windows lists it`, { details: [{ path: "window", message: "expected <component>@<start>" }] });
  const window = await windowAt(windows, parsed.componentId, parsed.start);
  if (window === undefined) throw new AppError("not_found", `no outage window ${id}: ${parsed.componentId} was not impaired from ${parsed.start.toISOString()} (see GET /api/v1/windows or vigil windows for the windows there are)`);
  if (window.end === null) throw new AppError("conflict", `outage window ${id} is still open: ${parsed.componentId} is still impaired; a reconciliation runs for a window once it has closed`);
  return { params: { window: { component: window.componentId, start: window.start.toISOString() } }, incidentId: incidentId ?? window.incidentIds[0] ?? null };
}
