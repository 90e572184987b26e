import * as z from "zod";
import { closest } from "./suggest.ts";
import { strictMap } from "./fields.ts";
import { parseDuration } from "../core/duration.ts";

import { color, duration, host, instant, ipOrCidr, port, scalar, httpUrl, id, listenPort, positiveDuration, postgresUrl, share, size, text, timeZone, type FieldIssueParams } from "./fields.ts";
import { impacts } from "../incidents/impact.ts";
import { componentStatuses } from "../incidents/component-status.ts";
import { templateIssues, templatePlaceholders } from "../incidents/publish.ts";
import { actionRegistry, actionTypeNames } from "../actions/registry.ts";
import { userRoles } from "../auth/roles.ts";
import { oncePerScopes, triggerEventNames } from "../actions/triggers.ts";
import { channelRegistry, channelTypeNames } from "../notify/channels/registry.ts";
import { defaultGroupPolicy, RouteSchema, type Route } from "../notify/routing/config.ts";
import { feedFormats, feedTypeNames } from "../upstream/formats/registry.ts";
import { unknownFacts, AssertionList, type Assertion } from "../probes/assertions.ts";
import { monitorTypeNames, probeKeys, probeRegistry, type MonitorType } from "../probes/registry.ts";

/** A share of the regions such as "50%": more than 0, at most 100. */
const percentage = scalar('expected a share of the regions such as "50%"', (value) => {
  const match = typeof value === "string" ? /^(\d{1,3}(?:\.\d+)?)%$/.exec(value) : null;
  const share = match ? Number(match[1]) : Number.NaN;
  return share > 0 && share <= 100 ? (value as `${number}%`) : undefined;
});

/** A whole number of at least 1. */
const count = scalar("expected a whole number of at least 1", (value) => (typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : undefined));

const site = strictMap({
  name: text.default("Status"),
  url: httpUrl.optional(),
  description: text.optional(),
  time_zone: timeZone.default("UTC"),
  logo_url: httpUrl.optional(),
  accent_color: color.optional(),
  /** Links in the status page's header. */
  links: z.array(strictMap({ label: text, url: httpUrl })).default([]),
});

/** The public status page. */
const statuspage = strictMap({
  /** A directory kept up to date with the whole site as static files (atomic replacement on every change). */
  export_dir: text.optional(),
  /** Where the site is rendered: `auto` moves rendering to a worker thread once a render takes over 25 ms. */
  render_thread: z.enum(["auto", "always", "never"]).default("auto"),
  /** Show under each component what each region checking its monitors sees (operational, degraded, down, no data). */
  show_regions: z.boolean().default(false),
});

/** HSTS's max-age, in seconds: a whole number of seconds (31536000) or a duration in whole seconds (365d); at least 1s. */
const hstsMaxAge = scalar("expected a whole number of seconds such as 31536000, or a duration such as 365d", (value) => {
  const ms = typeof value === "number" ? value * 1000 : typeof value === "string" ? parseDuration(value) : undefined;
  return ms !== undefined && Number.isInteger(ms / 1000) && ms >= 1000 ? ms / 1000 : undefined;
});

