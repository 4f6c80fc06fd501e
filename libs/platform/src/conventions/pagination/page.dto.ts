import { applyDecorators, type Type } from '@nestjs/common';
import { ApiBadRequestResponse, ApiExtraModels, ApiOkResponse, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../../http/problem.dto';

/** One page of a cursor-paginated list. */
export interface Page<T> {
  items: T[];
  /** Cursor of the next page, or null on the last page. */
  nextCursor: string | null;
}

/** OpenAPI shape of a page; `items` is narrowed to the item DTO by `@ApiPaginatedResponse(Dto)`. */
export class CursorPageDto {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Items of this page, in list order' })
  items: unknown[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` to get the next page; null on the last page',
    example: 'eyJ2IjoxLCJrIjp7fSwiYyI6ImFiYyJ9',
  })
  nextCursor: string | null;
}

/** Applies `fn` to every item of a page (e.g. entity → response DTO). */
export function mapPage<T, U>(page: Page<T>, fn: (item: T) => U): Page<U> {
  return { items: page.items.map(fn), nextCursor: page.nextCursor };
}

/**
 * Documents a 200 response `{ items: Dto[], nextCursor: string | null }` and the 400 problem
 * for a bad `limit` or `cursor`. Use with `@Query() query: PageQueryDto` (or a subclass).
 */
export function ApiPaginatedResponse(itemType: Type<unknown>, options: { description?: string } = {}): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(CursorPageDto, itemType),
    ApiOkResponse({
      description: options.description ?? `A page of ${itemType.name} items`,
      schema: {
        allOf: [
          { $ref: getSchemaPath(CursorPageDto) },
          {
            type: 'object',
            required: ['items', 'nextCursor'],
            properties: { items: { type: 'array', items: { $ref: getSchemaPath(itemType) } } },
          },
        ],
      },
    }),
    ApiBadRequestResponse({ type: ProblemDetailsDto, description: 'Invalid limit, cursor or filter (field errors)' }),
  );
}
