import { ProtectionConcern } from '@puente/contracts';
import { CONCERN_CODES, CONCERN_ENUM, concernCodesOf } from './protection-concerns';

describe('protection concern codes ↔ reception contract enum', () => {
  it('maps every code to the enum value of the same name, and the contract has no code we lack', () => {
    const names = ProtectionConcern as unknown as Record<number, string>;
    for (const code of CONCERN_CODES) expect(names[CONCERN_ENUM[code]]).toBe(code.toUpperCase());
    const protoValues = Object.values(ProtectionConcern).filter((v): v is number => typeof v === 'number' && v !== 0);
    expect(new Set(CONCERN_CODES.map((c) => CONCERN_ENUM[c]))).toEqual(new Set(protoValues));
  });

  it('gives codes without duplicates in a stable order, ignores UNSPECIFIED and keeps unknown values as "other"', () => {
    expect(concernCodesOf([ProtectionConcern.OTHER, ProtectionConcern.FEAR_OF_RETURN, ProtectionConcern.UNACCOMPANIED_CHILD, ProtectionConcern.FEAR_OF_RETURN])).toEqual([
      'unaccompanied_child',
      'fear_of_return',
      'other',
    ]);
    expect(concernCodesOf([ProtectionConcern.UNSPECIFIED])).toEqual([]);
    expect(concernCodesOf([])).toEqual([]);
    expect(concernCodesOf([42, ProtectionConcern.MEDICAL_EMERGENCY])).toEqual(['medical_emergency', 'other']);
  });
});
