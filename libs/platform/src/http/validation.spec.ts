import type { ValidationError } from '@nestjs/common';
import { IsString, validate } from 'class-validator';
import { flattenValidationErrors, IsOptionalNotNull, validationProblem } from './validation';
import { PROBLEM_TYPE_BASE } from './problem';

describe('flattenValidationErrors', () => {
  it('builds dotted paths with array indexes and keeps every constraint', () => {
    const errors: ValidationError[] = [
      { property: 'birthDate', constraints: { isDateString: 'birthDate must be a valid ISO 8601 date string' }, children: [] },
      {
        property: 'household',
        children: [
          {
            property: 'members',
            children: [
              {
                property: '2',
                children: [
                  {
                    property: 'documents',
                    children: [
                      {
                        property: '0',
                        children: [
                          {
                            property: 'number',
                            constraints: { isString: 'number must be a string', maxLength: 'number is too long' },
                            children: [],
                          },
                        ],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'birthDate', message: 'birthDate must be a valid ISO 8601 date string', code: 'isDateString' },
      { field: 'household.members[2].documents[0].number', message: 'number must be a string', code: 'isString' },
      { field: 'household.members[2].documents[0].number', message: 'number is too long', code: 'maxLength' },
    ]);
  });

  it('produces a validation problem', () => {
    const p = validationProblem([{ field: 'a', message: 'a is bad' }]).toProblem('/v1/x', 'r1');
    expect(p).toEqual({
      type: `${PROBLEM_TYPE_BASE}validation-error`,
      title: 'Validation failed',
      status: 400,
      detail: 'The request contains 1 invalid field.',
      instance: '/v1/x',
      requestId: 'r1',
      errors: [{ field: 'a', message: 'a is bad' }],
    });
  });
});

describe('IsOptionalNotNull', () => {
  class RenameDto {
    @IsOptionalNotNull()
    @IsString()
    name?: string | null;
  }
  const errorsOf = async (value: Partial<RenameDto>) => (await validate(Object.assign(new RenameDto(), value))).map((e) => e.property);

  it('lets a field be left out, refuses null (which @IsOptional would let through to a NOT NULL column)', async () => {
    expect(await errorsOf({})).toEqual([]);
    expect(await errorsOf({ name: 'COMAR Tapachula' })).toEqual([]);
    expect(await errorsOf({ name: null })).toEqual(['name']);
  });
});