const server = strictMap({
  host: text.default("127.0.0.1"),
  port: listenPort.default(8080),
  /** The address the public reaches Vigil at, used in links it sends. */
  public_url: httpUrl.optional(),
  body_limit: size.default(1024 * 1024),
  request_timeout: positiveDuration.default(30_000),
  /** How long a client may take to send its request line and headers; at most request_timeout. */
  headers_timeout: positiveDuration.default(10_000),
  /** This node's id in a cluster (default: the host name and port). */
  node_id: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, "expected 1 to 100 letters, digits, dots, colons, underscores or hyphens").optional(),
  /** Where the other nodes of a cluster reach this one's HTTP API (default: the address it listens on). */
  advertise_url: httpUrl.optional(),
  /** Strict-Transport-Security on every answer, for a deployment reached over HTTPS only; absent: none. */
  hsts: strictMap({
    max_age: hstsMaxAge,
    include_subdomains: z.boolean().default(false),
  }).optional(),
  /** Who may read /metrics: everyone (`public: true`), or a caller with `token` or an API token of scope read. */
  metrics: strictMap({
    public: z.boolean().default(false),
    /** **Secret**: a bearer token for scrapers, checked without the store. */
    token: z.string().refine((t) => t.length >= 16, { message: "must be at least 16 characters long" }).optional(),
  }).prefault({}),
  /** Reverse proxies whose X-Forwarded-For is believed: addresses or CIDR blocks. */
  trusted_proxies: z.array(ipOrCidr).default([]),
}).superRefine((value, ctx) => {
  if (value.headers_timeout > value.request_timeout) ctx.addIssue({ code: "custom", path: ["headers_timeout"], message: "must not be longer than server.request_timeout: the headers are part of the request" });
});

const storage = strictMap({
  url: postgresUrl.optional(),
  data_dir: text.optional(),
});

/** `auto`, `manual`, or a delay in which a responder may act before it is published. */
const publishPolicy = z.union([z.enum(["auto", "manual"]), duration]);

/** `depends_on` entries: `orders-db` or `{ id: orders-db, soft: true }`. */
const dependency = z.preprocess((value) => (typeof value === "string" ? { id: value } : value), strictMap({ id, soft: z.boolean().default(false) }));

const component = strictMap({
  id,
  name: text,
  group: text.optional(),
  description: text.optional(),
  depends_on: z.array(dependency).default([]),
  monitors: z.array(id).default([]),
  hidden: z.boolean().default(false),
  /** This component's publish policy, overriding `incidents.publish`; an incident takes the strictest of its components'. */
  publish: publishPolicy.optional(),
  /** What this component's major outage makes of an incident on its own; unset, the share of the site down decides. */
  impact: z.enum(impacts).optional(),
});
/** A component's keys (the console's component form lists them). */
export const componentKeyNames: readonly string[] = Object.keys(component.shape);

/** Keys every monitor has, whatever its type; the rest belong to its probe. */
const monitorCommon = {
  id,
  type: z.enum(monitorTypeNames),
  name: text.optional(),
  interval: positiveDuration.refine((ms) => ms >= 1000, { message: "must be at least 1s" }).default(30_000),
  timeout: positiveDuration.default(10_000),
  /** After a first failure, check again this soon instead of a whole interval later. */
  recheck: positiveDuration.default(1_000),
  confirm: count.default(2),
  recover: count.default(2),
  /** How many of the fresh regions must agree: a number, a share ("50%"), `any` (one) or `majority`. */
  quorum: z.union([z.enum(["majority", "any"]), count, percentage]).default("majority"),
  /** The regions that check it (ids from `regions`, or the server's own, `probe.region`); absent: every region. */
  regions: z.array(id).min(1).optional(),
  /** Flap damping: this many status changes within `flap_window` make the monitor "flapping". */
  flap_window: positiveDuration.default(600_000),
  flap_changes: count.default(6),
  /** Connections / max connections at which a database's saturation is reported. */
  saturation: z.number().gt(0).lte(1).default(0.9),
  /** A replica further behind its source than this (or with replication stopped) is degraded; unset: never. */
  max_replication_lag: positiveDuration.optional(),
  /** An open transaction older than this is reported as evidence; unset: 5 minutes (detection/db-role.ts). */
  max_transaction_age: positiveDuration.optional(),
  /** This many sessions waiting for a lock are reported as evidence; unset: 5 (detection/db-role.ts). */
  max_lock_waits: count.optional(),
  /** Hang suspicion: a check unanswered after `suspect_factor` × its usual p99 latency (at least `suspect_floor`) is suspect. */
  suspect: z.boolean().default(true),
  suspect_factor: z.number().gte(1).default(10),
  suspect_floor: positiveDuration.default(1_000),
  assert: AssertionList.default([]),
};
/** The keys every monitor has, whatever its type (the console's monitor form lists them). */
export const monitorCommonKeys: readonly string[] = Object.keys(monitorCommon);

