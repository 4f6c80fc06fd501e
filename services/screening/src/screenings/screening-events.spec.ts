import { Pathway, PersecutionGround, ProtectionFlag, ScreeningRiskLevel } from '@puente/contracts';
import { FLAG_CODES, GROUND_CODES, PATHWAY_CODES, RISK_LEVELS } from '../questionnaires/catalog';
import { FLAG_ENUM, GROUND_ENUM, PATHWAY_ENUM, RISK_ENUM } from './screening-events';

describe('outcome codes ↔ event contract enums', () => {
  it.each([
    ['flags', FLAG_CODES, FLAG_ENUM, ProtectionFlag],
    ['grounds', GROUND_CODES, GROUND_ENUM, PersecutionGround],
    ['risk levels', RISK_LEVELS, RISK_ENUM, ScreeningRiskLevel],
    ['pathways', PATHWAY_CODES, PATHWAY_ENUM, Pathway],
  ] as const)('maps every code of %s to the enum value of the same name, and the contract has no code we lack', (_name, codes, map, protoEnum) => {
    const names = protoEnum as unknown as Record<number, string>;
    for (const code of codes) expect(names[(map as Record<string, number>)[code]]).toBe(code.toUpperCase());
    const protoValues = Object.values(protoEnum).filter((v): v is number => typeof v === 'number' && v !== 0);
    expect(new Set(codes.map((c) => (map as Record<string, number>)[c]))).toEqual(new Set(protoValues));
  });
});
