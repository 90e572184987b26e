/**
 * `vigil`: another Vigil instance's status page. Vigil serves Statuspage's public API v2 field for field
 * (src/statuspage/render/v2.ts), so this is the `statuspage` reader under its own name: `/api/v2/summary.json` under
 * the page's URL, read by `parseSummary`.
 */
import type * as z from "zod";
import type { FeedFormat } from "../types.ts";
import { parseSummary, StatuspageConfig, summaryUrl } from "./statuspage.ts";

/** The keys of a `vigil` feed: the other Vigil's status page URL. */
export const VigilConfig = StatuspageConfig;
/** A validated `vigil` feed configuration. */
export type VigilConfig = z.output<typeof VigilConfig>;

/** Reads another Vigil's status page (its Statuspage-compatible summary.json). */
export const vigilFormat: FeedFormat<VigilConfig> = {
  type: "vigil",
  configSchema: VigilConfig,
  url: (config) => summaryUrl(config.url),
  accept: "application/json",
  parse: (body, _config, ctx) => parseSummary(body, ctx),
};
