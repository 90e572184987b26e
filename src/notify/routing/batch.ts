import type { MessageComponent, NotificationMessage } from "../types.ts";
import type { Batch } from "./group.ts";

/** At most this many earlier messages are named in a batch's text; the rest are counted. */
const listedMax = 10;

/**
 * The one notification a batch of a group is delivered as, so a channel receives one message per group send.
 *
 * - One new message: that message, unchanged.
 * - Several: the latest (its kind, severity, incident and dedup key say where things stand now, so a receiver such as
 *   PagerDuty triggers or resolves correctly), its text followed by the earlier messages' titles, oldest first, and
 *   the components of them all (the latest message's view of a component wins).
 * - A reminder (`repeat_interval`): the latest still-firing message, titled "Still open: …", its text followed by the
 *   other messages still firing, if any.
 *
 * Throws RangeError for a batch without messages (groupStep never makes one).
 */
export function batchMessage(batch: Batch): NotificationMessage {
  const latest = batch.messages.at(-1);
  if (latest === undefined) throw new RangeError(`batch ${batch.groupKey} has no messages`);
  const earlier = batch.messages.slice(0, -1);
  if (batch.reason === "repeat_interval") {
    return {
      ...latest,
      title: `Still open: ${latest.title}`,
      text: withList(latest.text, "Also still open:", earlier),
      components: mergeComponents(batch.messages),
    };
  }
  if (earlier.length === 0) return latest;
  return { ...latest, text: withList(latest.text, `Also since the last notification (${earlier.length}):`, earlier), components: mergeComponents(batch.messages) };
}

function withList(text: string, heading: string, messages: readonly NotificationMessage[]): string {
  if (messages.length === 0) return text;
  const listed = messages.slice(-listedMax).map((m) => `- ${m.title}`);
  const more = messages.length - listed.length;
  return [text, "", heading, ...(more > 0 ? [`- … and ${more} more`] : []), ...listed].filter((line, i) => i > 0 || line !== "").join("\n");
}

/** Every component the messages name, in first-seen order, each as the latest message naming it says. */
function mergeComponents(messages: readonly NotificationMessage[]): MessageComponent[] {
  const byId = new Map<string, MessageComponent>();
  for (const message of messages) for (const c of message.components) byId.set(c.id, c);
  const order: string[] = [];
  for (const message of messages) for (const c of message.components) if (!order.includes(c.id)) order.push(c.id);
  return order.map((id) => byId.get(id)!);
}
