import * as z from "zod";
import { closest } from "./suggest.ts";
import { color, duration, httpUrl, id, listenPort, positiveDuration, postgresUrl, size, text, timeZone, typeName, type FieldIssueParams } from "./fields.ts";
import { monitorTypeNames, monitorTypes, type MonitorType } from "./monitor-types.ts";

/**
 * A mapping whose every key must be in `shape`: an unknown key is an error on that key, with the
 * closest known key suggested. (zod's strictObject reports one issue for all keys, on the parent.)
 */
export function strictMap<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.looseObject(shape).superRefine(
    (value, ctx) => {
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        const suggestion = closest(key, known);
        const params: FieldIssueParams = suggestion === undefined ? { unknownKey: key } : { unknownKey: key, suggestion };
        ctx.addIssue({ code: "custom", path: [key], input: value, params });
      }
    },
    { when: () => true },
  ) as unknown as z.ZodObject<S, z.core.$strict>;
}

const site = strictMap({
  name: text.default("Status"),
  url: httpUrl.optional(),
  description: text.optional(),
  time_zone: timeZone.default("UTC"),
  logo_url: httpUrl.optional(),
  accent_color: color.optional(),
});

const server = strictMap({
  host: text.default("127.0.0.1"),
  port: listenPort.default(8080),
  /** The address the public reaches Vigil at, used in links it sends. */
  public_url: httpUrl.optional(),
  body_limit: size.default(1024 * 1024),
  request_timeout: positiveDuration.default(30_000),
});

const storage = strictMap({
  url: postgresUrl.optional(),
  data_dir: text.optional(),
});

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
});

/** Keys every monitor has, whatever its type. */
const monitorCommon = {
  id,
  type: z.enum(monitorTypeNames as [MonitorType, ...MonitorType[]]),
  name: text.optional(),
  interval: positiveDuration.default(30_000),
  timeout: positiveDuration.default(10_000),
};
const monitorCommonKeys = Object.keys(monitorCommon);

/**
 * A monitor: the common keys are checked here; the type's own keys by its entry in monitor-types.ts.
 * Type-specific keys beyond those are kept until their probe defines them, but a key that looks like
 * a typo of a known one (`tiemout`, `intervl`) is an error.
 */
const monitor = z
  .looseObject(monitorCommon)
  .superRefine(
    (value, ctx) => {
      const type = (value as { type?: unknown }).type;
      const typeSchema = typeof type === "string" && type in monitorTypes ? monitorTypes[type as MonitorType] : undefined;
      const known = [...monitorCommonKeys, ...(typeSchema ? Object.keys(typeSchema.shape) : [])];
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        const suggestion = closest(key, known);
        if (suggestion === undefined) continue;
        const params: FieldIssueParams = { unknownKey: key, suggestion };
        ctx.addIssue({ code: "custom", path: [key], input: value, params });
      }
      if (!typeSchema) return;
      const result = typeSchema.safeParse(value, { reportInput: true });
      if (result.success) return;
      for (const issue of result.error.issues) ctx.addIssue({ ...issue, input: issue.input } as z.core.$ZodRawIssue);
    },
    { when: () => true },
  )
  .transform((value) => {
    const typeSchema = monitorTypes[value.type];
    // Parsed again for its defaults (a tls port of 443); it passed above, so this cannot fail.
    return { ...value, ...(typeSchema.parse(value) as object) } as typeof value & Record<string, unknown>;
  });

const channel = z.looseObject({ id, type: typeName });

const notifications = strictMap({
  channels: z.array(channel).default([]),
  /** Routing rules; their schema arrives with the notifier. */
  routes: z.array(z.record(z.string(), z.unknown())).default([]),
});

/** `auto`, `manual`, or a delay in which a responder may act before it is published. */
const publishPolicy = z.union([z.enum(["auto", "manual"]), duration]);

const incidents = strictMap({
  publish: publishPolicy.default("auto"),
});

/** The whole configuration file. */
export const VigilConfigSchema = strictMap({
  site: site.prefault({}),
  server: server.prefault({}),
  storage: storage.prefault({}),
  components: z.array(component).default([]),
  monitors: z.array(monitor).default([]),
  incidents: incidents.prefault({}),
  notifications: notifications.prefault({}),
});

/** A validated configuration, frozen after loading. */
export type VigilConfig = z.output<typeof VigilConfigSchema>;
export type ComponentConfig = VigilConfig["components"][number];
export type MonitorConfig = VigilConfig["monitors"][number];
