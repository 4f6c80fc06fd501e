import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALLOWED_ALGORITHMS } from './config';
import { SCOPES } from './scopes';
import { TOKEN_REJECTION_REASONS } from './verifier';

// docs/security.md is the integrators' reference: it must stay in step with the code.
const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'security.md'), 'utf8');

describe('docs/security.md', () => {
  it.each(Object.entries(SCOPES))('documents the scope %s with its meaning', (scope, meaning) => {
    expect(doc).toContain(`| \`${scope}\` | ${meaning} |`);
  });

  it('documents no scope the code does not know', () => {
    const rows = [...doc.matchAll(/^\| `([a-z-]+:[a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual(Object.keys(SCOPES).sort());
  });

  it.each([...TOKEN_REJECTION_REASONS])('documents the 401 reason %s', (reason) => {
    expect(doc).toMatch(new RegExp(`^\\s*\\| \`${reason}\` \\|`, 'm'));
  });

  it('names the accepted algorithms and has the audit and erasure sections', () => {
    expect(doc).toContain(ALLOWED_ALGORITHMS.join(', ').replace(/, (?=[^,]*$)/, ' or '));
    expect(doc).toMatch(/^## Audit log$/m);
    expect(doc).toMatch(/^## Erasure and encryption at rest$/m);
    expect(doc).toContain('npm run audit -- verify --service');
    expect(doc).toContain('crypto-shredding');
  });
});
