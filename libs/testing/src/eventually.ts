// One polling helper for every test: it lives in libs/platform, whose own tests need it too.
export { eventually } from '@puente/platform';

let seq = 0;
/** A name unique to this test process, for topics and consumer groups. */
export function uniqueName(base: string): string {
  return `${base}.${process.pid}.${Date.now().toString(36)}.${(seq++).toString(36)}`;
}
