import { isUtf8 } from 'node:buffer';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, ProblemException, ProblemTypes } from './problem';

/**
 * NUL (PostgreSQL text and jsonb cannot hold it: SQLSTATE 22021, 22P05) and lone UTF-16
 * surrogates (not Unicode text: they would be stored as U+FFFD without a word).
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` can be stored as it is: no NUL, no lone surrogate. */
export function isStorableText(text: string): boolean {
  return !FORBIDDEN_TEXT.test(text);
}

const ENCODING_MESSAGE = 'must be valid UTF-8 text without NUL bytes';

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Field paths of the strings (values and object keys) in a JSON value that are not storable
 * text. Iterative, so a deeply nested body cannot overflow the stack; stops after `max` finds.
 */
export function unstorableTextPaths(value: unknown, root = '', max = 20): string[] {
  const out: string[] = [];
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0 && out.length < max) {
    const [node, path] = stack.pop() as [unknown, string];
    if (typeof node === 'string') {
      if (!isStorableText(node)) out.push(path === '' ? '(body)' : path);
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => stack.push([item, childPath(path, i)]));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        // The key itself may be the problem; name it without echoing it.
        if (!isStorableText(key)) out.push(path === '' ? '(key)' : `${path}.(key)`);
        else stack.push([child, childPath(path, key)]);
      }
    }
  }
  return out;
}

/** Raw query components (`name=value`) whose percent-encoding is not valid UTF-8. */
function badlyEncodedQuery(url: string): FieldError[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const out: FieldError[] = [];
  for (const component of url.slice(q + 1).split('&')) {
    const eq = component.indexOf('=');
    const name = eq === -1 ? component : component.slice(0, eq);
    const value = eq === -1 ? '' : component.slice(eq + 1);
    for (const part of [name, value]) {
      try {
        decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        out.push({ field: safeName(name, 'query'), message: `query parameter ${ENCODING_MESSAGE} (percent-encoded UTF-8)`, code: 'encoding' });
        break;
      }
    }
  }
  return out;
}

/** A name fit to echo in a field error: itself when plain, else a placeholder. */
function safeName(name: string, where: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return `(${where})`;
  }
  return /^[A-Za-z0-9_.[\]-]{1,64}$/.test(decoded) ? decoded : `(${where})`;
}

/** Header values arrive as latin1 (one char per byte): beyond ASCII they must be UTF-8, and carry no control character. */
function badHeaders(headers: FastifyRequest['headers']): FieldError[] {
  const out: FieldError[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    for (const value of Array.isArray(raw) ? raw : [raw ?? '']) {
      // eslint-disable-next-line no-control-regex
      const bad = /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value) || (/[^\u0000-\u007f]/.test(value) && !isUtf8(Buffer.from(value, 'latin1')));
      if (bad) {
        out.push({ field: safeName(name, 'header'), message: `header ${ENCODING_MESSAGE}`, code: 'encoding' });
        break;
      }
    }
  }
  return out;
}

/** The 400 problem for input that is not storable text, naming where (never echoing it). */
export function invalidEncodingProblem(errors: FieldError[]): ProblemException {
  return new ProblemException(
    400,
    ProblemTypes.INVALID_ENCODING,
    'Invalid text encoding',
    'Send text as valid UTF-8 without NUL bytes (percent-encoded UTF-8 in paths and queries).',
    { errors },
  );
}

/** Every place a request carries text: path parameters, query, headers and the parsed JSON body. */
export function invalidInputEncoding(request: FastifyRequest): FieldError[] {
  const errors: FieldError[] = [];
  const fieldError = (field: string, where: string): FieldError => ({ field, message: `${where} ${ENCODING_MESSAGE}`, code: 'encoding' });
  for (const [name, value] of Object.entries((request.params ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' && !isStorableText(value)) errors.push(fieldError(safeName(name, 'path'), 'path parameter'));
  }
  errors.push(...badlyEncodedQuery(request.url));
  if (errors.length === 0) errors.push(...unstorableTextPaths(request.query, '').map((p) => fieldError(p === '(body)' ? '(query)' : p, 'query parameter')));
  errors.push(...badHeaders(request.headers));
  errors.push(...unstorableTextPaths(request.body).map((p) => fieldError(p, 'value')));
  return errors;
}

/**
 * Fastify preValidation hook: refuses, before any guard or handler, a request whose path, query,
 * headers or body hold text that is not storable (NUL, invalid UTF-8, lone surrogates).
 * One place for every service, so none of it reaches PostgreSQL (SQLSTATE 22021/22P05) or a log.
 */
export function refuseUnstorableText(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  const errors = invalidInputEncoding(request);
  done(errors.length > 0 ? invalidEncodingProblem(errors) : undefined);
}
