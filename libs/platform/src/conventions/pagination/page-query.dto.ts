import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_CURSOR_LENGTH } from './cursor';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/**
 * Query parameters of every list: `?limit=&cursor=`. Extend it with the list's filters:
 * `class ListCasesQueryDto extends PageQueryDto { @IsOptional() @IsIn(...) status?: ... }`.
 */
export class PageQueryDto {
  @ApiPropertyOptional({
    description: 'Page size',
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    default: DEFAULT_PAGE_LIMIT,
    example: 50,
  })
  @IsOptional()
  // Only plain decimal digits become a number; anything else ("1e2", "5.0", "", arrays) fails IsInt.
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit: number = DEFAULT_PAGE_LIMIT;

  @ApiPropertyOptional({
    description: 'Opaque cursor: the `nextCursor` of the previous page. Omit it for the first page.',
    maxLength: MAX_CURSOR_LENGTH,
    example: 'eyJ2IjoxLCJrIjp7InQiOiIyMDI2LTAxLTAxVDAwOjAwOjAwLjAwMDAwMFoiLCJpZCI6IjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMCJ9LCJjIjoiYWJjIn0',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CURSOR_LENGTH)
  cursor?: string;
}
