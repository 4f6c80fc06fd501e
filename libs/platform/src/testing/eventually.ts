/**
 * Polls `probe` until it returns a truthy value or the time runs out (then throws `what`). Tests
 * wait on a condition with a deadline, never for a fixed time. Here (not in libs/testing, which
 * re-exports it) so libs/platform's own tests can use it too.
 */
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
