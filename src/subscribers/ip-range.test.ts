import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { classifyAddress, parseIpv6 } from "./ip-range.ts";

/** [address, public?, words the reason names]. */
const table: [string, boolean, string?][] = [
  // IPv4: public
  ["1.1.1.1", true],
  ["8.8.8.8", true],
  ["93.184.215.14", true],
  ["100.63.255.255", true],
  ["100.128.0.0", true],
  ["172.15.255.255", true],
  ["172.32.0.0", true],
  ["192.0.1.255", true],
  ["192.167.255.255", true],
  ["192.169.0.0", true],
  ["198.17.255.255", true],
  ["198.20.0.0", true],
  ["223.255.255.255", true],
  // IPv4: special purpose, each range at its edges
  ["0.0.0.0", false, "0.0.0.0/8"],
  ["0.255.255.255", false, "0.0.0.0/8"],
  ["10.0.0.0", false, "10.0.0.0/8"],
  ["10.255.255.255", false, "10.0.0.0/8"],
  ["100.64.0.0", false, "100.64.0.0/10"],
  ["100.127.255.255", false, "100.64.0.0/10"],
  ["127.0.0.1", false, "loopback"],
  ["127.255.255.254", false, "loopback"],
  ["169.254.169.254", false, "169.254.0.0/16"],
  ["169.254.0.1", false, "link-local"],
  ["172.16.0.0", false, "172.16.0.0/12"],
  ["172.31.255.255", false, "172.16.0.0/12"],
  ["192.0.0.8", false, "192.0.0.0/24"],
  ["192.0.2.1", false, "documentation"],
  ["192.88.99.1", false, "6to4 relay"],
  ["192.168.0.1", false, "192.168.0.0/16"],
  ["192.168.255.255", false, "192.168.0.0/16"],
  ["198.18.0.1", false, "benchmarking"],
  ["198.19.255.255", false, "benchmarking"],
  ["198.51.100.7", false, "documentation"],
  ["203.0.113.9", false, "documentation"],
  ["224.0.0.1", false, "multicast"],
  ["239.255.255.255", false, "multicast"],
  ["240.0.0.1", false, "reserved"],
  ["255.255.255.255", false, "broadcast"],
  // IPv6: public global unicast
  ["2606:4700:4700::1111", true],
  ["2a00:1450:4001:82b::200e", true],
  ["2001:4860:4860::8888", true],
  ["2001:200::1", true],
  ["3ffe::1", true],
  ["[2606:4700:4700::1111]", true],
  // IPv6: local and special
  ["::", false, "unspecified"],
  ["::1", false, "loopback"],
  ["[::1]", false, "loopback"],
  ["0:0:0:0:0:0:0:1", false, "loopback"],
  ["fe80::1", false, "link-local"],
  ["febf::1", false, "link-local"],
  ["fec0::1", false, "site-local"],
  ["fc00::1", false, "unique local"],
  ["fd12:3456::1", false, "unique local"],
  ["ff02::1", false, "multicast"],
  ["100::1", false, "discard"],
  ["2001:db8::1", false, "documentation"],
  ["3fff::1", false, "documentation"],
  ["5f00::1", false, "global unicast"],
  ["4000::1", false, "global unicast"],
  ["fe80::1%eth0", false, "zone"],
  // IPv6 forms that carry an IPv4 address: judged by it
  ["::ffff:127.0.0.1", false, "IPv4-mapped address (::ffff:0:0/96) of 127.0.0.1"],
  ["::ffff:7f00:1", false, "IPv4-mapped address (::ffff:0:0/96) of 127.0.0.1"],
  ["::ffff:169.254.169.254", false, "169.254.169.254"],
  ["::ffff:10.1.2.3", false, "10.0.0.0/8"],
  ["::ffff:8.8.8.8", true],
  ["::127.0.0.1", false, "IPv4-compatible"],
  ["::8.8.8.8", false, "IPv4-compatible"],
  ["::ffff:0:10.0.0.1", false, "IPv4-translated"],
  ["64:ff9b::127.0.0.1", false, "NAT64 address (64:ff9b::/96) of 127.0.0.1"],
  ["64:ff9b::a9fe:a9fe", false, "NAT64 address (64:ff9b::/96) of 169.254.169.254"],
  ["64:ff9b::10.0.0.1", false, "10.0.0.0/8"],
  ["64:ff9b::8.8.8.8", true],
  ["64:ff9b:1::8.8.8.8", false, "local-use NAT64"],
  ["64:ff9b:1:abcd::1", false, "local-use NAT64"],
  ["2002:7f00:1::", false, "6to4 address (2002::/16) of 127.0.0.1"],
  ["2002:a9fe:a9fe::1", false, "169.254.169.254"],
  ["2002:c0a8:101::1", false, "192.168.0.0/16"],
  ["2002:0a00:0001:1::1", false, "10.0.0.0/8"],
  ["2002:808:808::1", true],
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", false, "Teredo"],
  ["2001::7f00:1", false, "Teredo"],
  ["2001:0:53aa:64c:0:0:80ff:fffe", false, "127.0.0.1"],
  ["2001:10::1", false, "2001::/23"],
  // not addresses
  ["example.com", false, "not an IP address"],
  ["1.2.3", false, "not an IP address"],
  ["01.2.3.4", false, "not an IP address"],
  ["256.1.1.1", false, "not an IP address"],
  ["1:2:3:4:5:6:7:8:9", false, "not an IP address"],
  ["1::2::3", false, "not an IP address"],
  ["", false, "not an IP address"],
];

describe("classifyAddress", () => {
  it.each(table)("%s is public: %s", (address, isPublic, reason) => {
    const result = classifyAddress(address);
    expect(result.public).toBe(isPublic);
    if (!result.public) expect(result.reason).toContain(reason);
  });

  it("reads every IPv6 spelling Node reads, the same way", () => {
    for (const [address] of table) {
      const bare = address.replace(/^\[|\]$/g, "");
      if (isIP(bare) !== 6 || bare.includes("%")) continue;
      const groups = parseIpv6(bare);
      expect(groups, bare).not.toBeNull();
      expect(groups).toHaveLength(8);
    }
    expect(parseIpv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIpv6("1.2.3.4::")).toBeNull();
    expect(parseIpv6("1:2:3:4:5:6:7::8")).toBeNull();
  });
});
