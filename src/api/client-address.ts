/**
 * Who a request comes from, for rate limits: the peer's address, or behind trusted reverse proxies the right-most
 * address of X-Forwarded-For that is not a trusted proxy (each proxy appends the address it was reached from, so
 * entries to the left of that one were written by the client and prove nothing). And the key a client is counted
 * under: an IPv4 address, or an IPv6 address's /64 (one subscriber line commonly holds a whole /64).
 */
import { BlockList, isIP } from "node:net";
import type { FastifyRequest } from "fastify";
import { parseIpv6 } from "../subscribers/ip-range.ts";

/** Parses `trusted_proxies` entries (addresses or CIDR blocks, validated by the config) into a BlockList. */
export function trustedList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`), else the address as given. */
export function unmapped(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? (mapped[1] as string) : address;
}

/** An X-Forwarded-For entry as a bare address (`[2001:db8::1]:443` and `192.0.2.1:80` lose their port), or undefined. */
function entryAddress(entry: string): string | undefined {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
  const address = bracketed ? (bracketed[1] as string) : withPort ? (withPort[1] as string) : text;
  return isIP(address) === 0 ? undefined : unmapped(address);
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The client's address: `peer` unless it is a trusted proxy; then, walking X-Forwarded-For from the right, the
 * first address that is not a trusted proxy. An entry that is not an address ends the walk at the last address
 * read (a trusted proxy's); when every entry is trusted, the left-most.
 */
export function clientAddress(peer: string, forwardedFor: string | readonly string[] | undefined, trusted: BlockList): string {
  let current = unmapped(peer);
  if (!isTrusted(trusted, current) || forwardedFor === undefined) return current;
  const entries = (typeof forwardedFor === "string" ? [forwardedFor] : forwardedFor).join(",").split(",");
  for (let i = entries.length - 1; i >= 0; i--) {
    const address = entryAddress(entries[i] as string);
    if (address === undefined) return current;
    current = address;
    if (!isTrusted(trusted, current)) return current;
  }
  return current;
}

/** The key a client is counted under: an IPv4 address as is, an IPv6 address as its /64 (`2001:db8:0:1::/64`). */
export function rateKeyOf(address: string): string {
  const bare = unmapped(address);
  const groups = bare.includes(":") ? parseIpv6(bare.split("%")[0] as string) : null;
  return groups === null ? bare : `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

/** Reads the client address of a Fastify request, believing X-Forwarded-For only from `trustedProxies`. */
export function clientAddressReader(trustedProxies: readonly string[]): (request: FastifyRequest) => string {
  const list = trustedList(trustedProxies);
  return (request) => clientAddress(request.socket.remoteAddress ?? request.ip, request.headers["x-forwarded-for"], list);
}
