import fc from 'fast-check';
import { eventPatternOptions, InvalidEventHandlerError } from './event-pattern-options';

const where = 'CaseRegistryProjector.onIntakeEvent';

describe('@EventPattern options (types, ignoreOwnEvents, batch)', () => {
  it('reads the known options and leaves out the ones not given', () => {
    expect(eventPatternOptions({}, where)).toEqual({});
    expect(eventPatternOptions(undefined, where)).toEqual({});
    expect(eventPatternOptions({ types: ['puente.intake.v1.CaseOpened'], ignoreOwnEvents: true, batch: false }, where)).toEqual({
      types: ['puente.intake.v1.CaseOpened'],
      ignoreOwnEvents: true,
      batch: false,
    });
  });

  it('refuses a misspelt option, naming the handler, instead of ignoring it (a type filter would be lost)', () => {
    expect(() => eventPatternOptions({ type: ['puente.intake.v1.CaseOpened'] }, where)).toThrow(
      new InvalidEventHandlerError(`${where}: unknown @EventPattern option "type" (known: types, ignoreOwnEvents, batch)`),
    );
  });

  it('refuses malformed values', () => {
    for (const bad of [{ types: [] }, { types: 'puente.intake.v1.CaseOpened' }, { types: [''] }, { types: [1] }, { batch: 'yes' }, { ignoreOwnEvents: 1 }]) {
      expect(() => eventPatternOptions(bad, where)).toThrow(InvalidEventHandlerError);
    }
  });

  it('accepts exactly the well-formed combinations and returns them unchanged', () => {
    const known = fc.record(
      { types: fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 4 }), ignoreOwnEvents: fc.boolean(), batch: fc.boolean() },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(known, (extras) => expect(eventPatternOptions(extras, where)).toEqual(extras)));
    const unknownKey = fc.string({ minLength: 1 }).filter((k) => !['types', 'ignoreOwnEvents', 'batch', '__proto__'].includes(k));
    fc.assert(
      fc.property(known, unknownKey, fc.jsonValue(), (extras, key, value) => {
        expect(() => eventPatternOptions({ ...extras, [key]: value }, where)).toThrow(InvalidEventHandlerError);
      }),
    );
  });
});