/**
 * A monitor: the common keys checked here, the type's own keys by its probe's schema, and each
 * assertion against the facts that probe produces. Parsed settings are kept apart in `settings`.
 */
const monitor = z
  .looseObject(monitorCommon)
  .superRefine(
    (value, ctx) => {
      if (typeof value !== "object" || value === null) return;
      const type = (value as { type?: unknown }).type;
      const probe = typeof type === "string" && type in probeRegistry ? probeRegistry[type as MonitorType] : undefined;
      if (!probe) return;
      const own = probeKeys(probe);
      const known = [...monitorCommonKeys, ...own];
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        const suggestion = closest(key, known);
        const params: FieldIssueParams = suggestion === undefined ? { unknownKey: key } : { unknownKey: key, suggestion };
        ctx.addIssue({ code: "custom", path: [key], input: value, params });
      }
      for (const issue of serverLimitIssues(value, probe.facts)) ctx.addIssue({ code: "custom", path: [issue.key], input: value, message: issue.message, params: { message: issue.message } });
      const result = probe.configSchema.safeParse(settingsOf(value, own), { reportInput: true });
      if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue } as z.core.$ZodRawIssue);
      const assertions = (value as { assert?: unknown }).assert;
      if (Array.isArray(assertions)) {
        // Entries that failed to parse are reported already; check the facts of the others, keeping their index.
        const parsed = assertions.map((a, index) => ({ a: a as Assertion, index })).filter(({ a }) => typeof a === "object" && a !== null && typeof a.fact === "string");
        for (const unknown of unknownFacts(parsed.map((p) => p.a), probe.facts)) {
          const index = parsed[unknown.index]?.index ?? unknown.index;
          ctx.addIssue({ code: "custom", path: ["assert", index], input: value, message: unknown.message, params: { message: unknown.message } });
        }
      }
    },
    { when: () => true },
  )
  .transform((value) => {
    const probe = probeRegistry[value.type];
    const common = Object.fromEntries(monitorCommonKeys.map((k) => [k, (value as Record<string, unknown>)[k]])) as {
      [K in keyof typeof monitorCommon]: z.output<(typeof monitorCommon)[K]>;
    };
    // Parsed again for its defaults; it passed in the refinement above, so this cannot fail.
    return { ...common, settings: probe.configSchema.parse(settingsOf(value, probeKeys(probe))) as Record<string, unknown> };
  });

/** The monitor keys that limit a fact of a database's checks, and that fact: they apply only to probes reporting it. */
export const monitorFactLimits = { max_replication_lag: "replicationLagS", max_transaction_age: "oldestTransactionS", max_lock_waits: "lockWaits" } as const;

/** The database limits given to a monitor whose checks do not report the fact they limit. */
function serverLimitIssues(value: object, facts: readonly string[]): { key: string; message: string }[] {
  return Object.entries(monitorFactLimits)
    .filter(([key, fact]) => key in value && !facts.includes(fact))
    .map(([key, fact]) => {
      const types = monitorTypeNames.filter((t) => probeRegistry[t].facts.includes(fact));
      return { key, message: `applies only to monitors whose checks report ${fact} (${types.join(", ")})` };
    });
}

function settingsOf(value: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => keys.includes(k)));
}

/** Keys every canary has, whatever its type; the rest belong to its probe. */
const canaryCommon = {
  type: z.enum(monitorTypeNames),
  /** How it is named to responders (default: its type and place in the list, such as "tcp #1"). */
  name: text.optional(),
  timeout: positiveDuration.default(5_000),
};
const canaryCommonKeys = Object.keys(canaryCommon);

