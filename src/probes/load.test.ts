import { describe, expect, it } from "vitest";
import { isMonitorType, loadProbe, monitorTypeNames } from "./load.ts";
import { probeRegistry } from "./registry.ts";

describe("probes loaded on first use", () => {
  it("loads each type's probe once, the same one the server's registry holds", async () => {
    for (const type of monitorTypeNames) {
      const probe = await loadProbe(type);
      expect(probe.type).toBe(type);
      expect(probe).toBe(probeRegistry[type]);
      expect(loadProbe(type)).toBe(loadProbe(type));
    }
    expect(Object.keys(probeRegistry)).toEqual([...monitorTypeNames]);
  });

  it("knows the monitor types and nothing else, not even an object's own properties", () => {
    for (const type of monitorTypeNames) expect(isMonitorType(type)).toBe(true);
    for (const other of ["smtp", "HTTP", "", "toString", "__proto__", "constructor"]) expect(isMonitorType(other)).toBe(false);
  });
});
