import { describe, expect, it } from "vitest";
import { privateAddressProblem, type Lookup } from "./public-address.ts";

const resolvesTo = (...addresses: string[]): Lookup => async () => addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("privateAddressProblem", () => {
  it.each([
    ["http://127.0.0.1:9000/hook", "127.0.0.1"],
    ["http://10.1.2.3/hook", "10.1.2.3"],
    ["http://172.20.0.1/hook", "172.20.0.1"],
    ["http://192.168.1.10/hook", "192.168.1.10"],
    ["http://169.254.169.254/latest/meta-data", "169.254.169.254"],
    ["http://100.64.0.1/", "100.64.0.1"],
    ["http://0.0.0.0:8080/", "0.0.0.0"],
    ["http://[::1]:8080/", "::1"],
    ["http://[fd00::1]/", "fd00::1"],
    ["http://[fe80::1]/", "fe80::1"],
    ["http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"],
  ])("refuses %s", async (url, address) => {
    expect(await privateAddressProblem(url, resolvesTo())).toContain(`(${address})`);
  });

  it("accepts public addresses, and refuses a name with any private address among its answers", async () => {
    expect(await privateAddressProblem("https://hooks.example.com/x", resolvesTo("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"))).toBeNull();
    expect(await privateAddressProblem("http://8.8.8.8/")).toBeNull();
    expect(await privateAddressProblem("https://rebind.example.com/x", resolvesTo("93.184.215.14", "10.0.0.7"))).toBe("its host rebind.example.com is a private or local address (10.0.0.7): a private address (10.0.0.0/8)");
  });

  it("refuses a name that does not resolve", async () => {
    const failing: Lookup = async () => {
      throw new Error("ENOTFOUND");
    };
    expect(await privateAddressProblem("https://nowhere.invalid/x", failing)).toBe("its host nowhere.invalid does not resolve");
    expect(await privateAddressProblem("https://empty.example.com/x", resolvesTo())).toBe("its host empty.example.com does not resolve");
  });
});
