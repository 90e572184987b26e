import { createHistogram } from "node:perf_hooks";
import type { Metric, Registry } from "prom-client";

/** How often the event loop is sampled; a sample is how much later than due the sampling timer fired. */
export const eventLoopResolutionMs = 10;
/** The quantiles of each window; 1 is its maximum. */
const quantiles = [0.5, 0.9, 0.99, 1] as const;

/** A metric family as prom-client's registry reads it from `get()`. */
interface Family {
  name: string;
  help: string;
  type: "summary";
  aggregator: "sum";
  values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
}

/**
 * `vigil_event_loop_delay_seconds`: how late the event loop runs what is due, sampled every 10 ms by a timer of its own,
 * as a summary: quantiles 0.5, 0.9, 0.99 and 1 (the maximum) over the samples since the previous scrape (NaN when there
 * were none), and the running `_sum` and `_count` of every sample since the start. Each scrape starts a new window, so
 * the quantiles are those of one scraper's interval.
 *
 * Not node:perf_hooks' monitorEventLoopDelay: its reset() also forgets when it last sampled, so the first interval after
 * each scrape went unmeasured, and with it a block right after a scrape (such as the scrape's own store reads).
 */
export function registerEventLoopDelay(registry: Registry): void {
  const name = "vigil_event_loop_delay_seconds";
  const histogram = createHistogram();
  let due = performance.now() + eventLoopResolutionMs;
  setInterval(() => {
    const now = performance.now();
    // In nanoseconds, at least 1 (what a recordable histogram takes).
    histogram.record(Math.max(1, Math.round((now - due) * 1e6)));
    due = now + eventLoopResolutionMs;
  }, eventLoopResolutionMs).unref();
  const seconds = (ns: number) => (ns <= 1 ? 0 : ns / 1e9);
  let sum = 0;
  let count = 0;
  const family = (): Family => {
    const samples = histogram.count;
    const values = quantiles.map((q) => ({ labels: { quantile: q }, value: samples === 0 ? Number.NaN : seconds(q === 1 ? histogram.max : histogram.percentile(q * 100)) }));
    if (samples > 0) {
      count += samples;
      sum += seconds(histogram.mean) * samples;
    }
    histogram.reset();
    return {
      name,
      help: "How late the event loop ran what was due, sampled every 10 ms: quantiles over the samples since the previous scrape (1 is the maximum), with the sum and count of all samples.",
      type: "summary",
      aggregator: "sum",
      values: [...values, { metricName: `${name}_sum`, labels: {}, value: sum }, { metricName: `${name}_count`, labels: {}, value: count }],
    };
  };
  const metric = { name, help: "", get: () => Promise.resolve(family()), reset: () => histogram.reset() };
  // prom-client's registry takes any object with a name and `get()`; its types list only its own classes.
  registry.registerMetric(metric as unknown as Metric);
}