/**
 * A canary: an address outside the monitored services (a public DNS resolver, the database Vigil uses), checked by the
 * server with one of the probes to tell its own network's fault from the targets'. Not a monitor: no status, no incident.
 */
const canary = z
  .looseObject(canaryCommon)
  .superRefine((value, ctx) => {
    const type = (value as { type?: unknown }).type;
    const probe = typeof type === "string" && type in probeRegistry ? probeRegistry[type as MonitorType] : undefined;
    if (!probe) return;
    if (probe.push) {
      const message = `a ${String(type)} monitor waits to be called: a canary is an address the server checks (${monitorTypeNames.filter((t) => !probeRegistry[t].push).join(", ")})`;
      ctx.addIssue({ code: "custom", path: ["type"], input: type, message, params: { message } });
      return;
    }
    const own = probeKeys(probe);
    const known = [...canaryCommonKeys, ...own];
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const suggestion = closest(key, known);
      ctx.addIssue({ code: "custom", path: [key], input: value, params: suggestion === undefined ? { unknownKey: key } : { unknownKey: key, suggestion } });
    }
    const result = probe.configSchema.safeParse(settingsOf(value, own), { reportInput: true });
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue } as z.core.$ZodRawIssue);
  }, { when: () => true })
  .transform((value) => {
    const probe = probeRegistry[value.type];
    return { type: value.type, ...(value.name === undefined ? {} : { name: value.name }), timeout: value.timeout, settings: probe.configSchema.parse(settingsOf(value, probeKeys(probe))) as Record<string, unknown> };
  });

/** A share of the monitors such as "50%": more than 0, at most 100; read as a fraction. */
const monitorShare = share('expected a share of the monitors such as "50%"');

/** Where this Vigil runs its checks, and how results are kept. */
const probe = strictMap({
  /** The name of this runner's region, on every result it produces. */
  region: id.default("local"),
  /** Checks running at once. */
  concurrency: count.default(100),
  /** Staggered regions: the regions of a monitor check it at phases `interval / n` apart rather than at random moments. */
  stagger: z.boolean().default(true),
  results_retention: positiveDuration.default(7 * 86_400_000),
  rollups_retention: positiveDuration.default(400 * 86_400_000),
  /** Per-minute rollups: only the 24-hour uptime window reads them (20,000 monitors make 28.8 M a day). */
  minute_rollups_retention: positiveDuration
    .refine((ms) => ms >= 2 * 86_400_000, { message: "must be at least 2d: the 24-hour uptime reads per-minute rollups" })
    .default(7 * 86_400_000),
  /** Per-hour rollups: the 7- and 30-day uptime windows read them. */
  hour_rollups_retention: positiveDuration
    .refine((ms) => ms >= 31 * 86_400_000, { message: "must be at least 31d: the 30-day uptime reads per-hour rollups" })
    .default(90 * 86_400_000),
  /** Timeline events older than this are deleted, but for what the timeline's readers still need (docs/config.md#retention). */
  events_retention: positiveDuration
    .refine((ms) => ms >= 91 * 86_400_000, { message: "must be at least 91d: the status page's uptime bars read the last 90 days of status changes" })
    .default(400 * 86_400_000),
  /** Finished notification deliveries (delivered, dead, muted) older than this are deleted, and the shared messages none uses. */
  deliveries_retention: positiveDuration
    .refine((ms) => ms >= 86_400_000, { message: "must be at least 1d: after a restart the notifier reads the recent deliveries to know what it already sent" })
    .default(30 * 86_400_000),
  /** Addresses outside the services that tell the server's own network's fault from the targets' (only the local region). */
  canaries: z.array(canary).default([]),
  canary_interval: positiveDuration.refine((ms) => ms >= 1000, { message: "must be at least 1s" }).default(10_000),
  /** "Most monitors fail at once": this share of the local monitors, at least `min_monitors`, begin failing within `window`. */
  mass_failure: strictMap({
    share: monitorShare.default(0.5),
    min_monitors: count.default(3),
    window: positiveDuration.default(30_000),
  }).prefault({}),
});

