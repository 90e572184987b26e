import fs from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ResultBuffer, type UnnumberedResult } from "./buffer.ts";

const start = Date.parse("2026-12-07T12:00:00Z");
const result = (i: number, atMs = start + i * 1000): UnnumberedResult => ({ monitor: `m${i % 7}`, at: new Date(atMs).toISOString(), status: "up", latency_ms: i, facts: { i, pad: "x".repeat(200) } });
const big = { maxBytes: 1024 ** 3, maxAgeMs: 86_400_000 };

describe("ResultBuffer", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "vigil-buffer-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("numbers results, gives them back in order, forgets what is acknowledged, and never reuses a number", () => {
    const buffer = ResultBuffer.open(dir, big);
    expect(buffer.append([result(1), result(2), result(3)], start).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(buffer.peek(2).map((r) => [r.seq, r.latency_ms])).toEqual([[1, 1], [2, 2]]);
    buffer.ack(2);
    expect(buffer.peek(10).map((r) => r.seq)).toEqual([3]);
    buffer.ack(3);
    expect(buffer.peek(10)).toEqual([]);
    expect(buffer.stats()).toMatchObject({ results: 0, lastSeq: 3, acked: 3 });
    buffer.close();
    // Every segment acknowledged is deleted; the next start goes on from 4.
    const again = ResultBuffer.open(dir, big);
    expect(again.append([result(4)], start)[0]?.seq).toBe(4);
  });

  it("keeps what is not acknowledged across a restart (and a crash: no close), over many segments", () => {
    const first = ResultBuffer.open(dir, big);
    for (let i = 0; i < 40; i++) first.append(Array.from({ length: 200 }, (_, j) => result(i * 200 + j)), start);
    first.ack(1_000);
    // No close(): as if the process were killed.
    const segments = fs.readdirSync(dir).filter((n) => n.endsWith(".jsonl"));
    expect(segments.length).toBeGreaterThan(2);
    const second = ResultBuffer.open(dir, big);
    expect(second.stats()).toMatchObject({ results: 7_000, lastSeq: 8_000, acked: 1_000 });
    const seen: number[] = [];
    for (let batch = second.peek(500); batch.length > 0; batch = second.peek(500)) {
      seen.push(...batch.map((r) => r.seq));
      second.ack(batch.at(-1)!.seq);
    }
    expect(seen).toEqual(Array.from({ length: 7_000 }, (_, i) => 1_001 + i));
    expect(fs.readdirSync(dir).filter((n) => n.endsWith(".jsonl")).length).toBeLessThanOrEqual(1);
  });

  it("skips a line torn by a crash mid-write, and writes on in a new segment with the next number", () => {
    const buffer = ResultBuffer.open(dir, big);
    buffer.append([result(1), result(2)], start);
    const file = path.join(dir, fs.readdirSync(dir).find((n) => n.endsWith(".jsonl"))!);
    fs.appendFileSync(file, '{"seq":3,"monitor":"m3","at":"2026-12');
    const reopened = ResultBuffer.open(dir, big);
    expect(reopened.peek(10).map((r) => r.seq)).toEqual([1, 2]);
    expect(reopened.append([result(3)], start)[0]?.seq).toBe(3);
    expect(reopened.peek(10).map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it("drops the oldest results first past its size, and counts them", () => {
    const buffer = ResultBuffer.open(dir, { maxBytes: 2.5 * 1024 * 1024, maxAgeMs: 86_400_000 });
    for (let i = 0; i < 60; i++) buffer.append(Array.from({ length: 200 }, (_, j) => result(i * 200 + j)), start);
    const stats = buffer.stats();
    expect(stats.bytes).toBeLessThanOrEqual(2.5 * 1024 * 1024);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.results + stats.dropped).toBe(12_000);
    // What is left is the newest, in order, without a gap.
    const left = buffer.peek(20_000).map((r) => r.seq);
    expect(left[0]).toBe(stats.dropped + 1);
    expect(left.at(-1)).toBe(12_000);
    expect(left.length).toBe(stats.results);
  });

  it("drops results older than its age limit, and counts them", () => {
    const hour = 3_600_000;
    const buffer = ResultBuffer.open(dir, { maxBytes: 1024 ** 3, maxAgeMs: 2 * hour });
    // A segment of old results, closed by its size, then a new one.
    buffer.append(Array.from({ length: 5_000 }, (_, i) => result(i, start)), start);
    buffer.append([result(9, start + 3 * hour)], start + 3 * hour);
    const stats = buffer.stats();
    expect(stats.dropped).toBe(5_000);
    expect(buffer.peek(10).map((r) => r.seq)).toEqual([5_001]);
  });
});
