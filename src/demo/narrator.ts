/** Writes the demo's narration: one line per happening, with the replay's elapsed time, the wall time and the story's clock. */

/** Who a line is about: the story (what happens to the company), Vigil, or what arrives at the on-call stand-ins. */
export type Voice = "demo" | "story" | "vigil" | "webhook" | "e-mail";

export class Narrator {
  readonly #out: NodeJS.WritableStream;
  readonly #startedAt = Date.now();
  /** The story clock's reading relative to the first crash ("T+14:00"), or undefined before the story starts. */
  storyTime: () => string | undefined = () => undefined;

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
  }

  /** A timestamped line; continuation lines (after "\n") are indented under the text. */
  say(voice: Voice, text: string): void {
    const elapsed = mmss(Date.now() - this.#startedAt);
    const wall = new Date().toTimeString().slice(0, 8);
    // The story's clock only on the story's lines: Vigil's run in real time.
    const story = voice === "story" ? (this.storyTime() ?? "") : "";
    const prefix = `${elapsed}  ${wall}  ${voice.padEnd(7)}  ${story.padEnd(8)}  `;
    const [first, ...rest] = text.split("\n");
    this.#out.write(`${prefix}${first}\n${rest.map((line) => `${" ".repeat(prefix.length)}${line}\n`).join("")}`);
  }

  /** Text as it is, without a timestamp (headings, the report). */
  print(text = ""): void {
    this.#out.write(`${text}\n`);
  }
}

/** "mm:ss" of a duration (negative: "-mm:ss"). */
export function mmss(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const total = Math.floor(Math.abs(ms) / 1000);
  return `${sign}${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}
