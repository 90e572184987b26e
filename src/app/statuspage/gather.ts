import { createHash } from "node:crypto";
import type { VigilConfig } from "../../config/index.ts";
import type { ComponentStatus } from "../../incidents/component-status.ts";
import { projectComponentStatuses } from "../../incidents/projection.ts";
import type { StatusChange } from "../../incidents/windows.ts";
import { barDays, type RegionsInput, type UpstreamInput, type ViewInput } from "../../statuspage/view/build.ts";
import type { SubscribeView } from "../../statuspage/view/types.ts";
import { catalogFromConfig } from "../../catalog/from-config.ts";
import type { ComponentRow, IncidentUpdateRow, Store } from "../../store/types.ts";
import { toStatusChange } from "../incidents/context.ts";
import type { UpstreamView } from "../upstream/watcher.ts";
import { withoutTrailingSlashes } from "../../core/text.ts";

/** How far back incidents are kept on the page (the bars' 90 days, and the history beyond them). */
const historyLimit = 500;

/** The page's stable id: derived from its public address, so that it survives restarts and moves between nodes. */
export function pageIdOf(url: string): string {
  return createHash("sha256").update(url).digest("hex").slice(0, 12);
}

/** The address the public reaches the page at: server.public_url, else site.url, else the listening address. */
export function publicUrlOf(config: VigilConfig, listening: string): string {
  return withoutTrailingSlashes(config.server.public_url ?? config.site.url ?? listening);
}

/** What the subscribe form offers: e-mail when an SMTP server is configured, webhooks unless turned off; null without a `subscribers` section. */
export function subscribeOf(config: VigilConfig): SubscribeView | null {
  const settings = config.subscribers;
  if (settings === undefined) return null;
  const offer = { email: settings.email !== undefined, webhook: settings.webhooks };
  return offer.email || offer.webhook ? offer : null;
}

/**
 * Reads what the status page shows from the store: components, published incidents with their
 * updates, maintenances, and the component status changes behind the uptime bars. `statuses` are the
 * engine's live statuses; without them (an export from the store alone) the last recorded ones are used. The
 * subscribe form is offered as the configuration says, except in an export (`fromConfig`): static files have no
 * server to post it to. `upstreams` are the upstream watcher's views: those with `show_on_status_page` are shown as
 * third-party components (none without it, as in an export). `regions` is the per-region detail (`regionsInputOf`);
 * none without it, as in an export (made from the store, with no monitoring running).
 */
export async function gatherViewInput(
  store: Store,
  config: VigilConfig,
  options: { now: Date; publicUrl: string; statuses?: Record<string, ComponentStatus>; fromConfig?: boolean; upstreams?(): readonly UpstreamView[]; regions?: RegionsInput },
): Promise<ViewInput> {
  const since = new Date(options.now.getTime() - (barDays + 1) * 86_400_000);
  const [components, unresolved, recent, maintenances] = await Promise.all([
    store.catalog.components(),
    store.incidents.list({ openOnly: true, limit: historyLimit }),
    store.incidents.list({ limit: historyLimit }),
    store.maintenances.list({ limit: 1000 }),
  ]);
  const shown = options.fromConfig ? configComponents(config, components, options.now) : components;
  // The bars' days, and each component's change in force at their start: never the whole history.
  const changeEvents = await store.events.statusChangesSince(since, shown.map((c) => c.id));
  const byId = new Map([...recent, ...unresolved].filter((i) => i.publishedAt !== null).map((i) => [i.id, i]));
  const rows = [...byId.values()];
  const updatesOf = new Map<string, IncidentUpdateRow[]>();
  for (const u of await store.incidents.updatesOf(rows.map((r) => r.id))) updatesOf.set(u.incidentId, [...(updatesOf.get(u.incidentId) ?? []), u]);
  const changes: StatusChange[] = changeEvents.map(toStatusChange);
  const statusChangedAt: Record<string, Date> = {};
  for (const event of changeEvents) if (event.subject !== null) statusChangedAt[event.subject] = event.at;
  return {
    pageId: pageIdOf(options.publicUrl),
    site: {
      name: config.site.name,
      url: options.publicUrl,
      timeZone: config.site.time_zone,
      description: config.site.description ?? null,
      logoUrl: config.site.logo_url ?? null,
      accentColor: config.site.accent_color ?? null,
      links: config.site.links.map((l) => ({ label: l.label, url: l.url })),
    },
    components: shown,
    statuses: options.statuses ?? projectComponentStatuses(changeEvents),
    incidents: rows.map((row) => ({ row, updates: updatesOf.get(row.id) ?? [] })),
    maintenances,
    changes,
    statusChangedAt,
    now: options.now,
    subscribe: options.fromConfig ? null : subscribeOf(config),
    upstreams: shownUpstreams(options.upstreams?.() ?? []),
    ...(options.regions === undefined ? {} : { regions: options.regions }),
  };
}

/** The upstreams to show on the page as third-party components: those with `show_on_status_page`, as the view takes them. */
export function shownUpstreams(views: readonly UpstreamView[]): UpstreamInput[] {
  return views.filter((u) => u.showOnStatusPage).map((u) => ({ id: u.upstreamId, name: u.name, status: u.status }));
}

/**
 * The configuration's components, dated by the stored catalog where it knows them: an export reads the
 * store without changing it, so components the running server has not synced yet still appear.
 */
function configComponents(config: VigilConfig, stored: readonly ComponentRow[], now: Date): ComponentRow[] {
  const known = new Map(stored.map((c) => [c.id, c]));
  return catalogFromConfig(config).components.map((c) => ({ ...c, createdAt: known.get(c.id)?.createdAt ?? now, updatedAt: known.get(c.id)?.updatedAt ?? now, removedAt: null }));
}
