import type { Impact } from "./impact.ts";
import type { IncidentStatus } from "./lifecycle.ts";

/** When an incident Vigil opens becomes public: at once, only by a person, or after a delay (ms) unless a responder acts first. */
export type PublishPolicy = "auto" | "manual" | number;

/**
 * The publish policy of an incident over `componentIds`: each component's policy is its own entry in `perComponent`
 * (own properties only) or else `global`; the incident takes the strictest of them: "manual" if any is manual, else
 * the longest delay among the delays, "auto" counting as a delay of 0 (so a delay of 0 beside "auto" gives 0); "auto"
 * only when every one is auto. No components → `global`. Throws RangeError on a negative or non-finite delay it reads.
 */
export function effectivePolicy(
  global: PublishPolicy,
  perComponent: Readonly<Record<string, PublishPolicy | undefined>>,
  componentIds: readonly string[],
): PublishPolicy {
  const policies = componentIds.length === 0 ? [global] : componentIds.map((id) => (Object.hasOwn(perComponent, id) ? perComponent[id] : undefined) ?? global);
  let longest: number | null = null;
  for (const policy of policies) {
    if (policy === "manual") return "manual";
    if (policy === "auto") continue;
    checkDelay(policy);
    longest = Math.max(longest ?? 0, policy);
  }
  return longest ?? "auto";
}

/** Whether an incident is to be published at `now`, when it will be (null when not by automation), and why. */
export interface PublishDecision {
  publish: boolean;
  at: Date | null;
  reason: string;
}

/**
 * Whether automation publishes an incident created at `createdAt`, at `now`: "auto" → publish, at = createdAt;
 * "manual" → never automatically, at null; a delay → at = createdAt + delay, published once now ≥ at, unless a
 * person acted on the incident first (`personActed`), in which case at is null and a responder has taken over.
 * Throws RangeError on a negative or non-finite delay.
 */
export function publishDecision(policy: PublishPolicy, createdAt: Date, now: Date, personActed: boolean): PublishDecision {
  if (policy === "auto") return { publish: true, at: createdAt, reason: "publish policy is auto" };
  if (policy === "manual") return { publish: false, at: null, reason: "publish policy is manual: a responder publishes it" };
  checkDelay(policy);
  if (personActed) return { publish: false, at: null, reason: `a responder took over before the publish delay of ${policy} ms ran out` };
  const at = new Date(createdAt.getTime() + policy);
  if (now.getTime() >= at.getTime()) return { publish: true, at, reason: `publish delay of ${policy} ms passed with no responder acting` };
  return { publish: false, at, reason: `publish delay of ${policy} ms: published at ${at.toISOString()} unless a responder acts first` };
}

function checkDelay(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a publish delay must be a finite number of ms ≥ 0, got ${ms}`);
}

/** The incident statuses an update template is chosen by (the defaults cover the four before postmortem). */
export type TemplateStatus = IncidentStatus;

/**
 * The placeholders the update templates know: {components} the affected components (`componentList`), {root} the
 * root components (`componentList`), {impact} the impact in words (`impactPhrase`), {started_at} when the incident
 * started (ISO 8601), {evidence} the evidence, empty or sentences starting with a space, {duration} how long the
 * incident has lasted so far.
 */
export const templatePlaceholders = ["components", "root", "impact", "started_at", "evidence", "duration"] as const;

/**
 * The default public update per status, worded after Statuspage's own defaults: investigating names the impact and
 * the affected components (then the evidence, when shown); identified and monitoring are Statuspage's sentences
 * naming the components; resolved says how long it lasted. Every sentence reads right for one component or several.
 */
export const defaultTemplates: Record<"investigating" | "identified" | "monitoring" | "resolved", string> = {
  investigating: "We are investigating {impact} affecting {components}.{evidence}",
  identified: "The issue affecting {components} has been identified and a fix is being implemented.",
  monitoring: "A fix has been implemented and we are monitoring the results. Normal operation of {components} has resumed.",
  resolved: "This incident has been resolved. It lasted {duration} and affected {components}.",
};

/**
 * The template with every {name} whose name is a key of `vars` replaced by its value, verbatim (values are not
 * scanned again, so a value holding "{root}" stays as it is). A {name} not in `vars` is left as it is; "{{" is an
 * escaped "{" (write "{{name}" for a literal "{name}"); a name is a letter or underscore then letters, digits or
 * underscores, and anything else in braces is plain text.
 */
export function renderTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(token, (match: string, name: string | undefined) => {
    if (name === undefined) return "{";
    return Object.hasOwn(vars, name) ? (vars[name] ?? match) : match;
  });
}

/**
 * The names of the template's placeholders not in `known`, each once, in order of first appearance: what config
 * validation reports. Escaped braces ("{{name}") are not placeholders.
 */
export function templateIssues(template: string, known: readonly string[]): string[] {
  const unknown: string[] = [];
  for (const [, name] of template.matchAll(token)) {
    if (name !== undefined && !known.includes(name) && !unknown.includes(name)) unknown.push(name);
  }
  return unknown;
}

// "{{" (an escaped brace, no name) or "{name}" (a placeholder); scanned left to right, so "{{x}" is "{" then "x}".
const token = /\{\{|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** How many names `componentList` writes out before summing up the rest. */
export const componentListMax = 5;

/**
 * Names as an English list: "" for none, "A", "A and B", "A, B and C"; more than five are cut to the first five and
 * a count: "A, B, C, D, E and 3 more".
 */
export function componentList(names: readonly string[]): string {
  if (names.length > componentListMax) return `${names.slice(0, componentListMax).join(", ")} and ${names.length - componentListMax} more`;
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1) ?? ""}`;
}

const phrases: Record<Impact, string> = {
  none: "a possible issue",
  minor: "degraded performance",
  major: "a partial outage",
  critical: "a major outage",
};

/**
 * The impact in words for an update, after Statuspage's component statuses: none → "a possible issue", minor →
 * "degraded performance", major → "a partial outage", critical → "a major outage".
 */
export function impactPhrase(impact: Impact): string {
  return phrases[impact];
}

/**
 * Whether a public, unresolved incident is due a reminder to post an update (the caller checks public and
 * unresolved): true when no public update was posted for `dueAfterMs` (now − lastPublicUpdateAt ≥ dueAfterMs) and no
 * reminder was given since that update (`lastReminderAt` null or before it), so one reminder per silence. Throws
 * RangeError unless `dueAfterMs` is a finite number > 0.
 */
export function updateDue(lastPublicUpdateAt: Date, lastReminderAt: Date | null, now: Date, dueAfterMs: number): boolean {
  if (!Number.isFinite(dueAfterMs) || dueAfterMs <= 0) throw new RangeError(`dueAfterMs must be a finite number > 0, got ${dueAfterMs}`);
  if (lastReminderAt !== null && lastReminderAt.getTime() >= lastPublicUpdateAt.getTime()) return false;
  return now.getTime() - lastPublicUpdateAt.getTime() >= dueAfterMs;
}
