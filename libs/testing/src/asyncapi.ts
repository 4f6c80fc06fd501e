import { DiagnosticSeverity, Parser } from '@asyncapi/parser';

/**
 * What the AsyncAPI parser (the reference implementation, with its ruleset) finds wrong in `doc`:
 * errors and warnings, each as "code at path: message", plus the structural issues below.
 * Empty when the document is valid.
 */
export async function validateAsyncApi(doc: unknown): Promise<string[]> {
  const diagnostics = await new Parser().validate(JSON.stringify(doc));
  const parserIssues = diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
    .map((d) => `${d.code} at ${d.path.join('/') || '/'}: ${d.message}`);
  return [...parserIssues, ...asyncApiIssues(doc)];
}

/**
 * Structural checks of an AsyncAPI 3.0 document that need no parser: every `$ref` resolves inside
 * the document, ids use the characters AsyncAPI allows, each operation names a channel and only
 * messages of that channel, each message has a payload and headers. The AsyncAPI parser is the
 * authority on the whole specification (validateAsyncApi runs both); these are what a generator
 * most easily gets wrong, said plainly.
 */
export function asyncApiIssues(doc: unknown): string[] {
  const issues: string[] = [];
  if (!doc || typeof doc !== 'object') return ['not an object'];
  const root = doc as Record<string, unknown>;
  if (root['asyncapi'] !== '3.0.0') issues.push(`asyncapi is ${JSON.stringify(root['asyncapi'])}, not "3.0.0"`);
  const info = root['info'] as Record<string, unknown> | undefined;
  if (typeof info?.['title'] !== 'string' || typeof info?.['version'] !== 'string') issues.push('info.title and info.version are required strings');

  const resolve = (ref: string): unknown => {
    if (!ref.startsWith('#/')) return undefined;
    let node: unknown = root;
    for (const raw of ref.slice(2).split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (!node || typeof node !== 'object' || !(key in (node as object))) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    return node;
  };
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}/${i}`));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref') {
          if (typeof v !== 'string' || resolve(v) === undefined) issues.push(`${path}: $ref ${String(v)} does not resolve`);
        } else walk(v, `${path}/${k}`);
      }
    }
  };
  walk(root, '#');

  const ID = /^[A-Za-z0-9_-]+$/;
  const COMPONENT_KEY = /^[A-Za-z0-9.\-_]+$/;
  const channels = (root['channels'] ?? {}) as Record<string, Record<string, unknown>>;
  const operations = (root['operations'] ?? {}) as Record<string, Record<string, unknown>>;
  const components = (root['components'] ?? {}) as Record<string, Record<string, unknown>>;
  for (const [id, channel] of Object.entries(channels)) {
    if (!ID.test(id)) issues.push(`channel id ${id} has characters AsyncAPI does not allow`);
    if (typeof channel['address'] !== 'string') issues.push(`channel ${id} has no address`);
    for (const key of Object.keys((channel['messages'] ?? {}) as object)) if (!ID.test(key)) issues.push(`channel ${id}: message id ${key} not allowed`);
  }
  for (const [id, op] of Object.entries(operations)) {
    if (!ID.test(id)) issues.push(`operation id ${id} has characters AsyncAPI does not allow`);
    if (op['action'] !== 'send' && op['action'] !== 'receive') issues.push(`operation ${id}: action must be send or receive`);
    const channelRef = (op['channel'] as { $ref?: string } | undefined)?.$ref ?? '';
    const channelId = channelRef.startsWith('#/channels/') ? channelRef.slice('#/channels/'.length) : null;
    if (!channelId || !channels[channelId]) {
      issues.push(`operation ${id}: channel ${channelRef} is not a channel of this document`);
      continue;
    }
    for (const m of (op['messages'] ?? []) as { $ref?: string }[]) {
      if (!m.$ref?.startsWith(`#/channels/${channelId}/messages/`)) issues.push(`operation ${id}: message ${m.$ref} is not a message of its channel`);
    }
  }
  for (const [section, entries] of Object.entries(components)) {
    for (const key of Object.keys(entries)) if (!COMPONENT_KEY.test(key)) issues.push(`components.${section}.${key}: key not allowed`);
  }
  for (const [id, message] of Object.entries((components['messages'] ?? {}) as Record<string, Record<string, unknown>>)) {
    if (!message['payload']) issues.push(`message ${id} has no payload`);
    if (!message['headers']) issues.push(`message ${id} has no headers`);
  }
  return issues;
}
