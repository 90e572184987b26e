import { describe, expect, it } from "vitest";
import { MinHeap } from "./heap.ts";

describe("MinHeap", () => {
  it("pops in key order, equal keys in the order they were pushed", () => {
    const heap = new MinHeap<string>();
    const pushes: [number, string][] = [[5, "a"], [1, "b"], [5, "c"], [3, "d"], [1, "e"], [5, "f"], [0, "g"], [3, "h"]];
    for (const [key, value] of pushes) heap.push(key, value);
    expect(heap.size).toBe(8);
    expect(heap.peekKey()).toBe(0);
    const out: string[] = [];
    for (let item = heap.pop(); item; item = heap.pop()) out.push(`${item.value}${item.key}`);
    expect(out).toEqual(["g0", "b1", "e1", "d3", "h3", "a5", "c5", "f5"]);
    expect(heap.size).toBe(0);
    expect(heap.peekKey()).toBeUndefined();
    expect(heap.pop()).toBeUndefined();
  });

  it("stays ordered when pushes and pops interleave", () => {
    const heap = new MinHeap<number>();
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) % 50);
    const mirror: { key: number; value: number }[] = [];
    for (let i = 0; i < 2_000; i++) {
      if (rand() < 30) {
        const key = rand();
        heap.push(key, i);
        mirror.push({ key, value: i });
      } else {
        mirror.sort((a, b) => a.key - b.key || a.value - b.value);
        expect(heap.pop()).toEqual(mirror.shift());
      }
    }
  });
});
