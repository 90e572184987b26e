/**
 * What the console's management pages (maintenances, silences, subscribers, channels, tokens) share: the API's refusal
 * shown next to a form, a notice, times shown and typed in UTC, and the answer that sends the browser back to a list.
 */
import type { FastifyReply } from "fastify";
import { esc } from "../../statuspage/render/html/escape.ts";
import type { ApiAnswer } from "./kit.ts";

/** A form's refusal: the API's message and, when it named them, the fields at fault. */
export interface Refusal {
  message: string;
  details: readonly { path: string; message: string }[];
}

/** The refusal in an API answer of 400 or above. */
export function refusalOf(answer: ApiAnswer): Refusal {
  const raw = (answer.json as { error?: { details?: unknown } } | undefined)?.error?.details;
  const details = Array.isArray(raw)
    ? raw.flatMap((d: unknown) => {
        const item = d as { path?: unknown; message?: unknown; line?: unknown };
        const path = typeof item.path === "string" ? item.path : typeof item.line === "number" ? `line ${item.line}` : "";
        return typeof item.message === "string" ? [{ path, message: item.message }] : [];
      })
    : [];
  return { message: answer.error ?? `the API answered ${answer.status}`, details };
}

/** The refusal as an alert, with its field details listed. */
export function refusalBlock(refusal: Refusal | undefined): string {
  if (!refusal) return "";
  const list = refusal.details.length === 0 ? "" : `<ul>${refusal.details.map((d) => `<li>${d.path === "" ? "" : `<code>${esc(d.path)}</code>: `}${esc(d.message)}</li>`).join("")}</ul>`;
  return `<div class="error" role="alert"><p class="error-message">${esc(refusal.message)}</p>${list}</div>`;
}

/** A notice of what was just done. */
export const noticeBlock = (notice: string | undefined) => (notice ? `<p class="note" role="status">${esc(notice)}</p>` : "");

/** An ISO time as the pages show it: UTC, to the minute. */
export function shownTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return `<time datetime="${esc(iso)}">${esc(iso.replace("T", " ").slice(0, 16))} UTC</time>`;
}

/**
 * A `datetime-local` input's value ("2026-12-01T02:00", read as UTC) as an ISO 8601 time for the API; what the user
 * typed otherwise, for the API to refuse with its own message. Empty stays empty.
 */
export function utcFromInput(value: string): string {
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text)) return `${text}:00Z`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text)) return `${text}Z`;
  return text;
}

/** An ISO time as a `datetime-local` input's value in UTC. */
export const inputFromIso = (iso: string) => iso.slice(0, 16);

/** A labelled UTC time input. */
export function timeInput(id: string, name: string, label: string, value: string, required: boolean): string {
  return `<label for="${id}">${esc(label)} <span class="note">(UTC)</span></label><input id="${id}" name="${name}" type="datetime-local" value="${esc(value)}"${required ? " required" : ""}>`;
}

/** A labelled text input. */
export function textInput(id: string, name: string, label: string, value: string, extra = ""): string {
  return `<label for="${id}">${esc(label)}</label><input id="${id}" name="${name}" type="text" value="${esc(value)}"${extra}>`;
}

/** A comma- or space-separated list typed in a form, without empty items. */
export const listOf = (text: string) => text.split(/[\s,]+/).filter((item) => item !== "");

/** Back to a page after a write done (POST, redirect, GET). */
export const seeOther = (reply: FastifyReply, to: string) => reply.status(303).header("cache-control", "no-store").redirect(to);

/** A path segment of an id taken from a form or URL. */
export const idSegment = (id: string) => encodeURIComponent(id.slice(0, 200));

/** Every value of a form field sent more than once (checkboxes), or once. */
export function fieldValues(body: unknown, name: string): string[] {
  const value = body !== null && typeof body === "object" ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * The opening of the box a wide table scrolls sideways in on a phone: focusable, so that a keyboard user can scroll it
 * with the arrow keys, and named as a region after the table (`what`: "Failed deliveries" gives "Failed deliveries table").
 */
export const scrollBox = (what: string) => `<div class="scroll" tabindex="0" role="region" aria-label="${esc(`${what} table`)}">`;
