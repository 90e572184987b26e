import { isIP } from "node:net";
import * as z from "zod";
import { parseDuration } from "../core/duration.ts";
import { parseSize } from "./size.ts";
import { closest } from "./suggest.ts";

/**
 * Parameters carried by the custom issues this module raises; zod-issues.ts turns them into messages.
 * `expected` is completed with ", got <value>"; `unknownKey` points at a key rather than its value.
 */
export interface FieldIssueParams {
  required?: true;
  expected?: string;
  unknownKey?: string;
  suggestion?: string;
  message?: string;
}

const expectations = new WeakMap<object, string>();

/** Attaches an "expected …" phrase used when `schema` rejects a value of the wrong shape. */
export function describedAs<S extends z.ZodType>(schema: S, expected: string): S {
  expectations.set(schema, expected);
  return schema;
}

/** The phrase attached to `schema` with `describedAs`, if any. */
export function expectationOf(schema: unknown): string | undefined {
  return typeof schema === "object" && schema !== null ? expectations.get(schema) : undefined;
}

/**
 * A field read by a plain function: `read` returns the parsed value or undefined to reject.
 * Used instead of chained zod checks so every rejection reads "expected <what>, got <value>".
 */
export function scalar<T>(expected: string, read: (value: unknown) => T | undefined) {
  return z.unknown().transform((value, ctx): T => {
    const params: FieldIssueParams = value === undefined ? { required: true } : { expected };
    const out = value === undefined ? undefined : read(value);
    if (out === undefined) {
      ctx.addIssue({ code: "custom", input: value, params });
      return z.NEVER;
    }
    return out;
  });
}

const idPattern = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const isString = (value: unknown): value is string => typeof value === "string";
const when = <T>(ok: boolean, value: T): T | undefined => (ok ? value : undefined);

/** Reads a URL whose scheme is one of `protocols` (with the trailing colon, e.g. "https:"). */
function urlWith(protocols: readonly string[]) {
  return (value: unknown): string | undefined => {
    if (!isString(value) || !URL.canParse(value)) return undefined;
    return when(protocols.includes(new URL(value).protocol), value);
  };
}

/** An identifier: lowercase letters, digits and single dashes between them. */
export const id = scalar(
  'expected an id of lowercase letters (a-z), digits (0-9) and single dashes between them, such as "orders-db"',
  (value) => (isString(value) && idPattern.test(value) ? value : undefined),
);

/** An IP address or a CIDR block, such as `10.0.0.0/8`, `127.0.0.1` or `fd00::/8`; kept as written. */
export const ipOrCidr = scalar("expected an IP address or a CIDR block such as 10.0.0.0/8, 127.0.0.1 or fd00::/8", (value) => {
  if (!isString(value)) return undefined;
  const [address = "", prefix, ...rest] = value.trim().split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return undefined;
  if (prefix === undefined) return value.trim();
  const bits = /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : -1;
  return bits >= 0 && bits <= (family === 4 ? 32 : 128) ? value.trim() : undefined;
});

/** Non-empty text. */
export const text = z.string().min(1);

/** A share such as "50%" (more than 0, at most 100 %), read as a fraction; `expected` says what it is a share of. */
export function share(expected: string) {
  return scalar(expected, (value) => {
    const match = typeof value === "string" ? /^(\d{1,3}(?:\.\d+)?)%$/.exec(value) : null;
    const n = match ? Number(match[1]) : Number.NaN;
    return n > 0 && n <= 100 ? n / 100 : undefined;
  });
}

/** A duration such as `30s` or `1m30s`, as milliseconds. */
export const duration = scalar("expected a duration such as 30s", (value) =>
  isString(value) ? parseDuration(value) : undefined,
);

/** A duration greater than zero, as milliseconds. */
export const positiveDuration = duration.refine((ms) => ms > 0, { message: "must be greater than zero" });
/** A size such as `512kb` or `1mb`, as bytes. */
export const size = scalar("expected a size such as 512kb or 1mb", (value) => {
  const bytes = isString(value) ? parseSize(value) : undefined;
  return bytes !== undefined && bytes > 0 ? bytes : undefined;
});

/** An http:// or https:// URL. */
export const httpUrl = scalar("expected an http:// or https:// URL", urlWith(["http:", "https:"]));

/** A PostgreSQL connection URL. */
export const postgresUrl = scalar("expected a postgres:// or postgresql:// URL", urlWith(["postgres:", "postgresql:"]));

/** A MySQL connection URL. */
export const mysqlUrl = scalar("expected a mysql:// URL", urlWith(["mysql:"]));

/** A Redis connection URL. */
export const redisUrl = scalar("expected a redis:// or rediss:// URL", urlWith(["redis:", "rediss:"]));

/** A host name or IP address (no scheme, port or path). */
export const host = scalar("expected a host name or IP address such as db.example.com", (value) =>
  isString(value) && /^[A-Za-z0-9._:[\]-]+$/.test(value) ? value : undefined,
);

/** A TCP port a server may bind, 0 meaning "any free port". */
export const listenPort = scalar("expected a port number from 0 to 65535", (value) =>
  typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 65535 ? value : undefined,
);

/** A TCP port to connect to. */
export const port = scalar("expected a port number from 1 to 65535", (value) =>
  typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535 ? value : undefined,
);

/** An IANA time zone name that this runtime knows. */
export const timeZone = scalar("expected an IANA time zone such as UTC or Europe/Paris", (value) => {
  if (!isString(value) || value === "") return undefined;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return value;
  } catch {
    return undefined;
  }
});

/** A CSS hex colour, #rgb or #rrggbb. */
export const color = scalar("expected a colour such as #2563eb or #26e", (value) =>
  isString(value) && /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(value) ? value : undefined,
);

/** A type name for open, plugin-like kinds (notification channels). */
export const typeName = scalar("expected a type of lowercase letters, digits, _ and -, such as email", (value) =>
  isString(value) && /^[a-z0-9_-]+$/.test(value) ? value : undefined,
);

/**
 * A mapping whose every key must be in `shape`: an unknown key is an error on that key, with the
 * closest known key suggested. (zod's strictObject reports one issue for all keys, on the parent.)
 */
export function strictMap<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.looseObject(shape).superRefine(
    (value, ctx) => {
      // Run even when the value is not a mapping (`site:` left empty): that is reported already, as its type.
      if (typeof value !== "object" || value === null) return;
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

/** An instant written in ISO 8601 with a time zone, such as 2026-12-01T02:00:00Z or 2026-12-01T03:00:00+01:00. */
export const instant = scalar("expected a date and time with a zone, such as 2026-12-01T02:00:00Z", (value) => {
  const text = value instanceof Date ? value.toISOString() : value;
  if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
});
