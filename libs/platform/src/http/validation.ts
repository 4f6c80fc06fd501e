import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { rememberValidationMetadata } from './validation-metadata';
import { type FieldError, ProblemException, ProblemTypes } from './problem';

/**
 * Flattens class-validator errors into field errors with dotted paths:
 * `birthDate`, `address.city`, `documents[0].number`. Values are never copied.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const property = String(error.property ?? '');
    let field: string;
    if (parent === '') field = property;
    else if (/^\d+$/.test(property)) field = `${parent}[${property}]`;
    else if (property === '') field = parent;
    else field = `${parent}.${property}`;
    for (const [code, message] of Object.entries(error.constraints ?? {})) {
      out.push({ field: field === '' ? '(body)' : field, message, code });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** The 400 problem for a list of field errors. */
export function validationProblem(errors: FieldError[]): ProblemException {
  const n = errors.length;
  return new ProblemException(
    400,
    ProblemTypes.VALIDATION_ERROR,
    'Validation failed',
    `The request contains ${n} invalid field${n === 1 ? '' : 's'}.`,
    { errors },
  );
}

/**
 * ValidationPipe that also refuses a body that is not a JSON object (array, string,
 * number) where a DTO class is expected, instead of validating its indexes as fields.
 */
export class PlatformValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (
      metadata.type === 'body' &&
      value !== undefined &&
      value !== null &&
      (typeof value !== 'object' || Array.isArray(value)) &&
      this.toValidate(metadata)
    ) {
      throw validationProblem([{ field: '(body)', message: 'The request body must be a JSON object', code: 'isObject' }]);
    }
    return super.transform(value, metadata);
  }
}

/** The global ValidationPipe: whitelist, reject unknown fields, transform, report every error. */
export function createValidationPipe(): ValidationPipe {
  rememberValidationMetadata();
  return new PlatformValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationProblem(flattenValidationErrors(errors)),
  });
}

/**
 * An optional field that may be left out but not sent as null: use instead of `@IsOptional()`
 * on updates of NOT NULL columns. `@IsOptional()` skips every validator for null too, so a
 * `{"name": null}` would reach the database as a NOT NULL violation.
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}
