import 'reflect-metadata';
import fc from 'fast-check';
import { getMetadataStorage, IsInt, IsOptional, IsString, MetadataStorage, registerDecorator, ValidateNested, validateSync } from 'class-validator';
import { plainToInstance, Type } from 'class-transformer';
import { rememberValidationMetadata } from './validation-metadata';

class Place {
  @IsString() country!: string;
  @IsString({ groups: ['detail'] }) @IsOptional({ groups: ['detail'] }) municipality?: string;
}

class Registration {
  @IsString() givenNames!: string;
  @IsInt({ always: true }) householdSize!: number;
  @ValidateNested() @Type(() => Place) origin!: Place;
}

class TransferredRegistration extends Registration {
  @IsString({ groups: ['transfer'] }) fromNode!: string;
}

const storage = getMetadataStorage();
// The unwrapped lookup, straight from the class, to compare against.
const original = (target: object, schema: string, always: boolean, strict: boolean, groups?: string[]) =>
  MetadataStorage.prototype.getTargetValidationMetadatas.call(storage, target as new () => unknown, schema, always, strict, groups);

describe('rememberValidationMetadata', () => {
  beforeAll(() => {
    rememberValidationMetadata();
    rememberValidationMetadata(); // a second call changes nothing
  });

  it('answers every class and option set as class-validator would, and from memory the second time (property)', () => {
    const targets = [Place, Registration, TransferredRegistration];
    fc.assert(
      fc.property(
        fc.constantFrom(...targets),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.subarray(['detail', 'transfer', 'other']), { nil: undefined }),
        (target, always, strict, groups) => {
          const first = storage.getTargetValidationMetadatas(target, '', always, strict, groups);
          expect(first).toEqual(original(target, '', always, strict, groups));
          expect(storage.getTargetValidationMetadatas(target, '', always, strict, groups ? [...groups] : undefined)).toBe(first);
          expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
          expect(storage.groupByPropertyName(first)).toEqual(MetadataStorage.prototype.groupByPropertyName.call(storage, first));
        },
      ),
    );
  });

  it('validates nested and inherited rules the same after memory as before', () => {
    const bad = plainToInstance(TransferredRegistration, { givenNames: 7, householdSize: 'two', origin: { country: 5 } });
    const fields = (groups?: string[]) =>
      validateSync(bad, { groups })
        .flatMap((e) => [e.property, ...(e.children ?? []).map((c) => `${e.property}.${c.property}`)])
        .sort();
    // Without groups every rule applies (class-validator's rule unless strictGroups); with a group, its rules and the `always` ones.
    expect(fields()).toEqual(['fromNode', 'givenNames', 'householdSize', 'origin', 'origin.country']);
    expect(fields()).toEqual(fields());
    expect(fields(['transfer'])).toEqual(['fromNode', 'householdSize']);
  });

  it('sees a rule registered after a class was first validated', () => {
    class Interview {
      @IsString() interpreterLanguage!: string;
    }
    const given = plainToInstance(Interview, { interpreterLanguage: 'mam', durationMinutes: -5 });
    expect(validateSync(given)).toEqual([]);
    registerDecorator({
      name: 'isPositiveDuration',
      target: Interview,
      propertyName: 'durationMinutes',
      validator: { validate: (value: unknown) => typeof value === 'number' && value > 0 },
    });
    expect(validateSync(given).map((e) => e.property)).toEqual(['durationMinutes']);
  });

  it('serves a subclass declared later its parent rules and its own', () => {
    expect(validateSync(plainToInstance(Registration, { givenNames: 'Ana', householdSize: 3, origin: { country: 'HN' } }))).toEqual([]);
    class ReturnedRegistration extends Registration {
      @IsString() returnedFrom!: string;
    }
    const errors = validateSync(plainToInstance(ReturnedRegistration, { givenNames: 1, householdSize: 3, origin: { country: 'HN' } }));
    expect(errors.map((e) => e.property).sort()).toEqual(['givenNames', 'returnedFrom']);
  });
});
