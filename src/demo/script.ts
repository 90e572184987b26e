/**
 * The story, replayed: a company's API went down because its managed MySQL cluster crash-looped. Without Vigil their
 * first alert came 8 minutes late, their status page said "Investigating" after 30 minutes, they learned it was their
 * cloud provider's fault after 102 minutes, and they reconciled the data by hand. Here the same things happen to the
 * stand-ins, on a story clock running `speed` times faster than real time, while Vigil watches in real time.
 */
import type { StoryClock } from "./clock.ts";
import type { DemoDatabase } from "./database.ts";
import type { Narrator } from "./narrator.ts";
import type { ProviderFeed } from "./provider-feed.ts";
import { sleep } from "./net.ts";

const minute = 60_000;

/** The story's timeline, in story time from the start of the replay. */
export const story = {
  /** Healthy, then the first crash. */
  firstCrashAt: 2 * minute,
  /** Each crash: down this long, then it answers for a moment (`upMomentMs`, real time) before crashing again. */
  downFor: 6 * minute,
  /** The provider posts its incident on its status feed. */
  providerPostsAt: 16 * minute,
  /** The provider fixes it: the database stays up from the end of the crash that is running then. */
  recoversAt: 50 * minute,
  /** At least this many crashes, whatever the speed. */
  minCrashes: 3,
} as const;

/** What the story says happened without Vigil, from the first crash. */
export const withoutVigil = { firstAlertMs: 8 * minute, publicPostMs: 30 * minute, causeKnownMs: 102 * minute } as const;

/**
 * Real time, whatever the speed: Vigil checks every second and confirms a failure with a re-check, so a crash must
 * last a few seconds to be confirmed. Between crashes the database answers for a moment, as a crash-looping server
 * does: long enough for a check to read its uptime (a restart), too short for three good checks in a row (recovered).
 * The recovery waits until Vigil has read the provider's feed since the post (it reads it every 15 s).
 */
export const realTime = { minDownMs: 3_000, upMomentMs: 1_500, afterFeedReadMs: 1_500 } as const;

/** When the script's events happened, in wall time. */
export interface ScriptMarks {
  firstCrashAt?: Date;
  providerPostedAt?: Date;
  recoveredAt?: Date;
  crashes: number;
}

export interface ScriptContext {
  clock: StoryClock;
  db: DemoDatabase;
  feed: ProviderFeed;
  say: Narrator;
  signal?: AbortSignal;
}

/** Plays the story from healthy to the database's recovery; Vigil's side is watched elsewhere. */
export async function playStory(ctx: ScriptContext): Promise<ScriptMarks> {
  const { clock, db, feed, say } = ctx;
  const marks: ScriptMarks = { crashes: 0 };
  const tell = (text: string) => say.say("story", text);
  clock.start();
  tell("All is well: the Production API answers, the orders database too.");

  let feedReadsAtPost: number | undefined;
  const provider = (async () => {
    await clock.until(story.providerPostsAt);
    feed.postIncident();
    feedReadsAtPost = feed.reads();
    marks.providerPostedAt = new Date();
    tell(`The provider posts on its status feed: "Service disruption: Database instances unavailable" (Amazon RDS, us-west-2)\n${feed.pageUrl}`);
  })();
  // Awaited below; when the replay is interrupted first, its rejection is the same interruption.
  provider.catch(() => undefined);
  const providerHasBeenRead = () => feedReadsAtPost !== undefined && feed.reads() > feedReadsAtPost;

  await clock.until(story.firstCrashAt);
  for (;;) {
    await db.crash();
    marks.crashes += 1;
    marks.firstCrashAt ??= new Date();
    tell(marks.crashes === 1 ? "The orders database CRASHES (killed, no shutdown)." : `The orders database crashes again (crash ${marks.crashes}).`);
    await clock.sleep(story.downFor, realTime.minDownMs);
    const over = marks.crashes >= story.minCrashes && clock.now() >= story.recoversAt && providerHasBeenRead();
    if (over) break;
    await db.restart();
    tell("The database restarts and answers… for a moment.");
    await sleep(realTime.upMomentMs, ctx.signal);
  }
  // Vigil has read the provider's post by now (only Vigil reads the feed); a moment more to act on it.
  await provider;
  await sleep(realTime.afterFeedReadMs, ctx.signal);

  await db.restart();
  feed.postResolved();
  marks.recoveredAt = new Date();
  tell('The provider fixes its zone; the database comes back and stays up. The provider posts "[RESOLVED] Database instances unavailable".');
  return marks;
}
