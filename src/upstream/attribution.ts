/**
 * Which degraded upstream providers likely explain an incident of ours: an upstream is a node of the component graph
 * (`orders-db` depends on `aws-rds-us-west-2`), its state is folded from successive feed readings, and an incident is
 * attributed to the degraded upstreams its components depend on whose degradation fits its time. Pure.
 */
import type { Graph } from "../incidents/graph.ts";
import { utcTime, type UpstreamReading } from "./match.ts";
import type { UpstreamStatus } from "./types.ts";

/** An upstream as its readings left it. */
export interface UpstreamState {
  upstreamId: string;
  name: string;
  status: UpstreamStatus;
  /** When the current degradation began (the latest one when it flapped); null when not degraded. */
  degradedSince: Date | null;
  /** The provider's worst open incident behind the status, when there is one. */
  incident: { title: string; url: string | null; startedAt: Date } | null;
}

/** One of our incidents, as attribution needs to see it. */
export interface OurIncident {
  id: string;
  startedAt: Date;
  resolvedAt: Date | null;
  rootIds: string[];
  impactedIds: string[];
  /** Upstream ids the incident is already attributed to. */
  attributedTo: string[];
}

/** An upstream that likely explains an incident of ours. */
export interface Attribution {
  incidentId: string;
  upstreamId: string;
  upstreamName: string;
  /** Our component, of the incident's, that depends on the upstream (see `attribute`). */
  via: string;
  /** The provider's incident, when it reports one. */
  title: string | null;
  url: string | null;
  /** When the upstream's degradation began. */
  since: Date;
  /** "likely upstream: Amazon RDS (Oregon) — provider reports an incident since 13:20 UTC: Increased error rates". */
  summary: string;
}

/** Whether a status says the upstream is failing: degraded_performance, partial_outage or major_outage (not maintenance). */
export function isDegraded(status: UpstreamStatus): boolean {
  return status !== "operational" && status !== "under_maintenance";
}

/**
 * The upstream's state after a reading at `now`. The status and the incident (the reading's first, its worst) are the
 * reading's. `degradedSince`: null when the reading is not degraded; the previous state's when it was already
 * degraded (the degradation goes on); otherwise (it turns degraded, or there is no previous state) `now`, or the
 * earliest start of the reading's incidents when earlier — providers post after the fact. So an upstream that flaps
 * (degraded → operational → degraded) is degraded since the latest turn.
 */
export function nextUpstreamState(
  previous: UpstreamState | null,
  upstream: { id: string; name: string },
  reading: UpstreamReading,
  now: Date,
): UpstreamState {
  const worst = reading.incidents[0];
  const incident = worst === undefined ? null : { title: worst.title, url: worst.url, startedAt: worst.startedAt };
  let degradedSince: Date | null = null;
  if (isDegraded(reading.status)) {
    if (previous !== null && isDegraded(previous.status) && previous.degradedSince !== null) {
      degradedSince = previous.degradedSince;
    } else {
      const starts = reading.incidents.map((i) => i.startedAt.getTime()).filter((t) => Number.isFinite(t));
      degradedSince = new Date(Math.min(now.getTime(), ...starts));
    }
  }
  return { upstreamId: upstream.id, name: upstream.name, status: reading.status, degradedSince, incident };
}

/**
 * The upstreams each incident is newly attributed to, incidents in the order given, then by the start of the
 * upstream's degradation, then by upstream id. An upstream is attributed to an incident when all hold:
 * - it is degraded now (`isDegraded`: an upstream under maintenance or operational is never attributed);
 * - it is not in the incident's `attributedTo` (never twice);
 * - a root or impacted component of the incident depends on it, directly or transitively, over hard or soft edges
 *   (upstreams are nodes of the graph); an upstream no component of the incident depends on, or one missing from the
 *   graph, is never attributed. `via` is the nearest (fewest edges) root that depends on it, else the nearest
 *   impacted component; ties by id. The upstream itself is never its own `via`;
 * - its degradation (`degradedSince`; when null, its incident's start, else `now`) began, with S our start and R our
 *   resolution:
 *   - at or before S — whether `windowMs` or days before: the upstream is degraded now and `degradedSince` is the
 *     start of its current degradation, so it was degraded when ours started, the likeliest cause there is;
 *   - after S while ours is open (R null), or before R (it started while ours was open, even if ours resolved since);
 *   - after S by at most `windowMs` (inclusive) even when ours resolved before that: providers report late.
 *   A degradation that began more than `windowMs` after S, at or after R, is not attributed. The window before S is
 *   thus no limit on its own: an upstream that degraded shortly before S and recovered is no longer degraded, and an
 *   earlier spell that ended does not count (`degradedSince` is the latest start).
 * The summary: "likely upstream: <name> — provider reports an incident since HH:MM UTC: <title>", or with no
 * provider incident "likely upstream: <name> — provider reports <status> since HH:MM UTC"; times on another UTC day
 * than our start are given as "YYYY-MM-DD HH:MM UTC". Throws RangeError for a negative or non-finite `windowMs`.
 */