/** A notification channel: its id and type, and the type's own keys, checked by its plugin's schema. */
const channel = z
  .looseObject({ id, type: z.enum(channelTypeNames) })
  .superRefine((value, ctx) => {
    const plugin = channelRegistry[value.type];
    if (!plugin) return;
    const { id: _id, type: _type, ...settings } = value as Record<string, unknown>;
    const result = plugin.configSchema.safeParse(settings, { reportInput: true });
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue } as z.core.$ZodRawIssue);
  });

/** A route as written: its durations (`30s`, `5m`) read into milliseconds; the rest is checked with the grouping defaults filled in. */
const route = z.looseObject({ group_wait: duration.optional(), group_interval: duration.optional(), repeat_interval: duration.optional() });

/** The grouping every route starts from (and the implicit catch-all route uses); a route's own keys win. */
const grouping = strictMap({
  group_by: z.array(z.enum(["incident", "component", "kind"])).default([...defaultGroupPolicy.groupBy]),
  group_wait: duration.default(defaultGroupPolicy.groupWaitMs),
  group_interval: positiveDuration.default(defaultGroupPolicy.groupIntervalMs),
  repeat_interval: positiveDuration.default(defaultGroupPolicy.repeatIntervalMs),
});

const notifications = strictMap({
  grouping: grouping.prefault({}),
  channels: z.array(channel).default([]),
  /** Routing rules, in order; with none, every channel receives every message. */
  routes: z.array(route).default([]),
}).transform((value, ctx) => {
  const routes: Route[] = [];
  value.routes.forEach((raw, index) => {
    const parsed = RouteSchema.safeParse({ ...value.grouping, ...raw });
    if (parsed.success) routes.push(parsed.data);
    else for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ["routes", index, ...issue.path] } as z.core.$ZodRawIssue);
  });
  return { ...value, routes };
});

/**
 * Approval before a run: `required` distinct people whose role is at least one of `roles` (responder: responders,
 * admins and owners) approve it, not counting the one who asked for it, within `timeout` (else it times out).
 */
const approval = strictMap({
  required: z.number().int().min(1).max(10).default(1),
  roles: z.array(z.enum(userRoles)).min(1).default(["responder"]),
  timeout: positiveDuration.default(1_800_000),
});

/**
 * A trigger of a runbook action: the incident event that asks for a run, its conditions, how long they must keep
 * holding (`delay`), and what the run is asked for once per (see src/actions/triggers.ts).
 */
const trigger = strictMap({
  event: z.enum(triggerEventNames),
  components: z.array(id).min(1).optional(),
  root: z.boolean().optional(),
  impact_at_least: z.enum(impacts).optional(),
  delay: duration.default(0),
  once_per: z.enum(oncePerScopes).optional(),
}).superRefine((value, ctx) => {
  if (value.event === "region.isolated") {
    for (const key of ["components", "root", "impact_at_least", "once_per"] as const) {
      if (value[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `a region.isolated trigger has no incident or component: ${key} does not apply` });
    }
  }
  if (value.once_per === "window" && value.event !== "window.closed") ctx.addIssue({ code: "custom", path: ["once_per"], message: `once_per: window applies to window.closed only, not to ${value.event}` });
});

/**
 * A runbook action: its id and type, how long one attempt may take (`timeout`) and how long attempts go on
 * (`deadline`, from the run's request or its approval), whether a run waits for `approval`, its triggers (`on`), and the type's own keys,
 * checked by its plugin's schema.
 */
