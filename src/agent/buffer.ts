import fs from "node:fs";
import path from "node:path";
import type { AgentResult } from "../agents/protocol.ts";

/** A result before the buffer numbers it. */
export type UnnumberedResult = Omit<AgentResult, "seq">;

/** Bounds of the buffer: the oldest results go first when one is passed. */
export interface BufferLimits {
  maxBytes: number;
  maxAgeMs: number;
}

/** What is in the buffer. */
export interface BufferStats {
  /** Results not yet acknowledged by a node. */
  results: number;
  /** Results dropped (oldest first) because the buffer was full or they were too old, since the data dir was made. */
  dropped: number;
  bytes: number;
  lastSeq: number;
  acked: number;
}

interface Segment {
  file: string;
  firstSeq: number;
  bytes: number;
  /** Check time (ms) of its newest result; its file's modification time when it was read at start-up. */
  newestAt: number;
}

interface Ledger {
  /** Every result up to this sequence number was taken by a node (or dropped). */
  acked: number;
  /** The highest sequence number ever given; never reused, even once its segment is gone. */
  lastSeq: number;
  dropped: number;
}

const segmentBytes = 1024 * 1024;
const segmentPattern = /^(\d{16})\.jsonl$/;

/**
 * The agent's results on disk until a node has them: numbered (a sequence that is never reused), appended as JSON
 * lines to segment files of about 1 MiB, read back in order, and deleted once acknowledged. Bounded by size and age:
 * past either, the oldest segment goes and its unacknowledged results are counted as dropped. A line torn by a crash
 * mid-write is skipped, and writing goes on in a new segment. One process at a time uses a data dir.
 */
export class ResultBuffer {
  readonly #dir: string;
  readonly #ledgerFile: string;
  readonly #limits: BufferLimits;
  #ledger: Ledger;
  #segments: Segment[];
  /** The segment being appended to (the last one), open, with its results kept in memory; a new one after a start-up. */
  #writing: { segment: Segment; fd: number; results: AgentResult[] } | undefined;
  /** The parsed results of the segment being read, kept while draining it. */
  #reading: { file: string; results: AgentResult[] } | undefined;

  private constructor(dir: string, limits: BufferLimits, ledger: Ledger, segments: Segment[]) {
    this.#dir = dir;
    this.#ledgerFile = path.join(dir, "ledger.json");
    this.#limits = limits;
    this.#ledger = ledger;
    this.#segments = segments;
  }

  /** Opens (or makes) the buffer in `dir`. */
  static open(dir: string, limits: BufferLimits): ResultBuffer {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ledger = readLedger(path.join(dir, "ledger.json"));
    const segments: Segment[] = [];
    for (const name of fs.readdirSync(dir).sort()) {
      const match = segmentPattern.exec(name);
      if (!match) continue;
      const file = path.join(dir, name);
      const stat = fs.statSync(file);
      segments.push({ file, firstSeq: Number(match[1]), bytes: stat.size, newestAt: stat.mtimeMs });
    }
    // The newest sequence number is in the ledger, or on the last line written (a crash can come before the ledger).
    const last = segments.at(-1);
    if (last !== undefined) {
      const results = parseSegment(last.file);
      const lastSeq = results.at(-1)?.seq ?? 0;
      ledger.lastSeq = Math.max(ledger.lastSeq, lastSeq);
      const newest = results.at(-1);
      if (newest !== undefined) last.newestAt = Date.parse(newest.at);
    }
    ledger.lastSeq = Math.max(ledger.lastSeq, ledger.acked);
    const buffer = new ResultBuffer(dir, limits, ledger, segments);
    buffer.#removeAcked();
    return buffer;
  }

