// One way to do each thing (issue 9, point 4), checked on the sources: a second definition of a
// shared concept, a second write path or an entity nothing queries fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.parentPath.includes('node_modules') && !e.parentPath.includes('/gen/'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const read = (file: string) => readFileSync(join(root, file), 'utf8');
const production = [...sources('libs'), ...sources('services')].filter((f) => !f.includes('/testing/'));

describe('one way to do each thing', () => {
  it('one Caller type: libs/audit defines it, every service uses it', () => {
    const definitions = production.filter((f) => /^export (interface|type) Caller\b/m.test(read(f)));
    expect(definitions).toEqual(['libs/audit/src/nest/caller.ts']);
  });

  it('one traceparent parser: libs/platform parseTraceparent; no other pattern of a trace id anywhere', () => {
    const patterns = production.filter((f) => /\[0-9a-f\]\{32\}/.test(read(f)));
    expect(patterns).toEqual(['libs/platform/src/observability/request-context.ts']);
  });

  it('registering a person is written in one place, on a new case and on an open one alike', () => {
    // One file: the single registration (new or open case) and, beside it, the set-based insert a
    // manifest's rows use; nowhere else writes a person row.
    const writes = sources('services/intake').flatMap((f) => [...read(f).matchAll(/INSERT INTO person \(|insert\(Person\b/g)].map(() => f));
    expect([...new Set(writes)]).toEqual(['services/intake/src/persons/person-registration.service.ts']);
    expect(writes).toHaveLength(2);
  });

  it('every TypeORM entity of intake and screening is used by code other than its module lists', () => {
    const files = [...sources('services/intake'), ...sources('services/screening')];
    const entities = files.flatMap((f) => [...read(f).matchAll(/@Entity\([^)]*\)\s*export class (\w+)/g)].map((m) => ({ name: m[1], file: f })));
    expect(entities.length).toBeGreaterThan(10);
    const unused = entities.filter(({ name, file }) => !files.some((f) => f !== file && !/app\.module\.ts$/.test(f) && new RegExp(`\\b${name}\\b`).test(read(f))));
    expect(unused.map((e) => e.name)).toEqual([]);
  });
});
