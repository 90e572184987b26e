import { isIP } from "node:net";
import { refusalOf, systemLookup, type Lookup } from "../../notify/public-fetch.ts";

export type { Lookup } from "../../notify/public-fetch.ts";

/**
 * Why Vigil must not call `url` for a public webhook subscriber, or null when every address its host resolves to is
 * public (subscribers/ip-range.ts). Anyone can ask for a webhook subscription, so without this check the confirmation
 * ping and every update would let a stranger make Vigil POST into its own network (server-side request forgery). This
 * is the early, readable answer to the subscriber; the requests themselves go through notify/public-fetch.ts, which
 * checks the addresses it connects to, so a name that answers differently later (DNS rebinding) gains nothing.
 */
export async function privateAddressProblem(url: string, lookup: Lookup = systemLookup): Promise<string | null> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host);
  } catch {
    return `its host ${host} does not resolve`;
  }
  if (addresses.length === 0) return `its host ${host} does not resolve`;
  const refusal = refusalOf(host, addresses);
  return refusal === null ? null : `its host ${host} is a private or local address (${refusal.address}): ${refusal.reason}`;
}
