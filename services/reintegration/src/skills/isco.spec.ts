import { iscoGroup, iscoGroups, isIscoUnitCode, iscoTitle } from './isco';
import { CEFR_LEVELS, cefrRank, isCefrLevel } from './cefr';

describe('ISCO-08 (the ILO list shipped as data)', () => {
  it('has the whole structure: 10 major, 43 sub-major, 130 minor and 436 unit groups', () => {
    const count = (level: string) => iscoGroups().filter((g) => g.level === level).length;
    expect([count('major'), count('sub-major'), count('minor'), count('unit')]).toEqual([10, 43, 130, 436]);
  });

  it('nests every group in its parent (a code extends its parent code by one digit)', () => {
    for (const group of iscoGroups()) {
      expect(group.code).toMatch(/^\d{1,4}$/);
      expect(group.title.length).toBeGreaterThan(2);
      if (group.code.length > 1) expect(iscoGroup(group.code.slice(0, -1))).toBeDefined();
    }
  });

  it('knows the trades of people coming back (construction, hospitality, agriculture, ICT)', () => {
    expect(iscoTitle('7112')).toBe('Bricklayers and related workers');
    expect(iscoTitle('5120')).toBe('Cooks');
    expect(iscoTitle('6111')).toBe('Field crop and vegetable growers');
    expect(iscoTitle('2512')).toBe('Software developers');
    expect(iscoTitle('9313')).toBe('Building construction labourers');
  });

  it('accepts unit groups only', () => {
    for (const code of ['7112', '0110', '9629', '3434']) expect(isIscoUnitCode(code)).toBe(true);
    for (const code of ['711', '71', '7', '7110', '9999', '0000', '71120', ' 7112', 7112, null]) expect(isIscoUnitCode(code)).toBe(false);
  });
});

describe('CEFR levels', () => {
  it('orders A1 to C2 and refuses anything else', () => {
    expect(CEFR_LEVELS.map(cefrRank)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const bad of ['A0', 'C3', 'b1', 'native', '', null]) expect(isCefrLevel(bad)).toBe(false);
  });
});
