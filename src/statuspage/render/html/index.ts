/** The public status page's server-side HTML: pure functions of a `PageView`. */
export { pagePaths, renderPage } from "./page.ts";
export { renderIncidentPage } from "./incident.ts";
export { renderMaintenancePage } from "./maintenance.ts";
export { historyPageCount, monthsPerPage, renderHistoryPage } from "./history.ts";
export { pageStyles } from "./styles.ts";
