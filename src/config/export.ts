import { isMap, isScalar, isSeq, parseDocument, YAMLSeq, type Document } from "yaml";
import type { DatabaseEntries } from "./load.ts";

/**
 * The whole configuration as one file (pure): the file's text as written (comments, `${ENV}` references and all, so no
 * secret from the environment is resolved into it), with the database's components and monitors added after the
 * file's own; an entry whose id the file has is left out, as when Vigil runs.
 */
export function exportConfigText(fileText: string, entries: DatabaseEntries): string {
  // Edited as a plain document: nodes made here are not the parser's.
  const doc = parseDocument(fileText) as unknown as Document;
  if (doc.contents === null) doc.contents = doc.createNode({});
  if (!isMap(doc.contents)) throw new Error("the configuration file is not a mapping of sections");
  for (const section of ["components", "monitors"] as const) {
    const added = entries[section];
    if (added.length === 0) continue;
    let list: unknown = doc.contents.get(section, true);
    if (list === undefined || list === null || (isScalar(list) && list.value === null)) {
      list = new YAMLSeq();
      doc.contents.set(section, list);
    }
    if (!isSeq(list)) throw new Error(`${section} in the configuration file is not a list`);
    const ids = new Set(list.items.map((item) => (isMap(item) ? item.get("id") : undefined)));
    for (const entry of added) if (!ids.has(entry["id"])) list.items.push(doc.createNode(entry));
  }
  return doc.toString({ lineWidth: 0 });
}
