/**
 * Statuses in words and shapes. Every status the page shows is written out as text next to a shape that differs per
 * status (circle with a tick, triangle, diamond, octagon with a cross, circle with clock hands), so nothing depends on
 * colour alone. The shapes are inline SVG (no external requests), hidden from assistive technology since the text
 * says the same.
 */
import type { ComponentStatus } from "../../../incidents/component-status.ts";
import type { Indicator, IncidentView, MaintenanceView } from "../../view/types.ts";
import { esc } from "./escape.ts";

export type ShownStatus = ComponentStatus | "no_data";

const componentLabels: Record<ShownStatus, string> = {
  operational: "Operational",
  degraded_performance: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
  under_maintenance: "Under maintenance",
  no_data: "No data",
};

const knownStatus = (status: string): status is ShownStatus => Object.hasOwn(componentLabels, status);

/** "Major outage" for major_outage; an unknown status is spelled out from its code. */
export function componentStatusLabel(status: string): string {
  return knownStatus(status) ? componentLabels[status] : humanise(status);
}

/** The status class suffix for `status`, a known status or "no_data". */
export function statusClass(status: string): ShownStatus {
  return knownStatus(status) ? status : "no_data";
}

/** "some_code" → "Some code". */
export function humanise(code: string): string {
  const words = code.replace(/[_-]+/g, " ").trim();
  return words === "" ? "Unknown" : words.charAt(0).toUpperCase() + words.slice(1);
}

const incidentLabels: Record<string, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  postmortem: "Postmortem",
  // Maintenance updates, should a view carry them.
  scheduled: "Scheduled",
  in_progress: "In progress",
  verifying: "Verifying",
  completed: "Completed",
};

/** "Identified" for identified; update statuses are free strings, so unknown ones are spelled out. */
export function incidentStatusLabel(status: string): string {
  return Object.hasOwn(incidentLabels, status) ? (incidentLabels[status] as string) : humanise(status);
}

export function maintenanceStatusLabel(status: MaintenanceView["status"] | string): string {
  return incidentStatusLabel(status);
}

const impactLabels: Record<IncidentView["impact"], string> = {
  none: "No impact",
  minor: "Minor impact",
  major: "Major impact",
  critical: "Critical impact",
};

export function impactLabel(impact: string): string {
  return Object.hasOwn(impactLabels, impact) ? impactLabels[impact as IncidentView["impact"]] : humanise(impact);
}

/** An incident is active until it is resolved (a postmortem comes after resolution). */
export function isActive(incident: IncidentView): boolean {
  return incident.status !== "resolved" && incident.status !== "postmortem";
}

/** The component status whose colour and shape stand for an overall indicator. */
export function indicatorStatus(indicator: Indicator | string): ComponentStatus {
  switch (indicator) {
    case "minor":
      return "degraded_performance";
    case "major":
      return "partial_outage";
    case "critical":
      return "major_outage";
    case "maintenance":
      return "under_maintenance";
    default:
      return "operational";
  }
}

// 16 × 16 shapes with their mark cut out (even-odd fill), so one colour draws both.
const circle = "M8 .75a7.25 7.25 0 1 0 0 14.5A7.25 7.25 0 1 0 8 .75z";
const shapes: Record<ShownStatus, string> = {
  operational: `${circle}M3.9 8.3l1.4-1.4L7 8.6l3.7-3.7 1.4 1.4L7 11.4z`,
  degraded_performance: "M8 .9l7.6 14.2H.4zM7.1 5.6h1.8v4.6H7.1zm0 5.7h1.8v1.8H7.1z",
  partial_outage: "M8 .2L15.8 8 8 15.8.2 8zM7.1 4h1.8v5H7.1zm0 6.2h1.8V12H7.1z",
  major_outage: "M5 .75h6L15.25 5v6L11 15.25H5L.75 11V5zM4.6 5.9l1.3-1.3L8 6.7l2.1-2.1 1.3 1.3L9.3 8l2.1 2.1-1.3 1.3L8 9.3l-2.1 2.1-1.3-1.3L6.7 8z",
  under_maintenance: `${circle}M7.1 3.5h1.8v3.6h3.4v1.8H7.1z`,
  no_data: `${circle}M8 3a5 5 0 1 0 0 10A5 5 0 1 0 8 3z`,
};

/** The shape of `status`, decorative. */
export function statusIcon(status: string): string {
  const s = statusClass(status);
  return `<svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path fill-rule="evenodd" d="${shapes[s]}"/></svg>`;
}

/** A status as shape and words: `<span class="status st-…">…Major outage</span>`. */
export function statusBadge(status: string): string {
  return `<span class="status st-${statusClass(status)}">${statusIcon(status)}${esc(componentStatusLabel(status))}</span>`;
}
