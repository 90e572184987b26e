/**
 * Who holds a database server's connections: the server's list of connections grouped by who opened them, bounded to
 * the largest groups plus a count of the rest, and carried in a result as the `holders` fact (compact JSON, because
 * facts are plain values). Pure: the probes read the rows, detection and diagnosis read the fact back.
 */

/** One group of connections: the same user, client host (without port), database, client name and state. */
export interface HolderGroup {
  user: string | null;
  /** The client's address or host name, without its port. */
  host: string | null;
  db: string | null;
  /** The client's own name: PostgreSQL's application_name, Redis's CLIENT SETNAME. */
  app: string | null;
  /** "idle" or "active" (MySQL), PostgreSQL's state ("idle in transaction"…), null when the server does not say. */
  state: string | null;
  count: number;
}

/** The connections a check could see besides its own, grouped: the largest `holderGroups` groups and the rest. */
export interface Holders {
  /** Connections seen, the check's own excluded. */
  seen: number;
  /** The largest groups, largest first. */
  top: HolderGroup[];
  /** Connections in the groups not listed. */
  rest: number;
}

/** How many groups a result carries. */
export const holderGroups = 5;

/** The longest name kept in a group (user, host, database, client name, state). */
const maxName = 64;

/** One connection as a server lists it. */
export type HolderRow = Omit<HolderGroup, "count">;

/** Groups connections by user, host, database, client name and state; the largest first (ties by name), bounded. */
export function groupHolders(rows: Iterable<HolderRow>, limit = holderGroups): Holders {
  const groups = new Map<string, HolderGroup>();
  let seen = 0;
  for (const row of rows) {
    const group: HolderRow = { user: name(row.user), host: name(row.host), db: name(row.db), app: name(row.app), state: name(row.state) };
    const key = JSON.stringify([group.user, group.host, group.db, group.app, group.state]);
    const existing = groups.get(key);
    if (existing) existing.count++;
    else groups.set(key, { ...group, count: 1 });
    seen++;
  }
  const sorted = [...groups.entries()].sort(([ka, a], [kb, b]) => b.count - a.count || (ka < kb ? -1 : ka > kb ? 1 : 0)).map(([, g]) => g);
  const top = sorted.slice(0, limit);
  return { seen, top, rest: seen - top.reduce((sum, g) => sum + g.count, 0) };
}

/** A client host without its port: "10.0.4.7:51234" → "10.0.4.7", "[::1]:5000" → "::1", "::1:5000" stays ambiguous and loses its last part. */
export function withoutPort(host: string | null): string | null {
  if (host === null || host === "") return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1] ?? null;
  return host.replace(/:\d+$/, "");
}

/** The longest `holders` fact: what a remote agent may send as one fact. */
export const maxHoldersLength = 2_000;

/** The `holders` fact for a result, at most `maxHoldersLength` long: the smallest groups join the rest until it fits. */
export function encodeHolders(holders: Holders): string {
  const top = [...holders.top];
  let rest = holders.rest;
  for (;;) {
    const text = JSON.stringify({ seen: holders.seen, top: top.map((g) => [g.user, g.host, g.db, g.app, g.state, g.count]), rest });
    const last = top.at(-1);
    if (text.length <= maxHoldersLength || last === undefined) return text;
    top.pop();
    rest += last.count;
  }
}

/**
 * The holders a `holders` fact carries (its compact JSON), or an event's `holders` (the same as an object, see
 * `holdersData`); null when there are none or they are malformed.
 */
export function decodeHolders(value: unknown): Holders | null {
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const { seen, top, rest } = parsed as Record<string, unknown>;
  if (!count(seen) || !count(rest) || !Array.isArray(top)) return null;
  const groups: HolderGroup[] = [];
  for (const entry of top) {
    const fields: unknown[] | null = Array.isArray(entry)
      ? entry
      : typeof entry === "object" && entry !== null
        ? ["user", "host", "db", "app", "state", "count"].map((k) => (entry as Record<string, unknown>)[k])
        : null;
    if (fields === null || fields.length !== 6 || !count(fields[5])) return null;
    const [user, host, db, app, state] = fields.slice(0, 5).map((v) => (typeof v === "string" ? v : null));
    groups.push({ user: user ?? null, host: host ?? null, db: db ?? null, app: app ?? null, state: state ?? null, count: fields[5] });
  }
  return { seen, top: groups, rest };
}

/** Holders as event data: plain objects a reader of the API understands without decoding. */
export function holdersData(holders: Holders): Record<string, unknown> {
  return { seen: holders.seen, top: holders.top.map((g) => ({ ...g })), rest: holders.rest };
}

function name(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === "") return null;
  return value.length > maxName ? `${value.slice(0, maxName - 1)}…` : value;
}

function count(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}
