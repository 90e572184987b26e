import type { NotificationMessage } from "../../notify/types.ts";

/** A message as stored (outbox rows, groups): JSON, dates as ISO strings. */
export function messageJson(message: NotificationMessage): Record<string, unknown> {
  return JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
}

/** A stored message back as a NotificationMessage: its dates were written as ISO strings. */
export function reviveMessage(json: Record<string, unknown>): NotificationMessage {
  const message = json as unknown as NotificationMessage & { at: string | Date };
  const incident = message.incident as (NotificationMessage["incident"] & { startedAt: string | Date; resolvedAt: string | Date | null }) | null;
  return {
    ...message,
    at: new Date(message.at),
    incident: incident === null ? null : { ...incident, startedAt: new Date(incident.startedAt), resolvedAt: incident.resolvedAt === null ? null : new Date(incident.resolvedAt) },
  };
}