const actionCommon = { id, type: z.enum(actionTypeNames), timeout: positiveDuration.default(30_000), deadline: positiveDuration.default(600_000), approval: approval.optional(), on: z.array(trigger).optional() };
const actionCommonKeys = Object.keys(actionCommon);
const actionSettingsOf = (value: object) => Object.fromEntries(Object.entries(value).filter(([k]) => !actionCommonKeys.includes(k)));
const action = z
  .looseObject(actionCommon)
  .superRefine((value, ctx) => {
    const plugin = actionRegistry[value.type];
    if (!plugin) return;
    const result = plugin.configSchema.safeParse(actionSettingsOf(value), { reportInput: true });
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue } as z.core.$ZodRawIssue);
  })
  .transform((value) => {
    const common = Object.fromEntries(actionCommonKeys.map((k) => [k, (value as Record<string, unknown>)[k]])) as { [K in keyof typeof actionCommon]: z.output<(typeof actionCommon)[K]> };
    // Parsed again for its defaults; it passed in the refinement above, so this cannot fail.
    return { ...common, settings: actionRegistry[value.type].configSchema.parse(actionSettingsOf(value)) as Record<string, unknown> };
  });

/** Runbook actions; `exec` ones run commands on the server, so they are refused unless `allow_exec` is true. */
const actions = strictMap({
  allow_exec: z.boolean().default(false),
  definitions: z.array(action).default([]),
}).superRefine((value, ctx) => {
  if (value.allow_exec) return;
  value.definitions.forEach((definition, index) => {
    if (definition.type !== "exec") return;
    ctx.addIssue({ code: "custom", path: ["definitions", index, "type"], message: `action "${definition.id}" runs a command on this server, which is off: set actions.allow_exec: true to allow exec actions` });
  });
});

/** An SMTP server Vigil sends one-off e-mail through (confirmations, invitations), and the sender. */
const smtpServer = {
  host,
  port: port.default(587),
  secure: z.boolean().default(false),
  username: text.optional(),
  /** **Secret**. */
  password: text.optional(),
  from: text,
};

/** Public subscriptions: present, the status page offers them; e-mail needs `email`, webhooks are on unless turned off. */
const subscribers = strictMap({
  /** The SMTP server subscriber e-mail goes through, and its sender. */
  email: strictMap({
    ...smtpServer,
    /** Connections kept open to the server while a fan-out is sent. */
    connections: count.default(5),
  }).optional(),
  webhooks: z.boolean().default(true),
  /** Let webhook subscribers use private, loopback and link-local addresses (a status page inside a private network). */
  allow_private_webhooks: z.boolean().default(false),
  /** How long a confirmation link works; nothing is stored before it is used. */
  confirm_within: positiveDuration.default(24 * 3_600_000),
  /** Subscription requests per client (an IPv4 address or an IPv6 /64), per recipient, and in all. */
  rate_limit: strictMap({
    requests: count.default(5),
    per: positiveDuration.default(10 * 60_000),
    recipient: strictMap({ requests: count.default(3), per: positiveDuration.default(3_600_000) }).prefault({}),
    global: strictMap({ requests: count.default(100), per: positiveDuration.default(60_000) }).prefault({}),
  }).prefault({}),
});

/** A public update template: only the placeholders Vigil fills in are allowed ("{{" writes a brace). */
const template = text.superRefine((value, ctx) => {
  const unknown = templateIssues(value, templatePlaceholders);
  if (unknown.length > 0) ctx.addIssue({ code: "custom", message: `unknown placeholder ${unknown.map((n) => `{${n}}`).join(", ")}; known: ${templatePlaceholders.map((n) => `{${n}}`).join(" ")}` });
});

/** Public update templates per status. */
const templates = strictMap({ investigating: template.optional(), identified: template.optional(), monitoring: template.optional(), resolved: template.optional() });

/**
 * A responder's update template (as Statuspage's incident templates): the console's "Start from a template" fills the
 * update form with it. Component ids are checked against `components` (see references.ts).
 */
