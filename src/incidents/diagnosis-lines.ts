import { diagnose, diagnosisEvidence, type DiagnosisEvent } from "../detection/diagnosis.ts";
import { nameOf, summariseEvidence, timelineSignals, type EvidenceAudience, type EvidenceLine, type TimelineEvent } from "./evidence-summary.ts";
import { scrubPublicText } from "./public-text.ts";

/**
 * One diagnosis line per component whose signals show something (detection/diagnosis.ts): "Orders database: pool
 * exhausted: …", in the order components first appear. For the public without user or host names, and scrubbed
 * like every public line.
 */
export function diagnosisLines(events: readonly TimelineEvent[], names: Readonly<Record<string, string>>, audience: EvidenceAudience = { public: false }): EvidenceLine[] {
  const byComponent = new Map<string, DiagnosisEvent[]>();
  for (const signal of timelineSignals(events)) {
    const list = byComponent.get(signal.componentId) ?? [];
    list.push({ at: signal.at, kind: signal.kind, data: signal.data });
    byComponent.set(signal.componentId, list);
  }
  const lines: EvidenceLine[] = [];
  for (const [componentId, signals] of byComponent) {
    const sentence = diagnose(diagnosisEvidence(signals), { public: audience.public });
    if (sentence === null) continue;
    const text = `${nameOf(names, componentId)}: ${sentence}`;
    lines.push({ componentId, kind: "diagnosis", text: audience.public ? scrubPublicText(text, audience.hosts, Object.values(names)) : text });
  }
  return lines;
}

/** The evidence of an incident with the diagnoses first: what the incident API, the postmortem and the public update show. */
export function evidenceWithDiagnosis(events: readonly TimelineEvent[], names: Readonly<Record<string, string>>, audience: EvidenceAudience = { public: false }): EvidenceLine[] {
  return [...diagnosisLines(events, names, audience), ...summariseEvidence(events, names, audience)];
}