  /** Numbers the results and writes them; returns the numbered results. Bounds are applied after. */
  append(results: readonly UnnumberedResult[], now: number): AgentResult[] {
    if (results.length === 0) return [];
    const numbered = results.map((r) => ({ seq: ++this.#ledger.lastSeq, ...r }));
    const text = numbered.map((r) => JSON.stringify(r)).join("\n") + "\n";
    const writing = this.#writable(numbered[0]!.seq);
    fs.writeSync(writing.fd, text);
    // On disk before anyone is told: a machine that loses power keeps what the agent said it had.
    fs.fdatasyncSync(writing.fd);
    writing.results.push(...numbered);
    writing.segment.bytes += Buffer.byteLength(text);
    writing.segment.newestAt = Date.parse(numbered.at(-1)!.at);
    if (writing.segment.bytes >= segmentBytes) this.#closeWriting();
    this.#enforceLimits(now);
    return numbered;
  }

  /** Up to `max` unacknowledged results, oldest first. */
  peek(max: number): AgentResult[] {
    const out: AgentResult[] = [];
    for (let i = 0; i < this.#segments.length && out.length < max; i++) {
      const next = this.#segments[i + 1];
      if (next !== undefined && next.firstSeq - 1 <= this.#ledger.acked) continue;
      for (const result of this.#resultsOf(this.#segments[i]!)) {
        if (result.seq <= this.#ledger.acked) continue;
        out.push(result);
        if (out.length >= max) break;
      }
    }
    return out;
  }

  /** A node has every result up to `seq`: they are forgotten. */
  ack(seq: number): void {
    if (seq <= this.#ledger.acked) return;
    this.#ledger.acked = Math.min(seq, this.#ledger.lastSeq);
    this.#writeLedger();
    this.#removeAcked();
  }

  stats(): BufferStats {
    const firstKept = this.#segments[0]?.firstSeq ?? this.#ledger.lastSeq + 1;
    const from = Math.max(this.#ledger.acked + 1, firstKept);
    return {
      results: Math.max(0, this.#ledger.lastSeq - from + 1),
      dropped: this.#ledger.dropped,
      bytes: this.#segments.reduce((sum, s) => sum + s.bytes, 0),
      lastSeq: this.#ledger.lastSeq,
      acked: this.#ledger.acked,
    };
  }

  /** Closes the file being written; the buffer stays on disk for the next start. */
  close(): void {
    this.#closeWriting();
    this.#writeLedger();
  }

  #writable(firstSeq: number): { segment: Segment; fd: number; results: AgentResult[] } {
    if (this.#writing !== undefined) return this.#writing;
    const file = path.join(this.#dir, `${String(firstSeq).padStart(16, "0")}.jsonl`);
    const fd = fs.openSync(file, "a", 0o600);
    const segment: Segment = { file, firstSeq, bytes: 0, newestAt: 0 };
    this.#segments.push(segment);
    this.#writing = { segment, fd, results: [] };
    return this.#writing;
  }

  #closeWriting(): void {
    if (this.#writing === undefined) return;
    fs.closeSync(this.#writing.fd);
    this.#writing = undefined;
  }

  #resultsOf(segment: Segment): AgentResult[] {
    // The segment being written is in memory (this process wrote all of it); a closed one is parsed once.
    if (this.#writing?.segment === segment) return this.#writing.results;
    if (this.#reading?.file !== segment.file) this.#reading = { file: segment.file, results: parseSegment(segment.file) };
    return this.#reading.results;
  }

  /** Deletes segments whose every result is acknowledged (not the one being written). */
  #removeAcked(): void {
    while (this.#segments.length > 0) {
      const [first, second] = this.#segments;
      const lastSeqOfFirst = second !== undefined ? second.firstSeq - 1 : this.#ledger.lastSeq;
      if (lastSeqOfFirst > this.#ledger.acked || this.#writing?.segment === first) break;
      this.#deleteFirst();
    }
  }

  /** Past a bound, the oldest segments go (the one being written is closed first, and goes last). */
  #enforceLimits(now: number): void {
    const tooBig = () => this.#segments.reduce((sum, s) => sum + s.bytes, 0) > this.#limits.maxBytes;
    const tooOld = () => this.#segments[0] !== undefined && now - this.#segments[0].newestAt > this.#limits.maxAgeMs;
    while (this.#segments.length > 0 && (tooBig() || tooOld())) {
      const [first, second] = this.#segments;
      if (this.#writing?.segment === first) this.#closeWriting();
      const lastSeqOfFirst = second !== undefined ? second.firstSeq - 1 : this.#ledger.lastSeq;
      const unacked = Math.max(0, lastSeqOfFirst - Math.max(this.#ledger.acked, first!.firstSeq - 1));
      this.#ledger.dropped += unacked;
      this.#ledger.acked = Math.max(this.#ledger.acked, lastSeqOfFirst);
      this.#deleteFirst();
      this.#writeLedger();
    }
  }

  #deleteFirst(): void {
    const first = this.#segments.shift();
    if (first === undefined) return;
    if (this.#reading?.file === first.file) this.#reading = undefined;
    fs.rmSync(first.file, { force: true });
  }

  #writeLedger(): void {
    const temporary = `${this.#ledgerFile}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(this.#ledger), { mode: 0o600 });
    fs.renameSync(temporary, this.#ledgerFile);
  }
}

function readLedger(file: string): Ledger {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Ledger>;
    const n = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : 0);
    return { acked: n(parsed.acked), lastSeq: n(parsed.lastSeq), dropped: n(parsed.dropped) };
  } catch {
    return { acked: 0, lastSeq: 0, dropped: 0 };
  }
}

/** The results of a segment file, in order; a torn or garbled line (a crash mid-write) and what follows it are skipped. */
function parseSegment(file: string): AgentResult[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: AgentResult[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const parsed = JSON.parse(line) as AgentResult;
      if (typeof parsed.seq !== "number") break;
      out.push(parsed);
    } catch {
      break;
    }
  }
  return out;
}
