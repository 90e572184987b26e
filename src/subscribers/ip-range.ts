/**
 * Whether an IP address is on the public internet, for requests that public input makes Vigil send (subscriber
 * webhooks). Pure: the connection layer (notify/public-fetch.ts) asks it about every address it is about to use.
 *
 * IPv4: everything but the special-purpose ranges (loopback, private, link-local, shared, documentation, multicast,
 * reserved). IPv6: global unicast (2000::/3) only, minus its special-purpose parts; and every IPv6 form that carries
 * an IPv4 address (IPv4-mapped, NAT64, 6to4) is judged by the IPv4 address it carries, so that a private IPv4
 * address cannot be reached through a tunnel or a translator.
 */

/** Why an address must not be called, or null when it is public. */
export type AddressClass = { public: true } | { public: false; reason: string };

const pub: AddressClass = { public: true };
const no = (reason: string): AddressClass => ({ public: false, reason });

/** IPv4 special-purpose ranges (IANA's registry), as [first octets as a number, prefix length, what it is]. */
const ipv4Ranges: [string, number, string][] = [
  ["0.0.0.0", 8, "the unspecified / this-network range (0.0.0.0/8)"],
  ["10.0.0.0", 8, "a private address (10.0.0.0/8)"],
  ["100.64.0.0", 10, "a shared carrier-grade NAT address (100.64.0.0/10)"],
  ["127.0.0.0", 8, "a loopback address (127.0.0.0/8)"],
  ["169.254.0.0", 16, "a link-local address (169.254.0.0/16, cloud metadata lives here)"],
  ["172.16.0.0", 12, "a private address (172.16.0.0/12)"],
  ["192.0.0.0", 24, "an IETF protocol address (192.0.0.0/24)"],
  ["192.0.2.0", 24, "a documentation address (192.0.2.0/24)"],
  ["192.88.99.0", 24, "the 6to4 relay anycast range (192.88.99.0/24)"],
  ["192.168.0.0", 16, "a private address (192.168.0.0/16)"],
  ["198.18.0.0", 15, "a benchmarking address (198.18.0.0/15)"],
  ["198.51.100.0", 24, "a documentation address (198.51.100.0/24)"],
  ["203.0.113.0", 24, "a documentation address (203.0.113.0/24)"],
  ["224.0.0.0", 4, "a multicast address (224.0.0.0/4)"],
  ["240.0.0.0", 4, "a reserved or broadcast address (240.0.0.0/4)"],
];
const ipv4Table = ipv4Ranges.map(([net, bits, what]) => ({ net: parseIpv4(net)!, mask: bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0, what }));

/** Classifies an IPv4 or IPv6 address (IPv6 may be in brackets; a zone such as %eth0 is refused). Not an address: not public. */
export function classifyAddress(text: string): AddressClass {
  const address = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v4 = parseIpv4(address);
  if (v4 !== null) return classifyIpv4(v4);
  if (address.includes("%")) return no("an IPv6 address with a zone (link-local scope)");
  const v6 = parseIpv6(address);
  if (v6 === null) return no("not an IP address");
  return classifyIpv6(v6);
}

function classifyIpv4(value: number): AddressClass {
  for (const { net, mask, what } of ipv4Table) if (((value & mask) >>> 0) === net) return no(what);
  return pub;
}

/** An IPv4 address held in an IPv6 one, judged as itself, the reason naming both. */
function embedded(value: number, form: string): AddressClass {
  const inner = classifyIpv4(value);
  return inner.public ? pub : no(`${form} of ${formatIpv4(value)}, ${inner.reason}`);
}

function classifyIpv6(g: number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, , g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const low32 = ((g6 << 16) | g7) >>> 0;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return no("the unspecified address (::)");
  if (zeros(0, 7) && g7 === 1) return no("the loopback address (::1)");
  if (zeros(0, 5) && g5 === 0xffff) return embedded(low32, "an IPv4-mapped address (::ffff:0:0/96)");
  if (zeros(0, 6)) return no(`an IPv4-compatible address (::/96) of ${formatIpv4(low32)}, deprecated and never public`);
  if (zeros(0, 4) && g4 === 0xffff && g5 === 0) return no(`an IPv4-translated address (::ffff:0:0:0/96) of ${formatIpv4(low32)}`);
  if (g0 === 0x64 && g1 === 0xff9b && zeros(2, 6)) return embedded(low32, "a NAT64 address (64:ff9b::/96)");
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return no("a local-use NAT64 address (64:ff9b:1::/48)");
  if (g0 === 0x2002) return embedded(((g1 << 16) | g2) >>> 0, "a 6to4 address (2002::/16)");
  if (g0 === 0x2001 && g1 === 0) return no(`a Teredo address (2001::/32), which tunnels to the IPv4 address ${formatIpv4((~(((g6 << 16) | g7) >>> 0)) >>> 0)}`);
  if (g0 === 0x2001 && g1 < 0x200) return no("an IETF protocol address (2001::/23)");
  if (g0 === 0x2001 && g1 === 0xdb8) return no("a documentation address (2001:db8::/32)");
  if (g0 === 0x3fff && g1 < 0x1000) return no("a documentation address (3fff::/20)");
  if ((g0 & 0xe000) !== 0x2000) return no(ipv6Outside(g0));
  return pub;
}

/** What an address outside global unicast (2000::/3) is. */
function ipv6Outside(g0: number): string {
  if ((g0 & 0xfe00) === 0xfc00) return "a unique local address (fc00::/7)";
  if ((g0 & 0xffc0) === 0xfe80) return "a link-local address (fe80::/10)";
  if ((g0 & 0xffc0) === 0xfec0) return "a site-local address (fec0::/10)";
  if ((g0 & 0xff00) === 0xff00) return "a multicast address (ff00::/8)";
  if (g0 === 0x100) return "a discard-only address (100::/64)";
  return "not a global unicast IPv6 address (2000::/3)";
}

/** A dotted-quad IPv4 address as a 32-bit number, or null (four decimal parts 0–255, no leading zeros). */
export function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** An IPv6 address as eight 16-bit groups (with `::` and a dotted IPv4 tail), or null. */
export function parseIpv6(text: string): number[] | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (v4 === null) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) out.push(parseInt(piece, 16));
      else return null;
    }
    return out;
  };
  const head = groupsOf(halves[0] ?? "");
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  if (head === null || tail === null) return null;
  // A dotted tail is allowed only at the very end.
  if (halves.length === 2 && (halves[0] ?? "").includes(".")) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
