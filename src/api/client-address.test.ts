import { describe, expect, it } from "vitest";
import { clientAddress, rateKeyOf, trustedList } from "./client-address.ts";

describe("clientAddress", () => {
  const proxies = trustedList(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
  const none = trustedList([]);
  it.each([
    ["no trusted proxies: the peer, whatever the header says", "127.0.0.1", "203.0.113.7", none, "127.0.0.1"],
    ["an untrusted peer's header is ignored", "198.51.100.9", "203.0.113.7", proxies, "198.51.100.9"],
    ["a trusted peer without the header: the peer", "127.0.0.1", undefined, proxies, "127.0.0.1"],
    ["a trusted peer: the address it was reached from", "127.0.0.1", "203.0.113.7", proxies, "203.0.113.7"],
    ["entries a client wrote itself, left of the real one, prove nothing", "127.0.0.1", "192.0.2.66, 192.0.2.67, 203.0.113.7", proxies, "203.0.113.7"],
    ["through two trusted proxies: the right-most untrusted", "127.0.0.1", "192.0.2.66, 203.0.113.7, 10.1.2.3", proxies, "203.0.113.7"],
    ["the header repeated reads as one list", "127.0.0.1", ["192.0.2.66", "203.0.113.7, 10.1.2.3"], proxies, "203.0.113.7"],
    ["every entry trusted: the left-most", "127.0.0.1", "10.9.9.9, 10.1.2.3", proxies, "10.9.9.9"],
    ["garbage ends the walk at the last address read", "127.0.0.1", "203.0.113.7, not-an-ip, 10.1.2.3", proxies, "10.1.2.3"],
    ["an IPv4 entry with a port", "127.0.0.1", "203.0.113.7:51234", proxies, "203.0.113.7"],
    ["an IPv6 entry in brackets with a port", "127.0.0.1", "[2001:db8::5]:443", proxies, "2001:db8::5"],
    ["an IPv4-mapped IPv6 peer is matched as IPv4", "::ffff:127.0.0.1", "203.0.113.7", proxies, "203.0.113.7"],
    ["an IPv6 proxy in a trusted block", "fd12::1", "2001:db8:1:2::9", proxies, "2001:db8:1:2::9"],
  ] as const)("%s", (_name, peer, header, list, expected) => {
    expect(clientAddress(peer, header, list)).toBe(expected);
  });
});

describe("rateKeyOf", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002::ffff", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
  ])("%s is counted as %s", (address, key) => {
    expect(rateKeyOf(address)).toBe(key);
  });

  it("puts two addresses of one /64 under one key, and of two /64s under two", () => {
    expect(rateKeyOf("2001:db8:1:2::1")).toBe(rateKeyOf("2001:db8:1:2:ffff::9"));
    expect(rateKeyOf("2001:db8:1:2::1")).not.toBe(rateKeyOf("2001:db8:1:3::1"));
  });
});
