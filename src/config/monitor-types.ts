import * as z from "zod";
import { host, httpUrl, mysqlUrl, port, postgresUrl, redisUrl, text } from "./fields.ts";

/**
 * The known monitor types and the fields each one requires. The objects are loose: type-specific
 * options (methods, headers, expectations…) get their full schemas later, and until then any extra
 * key is kept as written. Adding a type is one entry here.
 */
export const monitorTypes = {
  http: z.looseObject({ url: httpUrl }),
  tcp: z.looseObject({ host, port }),
  dns: z.looseObject({ name: text }),
  tls: z.looseObject({ host, port: port.default(443) }),
  mysql: z.looseObject({ url: mysqlUrl }),
  postgres: z.looseObject({ url: postgresUrl }),
  redis: z.looseObject({ url: redisUrl }),
  heartbeat: z.looseObject({}),
};

/** The name of a known monitor type. */
export type MonitorType = keyof typeof monitorTypes;

/** The known monitor types, in registry order. */
export const monitorTypeNames = Object.keys(monitorTypes) as MonitorType[];
