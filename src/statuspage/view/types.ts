import type { ComponentStatus } from "../../incidents/component-status.ts";

/** The overall indicator, in Statuspage's vocabulary (plus maintenance). */
export type Indicator = "none" | "minor" | "major" | "critical" | "maintenance";

/** One day of a component's 90-day bar: the worst status that day, the uptime, the incidents. */
export interface DayView {
  /** The day in the page's time zone, YYYY-MM-DD. */
  date: string;
  /** The worst status that day; "no_data" before the component existed. */
  status: ComponentStatus | "no_data";
  /** Share of the day available (major outage counts whole, partial outage 30 %), 0–100, null without data. */
  uptimePercent: number | null;
  /** Public incidents that affected the component that day. */
  incidents: { id: string; name: string }[];
}

/** A component as the public page shows it. */
export interface ComponentView {
  id: string;
  name: string;
  description: string | null;
  status: ComponentStatus;
  position: number;
  /** The id of its group row, null when it has none. */
  groupId: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The day it was first seen (YYYY-MM-DD), Statuspage's start_date. */
  startDate: string;
  /** 90 days, oldest first, ending today. */
  days: DayView[];
  /** Uptime over the observed time of the bar's days (since the component was first seen), weighed by time, 0–100, null without data. */
  uptimePercent: number | null;
  /**
   * A third-party component: an upstream provider's status as its feed reports it (`show_on_status_page`). It has
   * no history of ours (`days` empty, `uptimePercent` null), is shown without a bar, and does not count in the
   * page's overall status. Absent for our own components.
   */
  thirdParty?: boolean;
  /**
   * What each region that checks its monitors sees (`statuspage.show_regions`), in the regions' order. Absent when the
   * option is off, for a component without monitors and for a third-party component.
   */
  regions?: RegionView[];
}

/** What a region sees of a component: the worst over the component's monitors there; "no_data" for a stale or unknown region. */
export type RegionStatus = "operational" | "degraded" | "down" | "no_data";

/** One region of a component, by its public name (declared under `regions`, or the server's own region's id). */
export interface RegionView {
  name: string;
  status: RegionStatus;
}

/** A group of components (Statuspage shows it as a component row with `group: true`). */
export interface GroupView {
  id: string;
  name: string;
  position: number;
  componentIds: string[];
  /** The worst status of its components. */
  status: ComponentStatus;
  createdAt: Date;
  updatedAt: Date;
}

/** An affected component as an update records it. */
export interface AffectedComponentView {
  code: string;
  name: string;
  old_status: string;
  new_status: string;
}

/** A public incident update, newest first in its incident. */
export interface UpdateView {
  id: string;
  status: string;
  /** Markdown as written, and its sanitised HTML. */
  body: string;
  bodyHtml: string;
  createdAt: Date;
  updatedAt: Date;
  displayAt: Date;
  affectedComponents: AffectedComponentView[];
  deliverNotifications: boolean;
}

/** A published incident. */
export interface IncidentView {
  id: string;
  name: string;
  status: "investigating" | "identified" | "monitoring" | "resolved" | "postmortem";
  impact: "none" | "minor" | "major" | "critical";
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date;
  monitoringAt: Date | null;
  resolvedAt: Date | null;
  /** The incident's page on this status page. */
  shortlink: string;
  postmortemBody: string | null;
  postmortemBodyHtml: string | null;
  postmortemPublishedAt: Date | null;
  /** Affected components with their status now. */
  components: { id: string; name: string; status: ComponentStatus }[];
  /** Newest first, as Statuspage lists them. */
  updates: UpdateView[];
}

/** A scheduled maintenance (not cancelled). */
export interface MaintenanceView {
  id: string;
  name: string;
  status: "scheduled" | "in_progress" | "verifying" | "completed";
  body: string;
  bodyHtml: string;
  createdAt: Date;
  updatedAt: Date;
  scheduledFor: Date;
  scheduledUntil: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  shortlink: string;
  components: { id: string; name: string; status: ComponentStatus }[];
}

/** A link in the page's header or footer. */
export interface LinkView {
  label: string;
  url: string;
}

/** The subscribe form's offer: which kinds of subscription the page takes (from `subscribers` in the configuration). */
export interface SubscribeView {
  /** E-mail subscriptions (an SMTP server is configured). */
  email: boolean;
  /** Webhook subscriptions. */
  webhook: boolean;
}

/** Everything the public status page, its JSON, feeds and badges are rendered from. */
export interface PageView {
  page: {
    id: string;
    name: string;
    /** The public address, no trailing slash. */
    url: string;
    timeZone: string;
    updatedAt: Date;
    description: string | null;
    logoUrl: string | null;
    accentColor: string | null;
    links: LinkView[];
  };
  status: { indicator: Indicator; description: string };
  /** Ordered by position. */
  components: ComponentView[];
  groups: GroupView[];
  /** Published incidents, newest first by creation. */
  incidents: IncidentView[];
  /** Not cancelled, by scheduled start. */
  maintenances: MaintenanceView[];
  generatedAt: Date;
  /** The "Get updates" form, when public subscriptions are on; null (or absent) for none. */
  subscribe?: SubscribeView | null;
}
