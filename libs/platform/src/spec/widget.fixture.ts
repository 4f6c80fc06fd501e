// Test-only fixture: a tiny service on top of PlatformModule (not exported from index.ts).
import { Body, Controller, Get, Module, Param, Post, type DynamicModule, type Provider } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import type { DestinationStream } from 'pino';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { PlatformModule } from '../platform.module';
import { ProblemException } from '../http/problem';
import { CurrentRequestContext } from '../http/request-context.decorator';
import type { RequestContext } from '../observability/request-context';

export const SPEC_SERVICE = 'platform-spec';

export class WidgetDocumentDto {
  @ApiProperty({ example: 'A1234567' })
  @IsString()
  @MaxLength(20)
  number: string;
}

export class CreateWidgetDto {
  @ApiProperty({ example: 'Sprocket', maxLength: 100 })
  @IsString()
  @MaxLength(100)
  name: string;

  @ApiProperty({ example: 3, minimum: 1, maximum: 10 })
  @IsInt()
  @Min(1)
  @Max(10)
  count: number;

  @ApiPropertyOptional({ type: [WidgetDocumentDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => WidgetDocumentDto)
  documents?: WidgetDocumentDto[];
}

export class CreateWidgetTable1700000000000 implements MigrationInterface {
  name = 'CreateWidgetTable1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE IF NOT EXISTS spec_widget (id serial PRIMARY KEY, name text NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS spec_widget');
  }
}

@Controller('widgets')
export class WidgetsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Post()
  create(@Body() dto: CreateWidgetDto): { id: string; name: string; count: number } {
    return { id: 'w-1', name: dto.name, count: dto.count };
  }

  @Get('context')
  context(@CurrentRequestContext() ctx: RequestContext): { requestId: string; traceId: string } {
    return { requestId: ctx.requestId, traceId: ctx.trace.traceId };
  }

  @Get('boom')
  boom(): never {
    throw new Error('secret internal detail 42');
  }

  @Get('table')
  async table(): Promise<{ exists: boolean }> {
    const rows: { exists: boolean }[] = await this.dataSource.query(
      "SELECT to_regclass('public.spec_widget') IS NOT NULL AS exists",
    );
    return { exists: rows[0].exists };
  }

  /** Writes a name it never checked for null (spec_widget.name is NOT NULL): 23502 when it is. */
  @Post('unchecked')
  async uncheckedCreate(@Body() body: Record<string, unknown>): Promise<{ created: true }> {
    await this.dataSource.query('INSERT INTO spec_widget (name) SELECT $1::text WHERE $1::text IS NULL', [body.name ?? null]);
    return { created: true };
  }

  /** Hands its parameter to PostgreSQL unchecked, as a handler that forgot to validate would. */
  @Get('unchecked/:id')
  async unchecked(@Param('id') id: string): Promise<{ found: boolean }> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 WHERE $1::uuid IS NULL', [id]);
    return { found: rows.length > 0 };
  }

  @Get(':id')
  get(@Param('id') _id: string): never {
    throw new ProblemException(404, 'widget-not-found', 'Widget not found', 'No widget with this id exists.');
  }
}

export interface WidgetModuleOptions {
  logDestination?: DestinationStream;
  providers?: Provider[];
}

/** A root module for the spec service; `providers` are exported through a global module (e.g. a fake BROKER_PROBE). */
export function widgetAppModule(options: WidgetModuleOptions = {}): DynamicModule {
  @Module({})
  class ExtraProvidersModule {}
  const extra: DynamicModule = {
    module: ExtraProvidersModule,
    providers: options.providers ?? [],
    exports: (options.providers ?? []).map((p) => (typeof p === 'function' ? p : p.provide)),
  };

  @Module({})
  class WidgetAppModule {}
  return {
    module: WidgetAppModule,
    imports: [
      PlatformModule.forRoot({
        service: SPEC_SERVICE,
        entities: [],
        migrations: [CreateWidgetTable1700000000000],
        imports: [extra],
        logDestination: options.logDestination,
      }),
    ],
    controllers: [WidgetsController],
  };
}
