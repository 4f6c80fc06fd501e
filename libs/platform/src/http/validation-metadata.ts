import { getMetadataStorage, type MetadataStorage } from 'class-validator';

type TargetMetadatas = ReturnType<MetadataStorage['getTargetValidationMetadatas']>;
type GroupedMetadatas = ReturnType<MetadataStorage['groupByPropertyName']>;

const installed = new WeakSet<MetadataStorage>();

/**
 * Makes class-validator's metadata lookups answer from memory after their first call.
 *
 * On every validation, for every nested object, class-validator filters the class's metadata,
 * scans every decorated class of the process for ancestors (`instanceof` against each) and
 * groups the result by property: a registration's body (person, case, consents, documents)
 * paid that on each request, about a seventh of everything the validation allocated
 * (typestack/class-validator#2686, open; twentyhq/twenty memoizes the same way). The answer
 * for a class and options cannot change once its decorators have run, which is before it can
 * be validated; metadata added later (a schema or decorator registered at run time) clears
 * what was remembered, so nothing stale is ever served. The arrays and groups handed out are
 * the ones class-validator built and only reads.
 */
export function rememberValidationMetadata(storage: MetadataStorage = getMetadataStorage()): void {
  if (installed.has(storage)) return;
  installed.add(storage);
  let byTarget = new WeakMap<object, Map<string, TargetMetadatas>>();
  let grouped = new WeakMap<TargetMetadatas, GroupedMetadatas>();

  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  storage.getTargetValidationMetadatas = (targetConstructor, targetSchema, always, strictGroups, groups) => {
    if (typeof targetConstructor !== 'function') return lookUp(targetConstructor, targetSchema, always, strictGroups, groups);
    const key = `${targetSchema ?? ''}\u001f${always ? 1 : 0}${strictGroups ? 1 : 0}\u001f${groups?.join('\u001e') ?? '\u001d'}`;
    let forTarget = byTarget.get(targetConstructor);
    if (forTarget === undefined) byTarget.set(targetConstructor, (forTarget = new Map()));
    let found = forTarget.get(key);
    if (found === undefined) forTarget.set(key, (found = lookUp(targetConstructor, targetSchema, always, strictGroups, groups)));
    return found;
  };

  const group = storage.groupByPropertyName.bind(storage);
  storage.groupByPropertyName = (metadatas) => {
    let found = grouped.get(metadatas);
    if (found === undefined) grouped.set(metadatas, (found = group(metadatas)));
    return found;
  };

  const add = storage.addValidationMetadata.bind(storage);
  storage.addValidationMetadata = (metadata) => {
    byTarget = new WeakMap();
    grouped = new WeakMap();
    add(metadata);
  };
}