const updateTemplate = strictMap({
  id,
  name: text,
  /** The incident's name when a new incident starts from it. */
  title: text.optional(),
  body: text,
  status: z.enum(["investigating", "identified", "monitoring", "resolved"]),
  components: z.record(z.string(), z.enum(componentStatuses)).optional(),
  /** Tell subscribers (default) or not. */
  notify: z.boolean().default(true),
});

const incidents = strictMap({
  publish: publishPolicy.default("auto"),
  /** A failure this soon after an incident's last signal, in the same part of the graph, joins it. */
  correlation_window: duration.default(60_000),
  /** Everything recovered for this long: the incident moves to monitoring. */
  monitor_after: duration.default(0),
  /** Then quiet for this long in monitoring: resolved. */
  resolve_after: duration.default(600_000),
  /** A public, unresolved incident without a public update for this long gets an "update due" event. */
  update_due_after: positiveDuration.default(30 * 60_000),
  /** Put the evidence (restarts, connection use) in the first public update; off: responders alone see it. */
  public_evidence: z.boolean().default(false),
  /** An upstream degraded this long before one of our incidents starts, or after it started, is its likely cause. */
  attribution_window: duration.default(30 * 60_000),
  /** Put the likely upstream cause in a public update of a published incident; off: responders alone hear it. */
  publish_upstream: z.boolean().default(false),
  /** Added before and after outage windows handed to reconciliation (margin_from/margin_to); 0 by default. */
  window_margin: duration.default(0),
  templates: templates.prefault({}),
  update_templates: z.array(updateTemplate).default([]),
});

/** Scheduled maintenance declared in the file; the API can add more. */
const maintenance = strictMap({
  id,
  name: text,
  body: text.default("Scheduled maintenance is in progress."),
  components: z.array(id).min(1),
  starts_at: instant,
  ends_at: instant,
}).superRefine((value, ctx) => {
  if (value.ends_at.getTime() <= value.starts_at.getTime()) ctx.addIssue({ code: "custom", path: ["ends_at"], message: "must be after starts_at" });
});

/** An upstream's feed: its type and the type's own keys, checked by its format's schema. */
const feed = z
  .looseObject({ type: z.enum(feedTypeNames) })
  .superRefine((value, ctx) => {
    const format = feedFormats[value.type];
    if (!format) return;
    const { type: _type, ...settings } = value as Record<string, unknown>;
    const result = format.configSchema.safeParse(settings, { reportInput: true });
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue } as z.core.$ZodRawIssue);
  });

/** One needle or a list of them. */
const needles = z.union([text, z.array(text).min(1)]);

/** A provider's status feed, in the dependency graph as a component our components can depend on. */
const upstream = strictMap({
  id,
  name: text,
  feed,
  /** Which of the provider's components and incidents are this upstream; nothing: the whole feed. */
  match: strictMap({ component: needles.optional(), region: needles.optional(), text: needles.optional() }).prefault({}),
  interval: positiveDuration.refine((ms) => ms >= 15_000, { message: "must be at least 15s: providers rate-limit their status feeds" }).default(60_000),
  timeout: positiveDuration.default(10_000),
  /** Warn the responders when it turns degraded, before any probe of ours fails. */
  warn: z.boolean().default(true),
  /** Show it on the status page as a third-party component. */
  show_on_status_page: z.boolean().default(false),
});

/** A place remote agents check from; the server's own runner is the region `probe.region` (`local`) and needs no entry. */
const region = strictMap({
  id,
  name: text,
  /** Where it is, in words, for people ("Frankfurt", "AWS us-east-1"). */
  location: text.optional(),
});

