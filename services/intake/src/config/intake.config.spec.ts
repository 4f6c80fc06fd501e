import { randomBytes } from 'node:crypto';
import { ConfigValidationError, loadServiceConfig } from '@puente/platform';
import { agreementKeysFrom, DEV_AGREEMENT_KID } from '../common/privacy.providers';
import { IntakeConfig } from './intake.config';

const load = (env: Record<string, string>) => loadServiceConfig('intake', IntakeConfig, env);
const key = (kid: string) => `${kid}:${randomBytes(32).toString('base64')}`;

describe('intake configuration', () => {
  it('has safe defaults outside production', () => {
    const config = load({});
    expect(config.DUPLICATE_SCORE_THRESHOLD).toBe(0.6);
    expect(agreementKeysFrom(config).map((k) => k.kid)).toEqual([DEV_AGREEMENT_KID]);
  });

  it('reads agreement keys, a threshold and extra timeline topics', () => {
    const config = load({ MATCH_AGREEMENT_KEYS: `${key('gt-mx-2026')},${key('gt-hn-2026')}`, DUPLICATE_SCORE_THRESHOLD: '0.75', INTAKE_TIMELINE_TOPICS: 'puente.partner.comar-mx.v1:3' });
    expect(config.DUPLICATE_SCORE_THRESHOLD).toBe(0.75);
    expect(agreementKeysFrom(config).map((k) => k.kid)).toEqual(['gt-mx-2026', 'gt-hn-2026']);
  });

  it('refuses bad values, naming the variable', () => {
    for (const [variable, value] of [
      ['MATCH_AGREEMENT_KEYS', 'short:AAAA'],
      ['DUPLICATE_SCORE_THRESHOLD', '2'],
      ['INTAKE_TIMELINE_TOPICS', 'puente.intake.case.v1.dlq'],
      ['INTAKE_TIMELINE_TOPICS', 'bad topic'],
    ]) {
      try {
        load({ [variable]: value });
        throw new Error(`${variable}=${value} was accepted`);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigValidationError);
        expect((error as ConfigValidationError).issues.map((i) => i.variable)).toEqual([variable]);
      }
    }
  });

  it('requires real agreement keys in production, and refuses the development one there', () => {
    expect(() => agreementKeysFrom(load({ NODE_ENV: 'production' }))).toThrow(/MATCH_AGREEMENT_KEYS is required/);
    expect(() => agreementKeysFrom(load({ NODE_ENV: 'production', MATCH_AGREEMENT_KEYS: key(DEV_AGREEMENT_KID) }))).toThrow(/development agreement key/);
    expect(() => agreementKeysFrom(load({ MATCH_AGREEMENT_KEYS: `${key('a')},${key('a')}` }))).toThrow(/twice/);
  });
});
