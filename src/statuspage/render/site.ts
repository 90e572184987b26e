import type { PageView } from "../view/types.ts";
import { componentBadge, overallBadge } from "./badges.ts";
import { renderAtom, renderRss } from "./feeds.ts";
import { pagePaths, renderHistoryPage, renderIncidentPage, renderMaintenancePage, renderPage } from "./html/index.ts";
import { v2Documents } from "./v2.ts";
import { localTimeScript } from "./local-time.ts";
import { widgetIframeHtml, widgetScript } from "./widget.ts";

/** One file of the public site. */
export interface SiteFile {
  contentType: string;
  cacheControl: string;
  body: string;
}

// Short enough that a CDN picks up a change within seconds, and stale copies keep being served while it
// revalidates, or for a day while the origin is down.
const pageCache = "public, max-age=10, stale-while-revalidate=60, stale-if-error=86400";
const assetCache = "public, max-age=60, stale-while-revalidate=300, stale-if-error=86400";

const html = "text/html; charset=utf-8";
const json = "application/json; charset=utf-8";

/**
 * Every file of the public site from one view (pure): the HTML pages (home, incidents, maintenances,
 * history), Statuspage's v2 JSON, RSS and Atom, SVG badges, the widget script and its iframe page.
 * Keys are request paths; a history page after the first is `/history?page=N`.
 */
export function renderSite(view: PageView): Map<string, SiteFile> {
  const files = new Map<string, SiteFile>();
  const add = (path: string, contentType: string, body: string, cacheControl = pageCache) => files.set(path, { contentType, cacheControl, body });

  add("/", html, renderPage(view));
  for (const path of pagePaths(view)) {
    const incident = /^\/incidents\/([^/?]+)$/.exec(path);
    const maintenance = /^\/maintenances\/([^/?]+)$/.exec(path);
    const history = /^\/history(?:\?page=(\d+))?$/.exec(path);
    const body = incident
      ? renderIncidentPage(view, decodeURIComponent(incident[1] ?? ""))
      : maintenance
        ? renderMaintenancePage(view, decodeURIComponent(maintenance[1] ?? ""))
        : history
          ? renderHistoryPage(view, Number(history[1] ?? "1")).html
          : undefined;
    if (body !== undefined) add(path, html, body);
  }
  for (const [name, document] of Object.entries(v2Documents(view))) add(`/api/v2/${name}`, json, JSON.stringify(document));
  add("/history.rss", "application/rss+xml; charset=utf-8", renderRss(view));
  add("/history.atom", "application/atom+xml; charset=utf-8", renderAtom(view));
  add("/badge.svg", "image/svg+xml; charset=utf-8", overallBadge(view).svg, assetCache);
  for (const c of view.components) {
    const status = componentBadge(view, c.id, "status");
    const uptime = componentBadge(view, c.id, "uptime");
    if (status) add(`/badges/${encodeURIComponent(c.id)}.svg`, "image/svg+xml; charset=utf-8", status.svg, assetCache);
    // A third-party component (an upstream provider) has no uptime of ours to show.
    if (uptime && !c.thirdParty) add(`/badges/${encodeURIComponent(c.id)}/uptime.svg`, "image/svg+xml; charset=utf-8", uptime.svg, assetCache);
  }
  add("/widget.js", "text/javascript; charset=utf-8", widgetScript(view), assetCache);
  add("/local-time.js", "text/javascript; charset=utf-8", localTimeScript(), assetCache);
  add("/embed", html, widgetIframeHtml(view), assetCache);
  return files;
}
