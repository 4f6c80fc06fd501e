import { Writable } from 'node:stream';

/**
 * A log destination (PlatformModule.forRoot({ logDestination })) that keeps every line in
 * memory: for tests that prove what a service does and does not log (no personal data, no
 * tokens). Never for production, where lines go to stdout.
 */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    for (const line of chunk.toString().split('\n')) if (line.trim()) this.lines.push(line);
    callback();
  }

  get text(): string {
    return this.lines.join('\n');
  }

  records(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
