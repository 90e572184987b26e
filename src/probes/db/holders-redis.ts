import type { Redis } from "ioredis";
import type { Fact } from "../types.ts";
import { encodeHolders, groupHolders, withoutPort } from "./holders.ts";

/** Who holds a Redis server's connections, from `CLIENT LIST` (normal clients), by client name and address. */
export async function readRedisHolders(redis: Redis): Promise<Record<string, Fact>> {
  const [id, list] = await Promise.all([redis.client("ID"), redis.call("CLIENT", "LIST", "TYPE", "normal")]);
  const rows = [];
  for (const line of String(list).split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const fields = new Map(line.split(" ").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
    if (fields.get("id") === String(id)) continue;
    rows.push({ user: null, host: withoutPort(fields.get("addr") ?? null), db: null, app: fields.get("name") || null, state: null });
  }
  return { holders: encodeHolders(groupHolders(rows)) };
}
