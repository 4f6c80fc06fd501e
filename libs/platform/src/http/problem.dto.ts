import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROBLEM_TYPE_BASE } from './problem';

/** OpenAPI schema of one field error (for `@ApiResponse({ type: ProblemDetailsDto })`). */
export class FieldErrorDto {
  @ApiProperty({ example: 'documents[0].number', description: 'Dotted path of the invalid field' })
  field: string;

  @ApiProperty({ example: 'number must be shorter than or equal to 40 characters' })
  message: string;

  @ApiPropertyOptional({ example: 'maxLength', description: 'Validation rule that failed' })
  code?: string;
}

/** OpenAPI schema of an RFC 9457 problem (`application/problem+json`). */
export class ProblemDetailsDto {
  @ApiProperty({ example: `${PROBLEM_TYPE_BASE}validation-error`, format: 'uri' })
  type: string;

  @ApiProperty({ example: 'Validation failed' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiPropertyOptional({ example: 'The request contains 1 invalid field.' })
  detail?: string;

  @ApiPropertyOptional({ example: '/v1/cases', description: 'Request path' })
  instance?: string;

  @ApiPropertyOptional({ example: '5b7c6d1e-3f0a-4c39-9a8e-2f4b1d0c9e77', description: 'Echo of x-request-id' })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}
