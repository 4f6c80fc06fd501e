import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { defaultProblemFor, PROBLEM_CONTENT_TYPE, problemTypeUri } from './problem';
import { REQUEST_ID_HEADER } from '../observability/request-context';

/** Status Node's HTTP parser failure maps to: oversized headers 431, timeouts 408, anything else 400. */
function statusOfClientError(error: NodeJS.ErrnoException): number {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

const DETAILS: Record<number, string> = {
  400: 'The request is not valid HTTP (for example a header value with a control character, or a malformed Content-Length).',
  408: 'The request was not received in time.',
  431: 'The request headers are too large.',
};

/**
 * The answer to a request Node's HTTP parser refused before Fastify saw it (malformed request
 * line or headers, oversized headers, timeouts): RFC 9457 problem+json like every other error,
 * instead of Fastify's default application/json. Written straight to the socket, then closed.
 */
export function problemClientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const status = statusOfClientError(error);
    const base = defaultProblemFor(status);
    const requestId = randomUUID();
    const body = JSON.stringify({ type: problemTypeUri(base.type), title: base.title, status, detail: DETAILS[status], requestId });
    socket.write(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        `content-type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
        `content-length: ${Buffer.byteLength(body)}`,
        `${REQUEST_ID_HEADER}: ${requestId}`,
        'x-content-type-options: nosniff',
        'cache-control: no-store',
        'connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  }
  socket.destroy(error);
}
