import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** Addresses a webhook subscriber may not make Vigil call: loopback, private, link-local, shared and reserved ranges. */
const private_ = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  private_.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  // IPv4-mapped addresses (::ffff:a.b.c.d) are checked against the IPv4 ranges by BlockList itself.
  ["::", 127],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  private_.addSubnet(net, bits, "ipv6");
}

/** Resolves a host name to its addresses (the system resolver by default). */
export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Why Vigil must not call `url` for a public webhook subscriber, or null when every address its host resolves to is
 * public. Anyone can ask for a webhook subscription, so without this check the confirmation ping and every update would
 * let a stranger make Vigil POST into its own network (server-side request forgery). Resolving is checked again at each
 * delivery, so a name that later points inside is refused then.
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
  for (const { address, family } of addresses) {
    if (private_.check(address, family === 6 ? "ipv6" : "ipv4")) return `its host ${host} is a private or local address (${address})`;
  }
  return null;
}