/** An OpenID provider's issuer: https, or http on a loopback address (a provider on the same machine). */
const issuerUrl = scalar("expected an https:// URL (http:// only on 127.0.0.1, ::1 or localhost) without a query or fragment", (value) => {
  if (typeof value !== "string" || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
  const scheme = url.protocol === "https:" || (url.protocol === "http:" && loopback);
  return scheme && url.search === "" && url.hash === "" && url.username === "" ? value : undefined;
});

/** A domain such as example.com, lowercased. */
const emailDomain = scalar("expected a domain such as example.com (no @)", (value) =>
  typeof value === "string" && /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i.test(value) ? value.toLowerCase() : undefined,
);

/** Values of the role claim that give a role. */
const claimValues = z.array(text).default([]);

/** Single sign-on with OpenID Connect (authorization code flow, PKCE). */
const oidcSettings = strictMap({
  issuer: issuerUrl,
  client_id: text,
  /** **Secret**; absent for a public client. */
  client_secret: text.optional(),
  /** The sign-in link reads "Sign in with <name>". */
  name: text.default("single sign-on"),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "expected a scope without spaces or quotes")).min(1).default(["openid", "email", "profile"]),
  /** E-mail domains allowed in; empty: any. */
  allowed_domains: z.array(emailDomain).default([]),
  /** The claim (a string or a list of strings) whose values `roles` maps. */
  role_claim: text.optional(),
  roles: strictMap({ owner: claimValues, admin: claimValues, responder: claimValues, viewer: claimValues }).optional(),
  /** The role given when no value maps to one; `none` refuses. */
  default_role: z.enum(["owner", "admin", "responder", "viewer", "none"]).default("none"),
}).superRefine((value, ctx) => {
  if (!value.scopes.includes("openid")) ctx.addIssue({ code: "custom", path: ["scopes"], message: "must include openid" });
  if (value.roles !== undefined && value.role_claim === undefined) ctx.addIssue({ code: "custom", path: ["roles"], message: "needs console.oidc.role_claim: the claim whose values it maps" });
  const mapped = value.roles === undefined ? 0 : Object.values(value.roles).flat().length;
  if (value.role_claim !== undefined && mapped === 0) ctx.addIssue({ code: "custom", path: ["role_claim"], message: "needs console.oidc.roles mapping at least one value to a role" });
});

/** The console at /manage: how long a signed-in session lasts, how invitations are sent, and single sign-on. */
const consoleSettings = strictMap({
  /** Sign-in through an OpenID Connect provider, beside passwords. */
  oidc: oidcSettings.optional(),
  /** The SMTP server invitations go through, and their sender; without it, invitations are not e-mailed. */
  email: strictMap(smtpServer).optional(),
  /** How long an invitation link works. */
  invite_valid_for: positiveDuration.default(72 * 3_600_000),
  session: strictMap({
    /** A session ends after this long without a request. */
    idle: positiveDuration.default(12 * 3_600_000),
    /** And this long after sign-in, however active. */
    absolute: positiveDuration.default(7 * 86_400_000),
  }).prefault({}),
});

/** The whole configuration file. */
export const VigilConfigSchema = strictMap({
  site: site.prefault({}),
  statuspage: statuspage.prefault({}),
  server: server.prefault({}),
  storage: storage.prefault({}),
  components: z.array(component).default([]),
  monitors: z.array(monitor).default([]),
  regions: z.array(region).default([]),
  probe: probe.prefault({}),
  incidents: incidents.prefault({}),
  maintenances: z.array(maintenance).default([]),
  upstreams: z.array(upstream).default([]),
  notifications: notifications.prefault({}),
  actions: actions.prefault({}),
  subscribers: subscribers.optional(),
  console: consoleSettings.prefault({}),
});

/** A validated configuration, frozen after loading. */
export type VigilConfig = z.output<typeof VigilConfigSchema>;
export type ComponentConfig = VigilConfig["components"][number];
export type MonitorConfig = VigilConfig["monitors"][number];
export type MaintenanceConfig = VigilConfig["maintenances"][number];
/** A configured runbook action (its type's own keys unchecked by the type system: its plugin validates them). */
export type ActionConfig = VigilConfig["actions"]["definitions"][number];
export type UpdateTemplate = VigilConfig["incidents"]["update_templates"][number];
