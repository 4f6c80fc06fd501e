// Test support (not production code): renders a kustomization offline, the subset of kustomize
// Puente's manifests use, and validates every object against Kubernetes' own schemas
// (kubernetes-models) or, for custom resources, a validator registered by apiVersion and kind.
// Anything it does not understand (a kustomization field, a kind) is an error, never skipped.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML of any shape, checked field by field
type Json = any;

const KUSTOMIZATION_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'patches', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'namespace']);

function loadYaml(file: string): K8sObject[] {
  return yaml.loadAll(readFileSync(file, 'utf8')).filter((d): d is K8sObject => d !== null && d !== undefined);
}

/** Renders `dir`/kustomization.yaml: resources (files and directories), generators, patches, namespace. */
export function renderKustomization(dir: string): K8sObject[] {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir}: no kustomization.yaml`);
  const k = yaml.load(readFileSync(file, 'utf8')) as Json;
  if (k?.kind !== 'Kustomization') throw new Error(`${file}: kind must be Kustomization`);
  const unknown = Object.keys(k).filter((f) => !KUSTOMIZATION_FIELDS.has(f));
  if (unknown.length) throw new Error(`${file}: fields this renderer does not implement: ${unknown.join(', ')}`);

  const objects: K8sObject[] = [];
  for (const r of (k.resources ?? []) as string[]) {
    const path = resolve(dir, r);
    if (!existsSync(path)) throw new Error(`${file}: resource ${r} does not exist`);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : loadYaml(path)));
  }
  for (const [kind, generators] of [
    ['ConfigMap', k.configMapGenerator],
    ['Secret', k.secretGenerator],
  ] as const) {
    for (const g of (generators ?? []) as Json[]) objects.push(generate(kind, g, dir, k.generatorOptions, file));
  }
  for (const p of (k.patches ?? []) as Json[]) applyPatch(objects, p, dir, file);
  if (k.namespace) for (const o of objects) o.metadata.namespace = k.namespace;
  return objects;
}

function generate(kind: 'ConfigMap' | 'Secret', g: Json, dir: string, globalOptions: Json, file: string): K8sObject {
  // kustomize appends a content hash to generated names and rewrites every reference to them;
  // this renderer does not, so it only accepts generators that keep their names.
  if (!(g.options?.disableNameSuffixHash ?? globalOptions?.disableNameSuffixHash)) {
    throw new Error(`${file}: ${kind} generator ${g.name} needs options.disableNameSuffixHash: true (name hashes are not rendered here)`);
  }
  const data: Record<string, string> = {};
  const pair = (line: string, where: string) => {
    const i = line.indexOf('=');
    if (i <= 0) throw new Error(`${where}: "${line}" is not KEY=VALUE`);
    data[line.slice(0, i)] = line.slice(i + 1);
  };
  for (const l of (g.literals ?? []) as string[]) pair(l, file);
  for (const envFile of (g.envs ?? []) as string[]) {
    for (const line of readFileSync(resolve(dir, envFile), 'utf8').split('\n')) if (line.trim() && !line.startsWith('#')) pair(line, envFile);
  }
  for (const f of (g.files ?? []) as string[]) {
    const [key, path] = f.includes('=') ? f.split('=', 2) : [f.split('/').pop() as string, f];
    data[key] = readFileSync(resolve(dir, path), 'utf8');
  }
  const encoded = kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([key, v]) => [key, Buffer.from(v).toString('base64')])) : data;
  return { apiVersion: 'v1', kind, metadata: { name: g.name }, data: encoded, ...(kind === 'Secret' ? { type: g.type ?? 'Opaque' } : {}) };
}

function matches(o: K8sObject, target: Json): boolean {
  return (
    (!target.kind || o.kind === target.kind) &&
    (!target.name || o.metadata.name === target.name) &&
    (!target.group || o.apiVersion.split('/')[0] === target.group) &&
    (!target.version || o.apiVersion.split('/').pop() === target.version)
  );
}

function applyPatch(objects: K8sObject[], p: Json, dir: string, file: string): void {
  const body = p.path ? readFileSync(resolve(dir, p.path), 'utf8') : p.patch;
  if (typeof body !== 'string') throw new Error(`${file}: a patch needs path or patch`);
  const parsed = yaml.load(body) as Json;
  if (Array.isArray(parsed)) {
    // JSON 6902: a list of operations on the target(s)
    if (!p.target) throw new Error(`${file}: a JSON 6902 patch needs a target`);
    const targets = objects.filter((o) => matches(o, p.target));
    if (targets.length === 0) throw new Error(`${file}: patch target ${JSON.stringify(p.target)} matches nothing`);
    for (const o of targets) for (const op of parsed) jsonPatch(o, op, file);
    return;
  }
  // strategic merge: the patch names its object unless a target is given
  const target = p.target ?? { kind: parsed.kind, name: parsed.metadata?.name };
  const targets = objects.filter((o) => matches(o, target));
  if (targets.length === 0) throw new Error(`${file}: patch target ${JSON.stringify(target)} matches nothing`);
  for (const o of targets) Object.assign(o, strategicMerge(o, { ...parsed, apiVersion: o.apiVersion, kind: o.kind, metadata: { ...parsed.metadata, name: o.metadata.name } }));
}

/** Maps merge key by key; lists of named objects (containers, env, ports, volumes) merge by name; other lists are replaced. */
export function strategicMerge(base: Json, patch: Json): Json {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    const named = (l: Json) => Array.isArray(l) && l.every((e) => e && typeof e === 'object' && typeof e.name === 'string');
    if (!named(patch) || !named(base)) return patch;
    const out = base.map((e: Json) => ({ ...e }));
    for (const e of patch) {
      const i = out.findIndex((b: Json) => b.name === e.name);
      if (e.$patch === 'delete') {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMerge(out[i], e);
      else out.push(e);
    }
    return out;
  }
  if (patch && typeof patch === 'object' && base && typeof base === 'object' && !Array.isArray(base)) {
    const out: Json = { ...base };
    for (const [key, v] of Object.entries(patch)) {
      const merged = strategicMerge(base[key], v);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    }
    return out;
  }
  return patch;
}

function jsonPatch(o: Json, op: Json, file: string): void {
  const path = String(op.path).split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = path.pop() as string;
  let parent = o;
  for (const segment of path) {
    parent = parent?.[Array.isArray(parent) ? Number(segment) : segment];
    if (parent === undefined) throw new Error(`${file}: JSON patch path ${op.path} does not exist`);
  }
  const index = Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : last;
  if (op.op === 'add') {
    if (Array.isArray(parent)) parent.splice(index as number, 0, op.value);
    else parent[index] = op.value;
  } else if (op.op === 'replace') {
    if (!(index in parent)) throw new Error(`${file}: JSON patch replace at missing ${op.path}`);
    parent[index] = op.value;
  } else if (op.op === 'remove') {
    if (!(index in parent)) throw new Error(`${file}: JSON patch remove at missing ${op.path}`);
    if (Array.isArray(parent)) parent.splice(index as number, 1);
    else delete parent[index];
  } else throw new Error(`${file}: JSON patch op ${op.op} is not supported here`);
}

/** Returns the problems found in one custom resource (empty when it is well formed). */
export type ResourceValidator = (o: Json) => string[];

const isText = (v: unknown) => typeof v === 'string' && v.length > 0;

/** Strimzi's KafkaMirrorMaker2 (kafka.strimzi.io/v1beta2): the fields the operator needs to run it. */
function kafkaMirrorMaker2(o: Json): string[] {
  const problems: string[] = [];
  const spec = o.spec ?? {};
  if (!isText(spec.version)) problems.push('spec.version must be the Kafka version');
  if (!isText(spec.connectCluster)) problems.push('spec.connectCluster must name a cluster alias');
  const clusters: Json[] = Array.isArray(spec.clusters) ? spec.clusters : [];
  if (clusters.length === 0) problems.push('spec.clusters must list the clusters');
  clusters.forEach((c, i) => {
    if (!isText(c?.alias)) problems.push(`spec.clusters[${i}].alias is required`);
    if (!isText(c?.bootstrapServers)) problems.push(`spec.clusters[${i}].bootstrapServers is required`);
  });
  const aliases = new Set(clusters.map((c) => c?.alias));
  if (isText(spec.connectCluster) && !aliases.has(spec.connectCluster)) problems.push(`spec.connectCluster ${spec.connectCluster} is not a cluster alias`);
  const mirrors: Json[] = Array.isArray(spec.mirrors) ? spec.mirrors : [];
  if (mirrors.length === 0) problems.push('spec.mirrors must list at least one mirror');
  mirrors.forEach((m, i) => {
    for (const side of ['sourceCluster', 'targetCluster']) {
      if (!isText(m?.[side])) problems.push(`spec.mirrors[${i}].${side} is required`);
      else if (!aliases.has(m[side])) problems.push(`spec.mirrors[${i}].${side} ${m[side]} is not a cluster alias`);
    }
    if (!isText(m?.topicsPattern) && !isText(m?.topics)) problems.push(`spec.mirrors[${i}] needs topicsPattern or topics`);
    if (!m?.sourceConnector || typeof m.sourceConnector !== 'object') problems.push(`spec.mirrors[${i}].sourceConnector is required`);
  });
  return problems;
}

/** Validators for custom resources, by `apiVersion/kind`. */
export const CUSTOM_RESOURCES: Record<string, ResourceValidator> = {
  'kafka.strimzi.io/v1beta2/KafkaMirrorMaker2': kafkaMirrorMaker2,
};

/** Problems with one object: Kubernetes' schema for built-in kinds, the registry for custom ones, and an error for anything else. */
export function validateObject(o: K8sObject): string[] {
  const where = `${o?.kind ?? '?'} ${o?.metadata?.name ?? '?'}`;
  if (!isText(o?.apiVersion) || !isText(o?.kind)) return [`${where}: apiVersion and kind are required`];
  if (!isText(o.metadata?.name)) return [`${where}: metadata.name is required`];
  const custom = CUSTOM_RESOURCES[`${o.apiVersion}/${o.kind}`];
  if (custom) return custom(o).map((p) => `${where}: ${p}`);
  let Model: (new (data: unknown) => { validate(): void }) | undefined;
  try {
    // kubernetes-models/<group>/<version>/<Kind>, e.g. kubernetes-models/apps/v1/Deployment
    Model = require(`kubernetes-models/${o.apiVersion}/${o.kind}`)[o.kind];
  } catch {
    Model = undefined;
  }
  if (!Model) return [`${where}: unknown kind ${o.apiVersion}/${o.kind} (neither a Kubernetes kind nor a registered custom resource)`];
  // Like `kubectl apply --validate=strict`: a misspelt field (readinesProbe) is an error, not ignored.
  const unknown = unknownFields(o, require.resolve(`kubernetes-models/${o.apiVersion}/${o.kind}`).replace(/\.js$/, '.d.ts'), '').map((f) => `${where}: unknown field ${f}`);
  try {
    new Model(o).validate();
    return unknown;
  } catch (e) {
    return [`${where}: ${(e as Error).message}`, ...unknown];
  }
}

interface FieldTypes {
  /** field name → declared type text, e.g. `Array<IIoK8sApiCoreV1EnvVar>`, `number`, `{` (a map). */
  fields: Map<string, string>;
  /** imported type name → its declaration file */
  imports: Map<string, string>;
}

const fieldTypeCache = new Map<string, FieldTypes | null>();

/** The fields of the interface a kubernetes-models declaration file declares (null for a type alias). */
function fieldTypes(dts: string): FieldTypes | null {
  if (fieldTypeCache.has(dts)) return fieldTypeCache.get(dts) as FieldTypes | null;
  const text = readFileSync(dts, 'utf8');
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    imports.set(m[1], m[2].startsWith('.') ? resolve(dts, '..', `${m[2]}.d.ts`) : require.resolve(m[2]).replace(/\.js$/, '.d.ts'));
  }
  const start = text.search(/^export interface \w+/m);
  let result: FieldTypes | null = null;
  if (start >= 0) {
    const body = text.slice(start, text.indexOf('\n}', start));
    const fields = new Map<string, string>();
    for (const m of body.matchAll(/^ {4}"([^"]+)"\??: (.+?);?$/gm)) fields.set(m[1], m[2]);
    result = { fields, imports };
  }
  fieldTypeCache.set(dts, result);
  return result;
}

/** Paths of fields in `value` that the Kubernetes type declared in `dts` does not have. */
function unknownFields(value: Json, dts: string, path: string): string[] {
  const types = fieldTypes(dts);
  if (!types || !value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const type = types.fields.get(key);
    const at = path ? `${path}.${key}` : key;
    if (type === undefined) return [at];
    const element = /^Array<(\w+)>$/.exec(type)?.[1];
    const file = types.imports.get(element ?? type);
    if (!file) return []; // a scalar, a map or an alias of one
    if (element) return Array.isArray(v) ? v.flatMap((item, i) => unknownFields(item, file, `${at}[${i}]`)) : [];
    return unknownFields(v, file, at);
  });
}

/** Every directory under `root` (itself included) that holds a kustomization.yaml. */
export function kustomizationDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (existsSync(join(d, 'kustomization.yaml'))) out.push(d);
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
  };
  walk(root);
  return out.sort();
}
