import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Topics } from '@puente/contracts';

jest.setTimeout(120_000);

const root = join(__dirname, '..');
const eslint = join(root, 'node_modules/eslint/bin/eslint.js');

/** Lints `code` as if it were the file `file`, with the workspace's real ESLint config. */
function lint(file: string, code: string): { ruleId: string | null; message: string }[] {
  const r = spawnSync(process.execPath, [eslint, '--stdin', '--stdin-filename', file, '--format', 'json'], { cwd: root, input: code, encoding: 'utf8' });
  return JSON.parse(r.stdout)[0].messages;
}

describe('workspace rules are enforced, not decorative', () => {
  beforeAll(() => {
    // @nx/enforce-module-boundaries reads the cached project graph
    execFileSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } });
  });

  it('rejects a utility library depending on a data-access library', () => {
    const messages = lint('libs/platform/src/violation.ts', "import { OutboxWriter } from '@puente/messaging';\nexport const w = OutboxWriter;\n");
    expect(messages.map((m) => m.ruleId)).toContain('@nx/enforce-module-boundaries');
  });

  it('rejects one service importing another', () => {
    const messages = lint('services/screening/src/violation.ts', "import { AppModule } from '../../intake/src/app.module';\nexport const m = AppModule;\n");
    expect(messages.map((m) => m.ruleId)).toContain('@nx/enforce-module-boundaries');
  });

  it('rejects kafkajs outside libs/messaging and allows it inside', () => {
    // spelled in two parts so repository greps for the client's imports do not match this test
    const client = ['kafka', 'js'].join('');
    const code = `import { Kafka } from '${client}';\nexport const k = Kafka;\n`;
    expect(lint('services/intake/src/violation.ts', code).map((m) => m.ruleId)).toContain('no-restricted-imports');
    expect(lint('libs/messaging/src/kafka/allowed.ts', code).map((m) => m.ruleId)).not.toContain('no-restricted-imports');
  });

  it('accepts a service using shared libraries through their public entry points', () => {
    const messages = lint('services/intake/src/fine.ts', "import { Topics } from '@puente/contracts';\nexport const t = Topics.intakeCase.name;\n");
    expect(messages).toEqual([]);
  });
});

describe('documentation links stay inside the repository', () => {
  const docs = ['README.md', 'k8s/README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

  /** Targets of inline links `[text](target)` and reference definitions `[label]: target`, outside code. */
  function linkTargets(markdown: string): string[] {
    const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
    const definitions = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]);
    return [...inline, ...definitions];
  }

  it.each(docs)('every relative link in %s names a file or folder inside the repository', (doc) => {
    const broken: string[] = [];
    for (const target of linkTargets(readFileSync(join(root, doc), 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue; // http(s), mailto, in-page anchors
      const path = decodeURIComponent(target.split('#')[0]);
      const resolved = resolve(root, dirname(doc), path);
      const inside = !relative(root, resolved).startsWith('..') && !isAbsolute(path);
      if (!inside || !existsSync(resolved)) broken.push(target);
    }
    expect(broken).toEqual([]);
  });

  it('finds the links it checks (a link outside the repository is caught)', () => {
    expect(linkTargets('see [map](../shared/DESIGN.md), [ops](docs/operations.md#alerts) and `[not](a-link)`\n\n[ref]: docs/security.md\n')).toEqual([
      '../shared/DESIGN.md',
      'docs/operations.md#alerts',
      'docs/security.md',
    ]);
  });
});

describe('tests wait for conditions, not for fixed times', () => {
  /** Every *.spec.ts of the workspace (dependencies and build output left out). */
  function specFiles(dir: string): string[] {
    return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) return ['node_modules', 'dist', '.cache'].includes(e.name) ? [] : specFiles(rel);
      return e.name.endsWith('.spec.ts') ? [rel] : [];
    });
  }
  // awaiting a bare timer promise, or a sleep/delay helper
  const FIXED_WAIT = /await new Promise(?:<\w+>)?\(\s*\(?(\w+)\)?\s*=>\s*setTimeout\(\s*\1\s*,|await (?:sleep|delay)\(/;
  // a wait whose length is what the test is about (time passing) says so on the line before
  const JUSTIFIED = /\/\/ time under test:/;

  it('no spec sleeps to wait for something: it polls with a deadline (eventually) or uses a barrier', () => {
    const offenders = ['libs', 'services', 'e2e'].flatMap(specFiles).flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, i, lines) => (FIXED_WAIT.test(line) && !JUSTIFIED.test(lines[i - 1] ?? '') ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });

  it('recognizes the fixed waits it forbids', () => {
    const timer = ['set', 'Timeout'].join('');
    expect(FIXED_WAIT.test(`    await new Promise((r) => ${timer}(r, 1500));`)).toBe(true);
    expect(FIXED_WAIT.test(`    await new Promise((resolve) => ${timer}(resolve, 300));`)).toBe(true);
    expect(FIXED_WAIT.test(`    await new Promise<void>(r => ${timer}(r, 10));`)).toBe(true);
    expect(FIXED_WAIT.test(`    await ${'sleep'}(200);`)).toBe(true);
    expect(FIXED_WAIT.test("    await eventually('rows', () => probe(), 10_000, 50);")).toBe(false);
  });
});

describe('docs/architecture.md stays the map of what exists', () => {
  const map = readFileSync(join(root, 'docs/architecture.md'), 'utf8');

  it('has a row for every service and names every library', () => {
    for (const service of readdirSync(join(root, 'services'))) expect([service, map.includes(`\n| ${service} |`)]).toEqual([service, true]);
    for (const lib of readdirSync(join(root, 'libs'))) expect([lib, map.includes(`libs/${lib}`)]).toEqual([lib, true]);
  });

  it('names every catalogued topic', () => {
    for (const { name } of Object.values(Topics)) expect([name, map.includes(`\`${name}\``)]).toEqual([name, true]);
  });
});
