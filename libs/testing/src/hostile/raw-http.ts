// A minimal HTTP/1.1 client over a TCP socket: it sends exactly the bytes it is given (raw
// invalid UTF-8 in a path, header or body, oversized headers), which fetch and node:http refuse
// to put on the wire. One connection per request (Connection: close).
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** Request target as sent: already percent-encoded, or deliberately not. */
  target: string | Buffer;
  /** Header name → value; a Buffer value is sent byte for byte. */
  headers: [string, string | Buffer][];
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const CRLF = Buffer.from('\r\n');

export function encodeRequest(host: string, request: RawRequest): Buffer {
  const parts: Buffer[] = [Buffer.from(`${request.method} `), Buffer.from(request.target as never), Buffer.from(' HTTP/1.1\r\n')];
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
  const headers: [string, string | Buffer][] = [...request.headers];
  if (!names.has('host')) headers.unshift(['host', host]);
  headers.push(['connection', 'close']);
  if (request.body !== undefined && !names.has('content-length') && !names.has('transfer-encoding')) {
    headers.push(['content-length', String(request.body.length)]);
  }
  for (const [name, value] of headers) parts.push(Buffer.from(`${name}: `), Buffer.from(value as never), CRLF);
  parts.push(CRLF);
  if (request.body) parts.push(request.body);
  return Buffer.concat(parts);
}

function decodeChunked(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf(CRLF, at);
    if (lineEnd === -1) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}

export function parseResponse(bytes: Buffer): RawResponse {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd === -1) throw new Error(`Incomplete HTTP response (${bytes.length} bytes): ${bytes.subarray(0, 200).toString('latin1')}`);
  const [statusLine, ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) throw new Error(`Not an HTTP response: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(headEnd + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = decodeChunked(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(match[1]), headers, body };
}

/** Sends one request to `base` (`http://127.0.0.1:port`) and reads the response to the end. */
export function sendRaw(base: string, request: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`No response within ${timeoutMs} ms`)));
    socket.on('connect', () => {
      // No half-close: Node's server drops a request whose client ended its side. Connection:
      // close makes the server close after answering. It may answer (413, 431) and close before
      // reading everything: EPIPE then is not a failure.
      socket.write(encodeRequest(url.host, request));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if ((error.code === 'EPIPE' || error.code === 'ECONNRESET') && chunks.length > 0) return;
      reject(error);
    });
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
  });
}