export function attribute(
  incidents: readonly OurIncident[],
  upstreams: readonly UpstreamState[],
  graph: Graph,
  windowMs: number,
  now: Date,
): Attribution[] {
  if (!Number.isFinite(windowMs) || windowMs < 0) throw new RangeError(`windowMs must be a non-negative number, got ${windowMs}`);
  const degraded = upstreams.filter((u) => isDegraded(u.status));
  const distances = new Map<string, Map<string, number>>();
  const distancesFrom = (id: string): Map<string, number> => {
    let found = distances.get(id);
    if (found === undefined) {
      found = dependentDistances(graph, id);
      distances.set(id, found);
    }
    return found;
  };

  const attributions: Attribution[] = [];
  for (const incident of incidents) {
    const done = new Set(incident.attributedTo);
    const start = incident.startedAt.getTime();
    const resolved = incident.resolvedAt?.getTime() ?? null;
    const found: Attribution[] = [];
    for (const upstream of degraded) {
      if (done.has(upstream.upstreamId)) continue;
      const since = upstream.degradedSince ?? upstream.incident?.startedAt ?? now;
      const began = since.getTime();
      // Degraded at our start, or began while ours is (or was) open, or within the window after our start. The first
      // is implied by the second when resolvedAt ≥ startedAt; it stays for a resolution recorded before the start.
      const inTime = began <= start || resolved === null || began < resolved || began <= start + windowMs;
      if (!inTime) continue;
      const distance = distancesFrom(upstream.upstreamId);
      const via =
        nearest(incident.rootIds, distance, upstream.upstreamId) ?? nearest(incident.impactedIds, distance, upstream.upstreamId);
      if (via === null) continue;
      done.add(upstream.upstreamId);
      found.push({
        incidentId: incident.id,
        upstreamId: upstream.upstreamId,
        upstreamName: upstream.name,
        via,
        title: upstream.incident?.title ?? null,
        url: upstream.incident?.url ?? null,
        since,
        summary: summaryOf(upstream, since, incident.startedAt),
      });
    }
    found.sort((a, b) => a.since.getTime() - b.since.getTime() || a.upstreamId.localeCompare(b.upstreamId));
    attributions.push(...found);
  }
  return attributions;
}

/**
 * The upstreams that turned degraded since `previous` (matched by upstreamId), in the order given: degraded now, and
 * not degraded before or not in `previous` at all (a new upstream, or the first reading). Staying degraded (even
 * getting worse) is no turn, and maintenance is no degradation. Pass the stored states as `previous` so that a
 * restart does not warn again. For an `upstream.degraded` signal before our probes see anything.
 */
export function earlyWarning(upstreams: readonly UpstreamState[], previous: readonly UpstreamState[]): UpstreamState[] {
  const before = new Map(previous.map((state) => [state.upstreamId, state]));
  return upstreams.filter((state) => {
    if (!isDegraded(state.status)) return false;
    const was = before.get(state.upstreamId);
    return was === undefined || !isDegraded(was.status);
  });
}

function summaryOf(upstream: UpstreamState, since: Date, ourStart: Date): string {
  const { incident } = upstream;
  if (incident !== null) {
    return `likely upstream: ${upstream.name} — provider reports an incident since ${when(incident.startedAt, ourStart)}: ${incident.title}`;
  }
  return `likely upstream: ${upstream.name} — provider reports ${upstream.status} since ${when(since, ourStart)}`;
}

function when(date: Date, ourStart: Date): string {
  if (Number.isNaN(date.getTime())) return utcTime(date);
  const day = date.toISOString().slice(0, 10);
  const sameDay = !Number.isNaN(ourStart.getTime()) && day === ourStart.toISOString().slice(0, 10);
  return sameDay ? utcTime(date) : `${day} ${utcTime(date)}`;
}

/** Of `ids`, the one fewest edges downstream of the upstream (ties by id), the upstream itself excluded; null when none is. */
function nearest(ids: readonly string[], distance: ReadonlyMap<string, number>, upstreamId: string): string | null {
  let best: { id: string; hops: number } | null = null;
  for (const id of ids) {
    const hops = distance.get(id);
    if (hops === undefined || id === upstreamId) continue;
    if (best === null || hops < best.hops || (hops === best.hops && id < best.id)) best = { id, hops };
  }
  return best?.id ?? null;
}

/** Everything that depends on `id`, directly or transitively over any edge, mapped to its fewest edges away. */
function dependentDistances(graph: Graph, id: string): Map<string, number> {
  const hops = new Map<string, number>([[id, 0]]);
  const queue = [id];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    const next = (hops.get(current) ?? 0) + 1;
    for (const edge of graph.dependents.get(current) ?? []) {
      if (hops.has(edge.id)) continue;
      hops.set(edge.id, next);
      queue.push(edge.id);
    }
  }
  hops.delete(id);
  return hops;
}
