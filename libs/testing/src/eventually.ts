/** Polls `probe` until it returns a truthy value or the time runs out (then throws `what`). */
export async function eventually<T>(what: string, probe: () => Promise<T> | T, timeoutMs = 30_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

let seq = 0;
/** A name unique to this test process, for topics and consumer groups. */
export function uniqueName(base: string): string {
  return `${base}.${process.pid}.${Date.now().toString(36)}.${(seq++).toString(36)}`;
}
