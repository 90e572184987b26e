import { describe, expect, it } from "vitest";
import { withoutAddress } from "./subscriber-sender.ts";

describe("withoutAddress", () => {
  const email = { kind: "email" as const, address: "Ada.Lovelace@example.org" };
  it.each([
    ["550 5.1.1 <Ada.Lovelace@example.org>: Recipient address rejected", "550 5.1.1 <[recipient]>: Recipient address rejected"],
    ["550 <ada.lovelace@EXAMPLE.ORG> unknown", "550 <[recipient]> unknown"],
    ["550 ada.lovelace@xn--exmple-cua.org: no such user", "550 [recipient]: no such user"],
    ["421 try again later", "421 try again later"],
  ])("takes the recipient out of %s", (error, expected) => {
    expect(withoutAddress({ ok: false, retryable: false, error }, email)).toEqual({ ok: false, retryable: false, error: expected });
  });

  it("takes a webhook's URL and host out, in errors and details", () => {
    const hook = { kind: "webhook" as const, address: "https://jane.example.net:8443/hooks/x" };
    expect(withoutAddress({ ok: false, retryable: true, error: "connection refused by jane.example.net:8443" }, hook)).toEqual({ ok: false, retryable: true, error: "connection refused by [webhook host]" });
    expect(withoutAddress({ ok: true, detail: "jane.example.net:8443 answered 204" }, hook)).toEqual({ ok: true, detail: "[webhook host] answered 204" });
    expect(withoutAddress({ ok: false, retryable: false, error: "refused: its host jane.example.net is private" }, hook)).toEqual({ ok: false, retryable: false, error: "refused: its host [webhook host] is private" });
  });
});
