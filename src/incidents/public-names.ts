/**
 * How the public names components: a hidden component (`hidden: true`, kept off the status page) never appears by name
 * in anything the public reads. Where public text would name it, the nearest visible components that depend on it
 * stand in for it; in evidence, where a sentence tells what happened to it, it is "an internal dependency of" them.
 */
import { componentList } from "./publish.ts";

/** A component as public naming needs it. */
export interface NamedComponent {
  id: string;
  name: string;
  hidden: boolean;
  dependsOn: readonly { id: string }[];
}

/** The name Vigil gives an incident it opens, from its root components' names: "Orders database outage". */
export function automaticIncidentName(rootNames: readonly string[]): string {
  return `${rootNames.join(", ")} outage`;
}

/** Public naming over a catalog of components (removed ones included, so that history is named too). */
export class PublicNames {
  readonly #byId: ReadonlyMap<string, NamedComponent>;
  readonly #dependents = new Map<string, string[]>();
  readonly #standIns = new Map<string, readonly string[]>();
  /** The hidden components' names, longest first, and a pattern matching any of them as a whole word; null: none. */
  readonly #hidden: { names: Map<string, string>; pattern: RegExp } | null;

  constructor(components: readonly NamedComponent[]) {
    this.#byId = new Map(components.map((c) => [c.id, c]));
    const hidden = components.filter((c) => c.hidden && c.name.trim() !== "").sort((a, b) => b.name.length - a.name.length);
    this.#hidden =
      hidden.length === 0
        ? null
        : {
            names: new Map(hidden.map((c) => [c.name, c.id])),
            pattern: new RegExp(`(?<![\\p{L}\\p{N}_])(?:${hidden.map((c) => escapeRegExp(c.name)).join("|")})(?![\\p{L}\\p{N}_])`, "gu"),
          };
    for (const c of components) {
      for (const { id } of c.dependsOn) this.#dependents.set(id, [...(this.#dependents.get(id) ?? []), c.id]);
    }
  }

  /** Whether `id` is a hidden component (an unknown id is not). */
  isHidden(id: string): boolean {
    return this.#byId.get(id)?.hidden === true;
  }

  /** A component's name as configured (the id when unknown). */
  name(id: string): string {
    return this.#byId.get(id)?.name ?? id;
  }

  /**
   * The components the public sees in place of `id`: `[id]` for a visible (or unknown) one; for a hidden one, the
   * nearest visible components that depend on it, directly or through other hidden ones, in configuration order;
   * none when nothing visible depends on it.
   */
  standIns(id: string): readonly string[] {
    if (!this.isHidden(id)) return [id];
    const known = this.#standIns.get(id);
    if (known !== undefined) return known;
    const found: string[] = [];
    const seen = new Set([id]);
    let frontier = [id];
    // Breadth first, so that the nearest visible dependents are found and farther ones behind them are not.
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const at of frontier) {
        for (const dependent of this.#dependents.get(at) ?? []) {
          if (seen.has(dependent)) continue;
          seen.add(dependent);
          if (this.isHidden(dependent)) next.push(dependent);
          else found.push(dependent);
        }
      }
      frontier = next;
    }
    const order = [...this.#byId.keys()];
    const result = found.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    this.#standIns.set(id, result);
    return result;
  }

  /** `ids` as the public sees them: each hidden one replaced by its stand-ins, each id once, in order of first appearance. */
  publicIds(ids: readonly string[]): string[] {
    return [...new Set(ids.flatMap((id) => this.standIns(id)))];
  }

  /**
   * How public evidence names a component: its name when visible; "An internal dependency of API and Checkout" when
   * hidden (the sentence starts with it); "An internal system" when nothing visible depends on it.
   */
  evidenceName(id: string): string {
    if (!this.isHidden(id)) return this.name(id);
    const standIns = this.standIns(id);
    return standIns.length === 0 ? "An internal system" : `An internal dependency of ${componentList(standIns.map((s) => this.name(s)))}`;
  }

  /**
   * An incident's public title. The name Vigil gave it (`automaticIncidentName` of its roots) is given again from the
   * roots' stand-ins ("API outage" for a hidden "Orders database" under the API; "Service disruption" when no visible
   * component stands in). A name a person wrote is kept, except that each hidden component's name in it (as a whole
   * word, case as configured) is replaced by its stand-ins' names.
   */
  incidentTitle(name: string, rootIds: readonly string[]): string {
    if (!rootIds.some((id) => this.isHidden(id))) return name;
    if (name === automaticIncidentName(rootIds.map((id) => this.name(id)))) {
      const shown = this.publicIds(rootIds);
      return shown.length === 0 ? "Service disruption" : automaticIncidentName(shown.map((id) => this.name(id)));
    }
    return this.withoutHiddenNames(name);
  }

  /** The hidden components' names `text` holds (whole words, case as configured), each once. */
  hiddenNamesIn(text: string): string[] {
    if (this.#hidden === null) return [];
    const found = new Set([...text.matchAll(this.#hidden.pattern)].map((m) => m[0]));
    // In configuration order, as the components are listed.
    return [...this.#byId.values()].filter((c) => found.has(c.name) && this.#hidden?.names.has(c.name)).map((c) => c.name);
  }

  /** `text` with each hidden component's name (a whole word, case as configured; longest first) replaced by its stand-ins' names, or "an internal system". */
  withoutHiddenNames(text: string): string {
    const hidden = this.#hidden;
    if (hidden === null) return text;
    return text.replace(hidden.pattern, (match) => {
      const standIns = this.standIns(hidden.names.get(match) ?? "");
      return standIns.length === 0 ? "an internal system" : componentList(standIns.map((s) => this.name(s)));
    });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
