// Test-only fixture: a tiny service using the REST conventions (not exported from index.ts).
import { randomUUID } from 'node:crypto';
import {
  Body,
  type CanActivate,
  Controller,
  type DynamicModule,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  Logger,
  Module,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Req,
  Res,
  Optional,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { Column, DataSource, Entity, PrimaryColumn, VersionColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createServiceApp } from '../bootstrap';
import { computeEtag, assertIfMatch, assertVersionUpdated } from '../conventions/etag/etag';
import { RequireIfMatch, WithEtag } from '../conventions/etag/etag.decorators';
import { RequestAdmission } from '../conventions/rate-limit/request-admission';
import { Idempotent } from '../conventions/idempotency/idempotent.decorator';
import { PageQueryDto } from '../conventions/pagination/page-query.dto';
import { ApiPaginatedResponse, mapPage, type Page } from '../conventions/pagination/page.dto';
import { paginate } from '../conventions/pagination/paginate';
import { platformEntities, platformMigrations } from '../conventions/schema';
import { ProblemException } from '../http/problem';
import { PlatformModule } from '../platform.module';

export const CONVENTIONS_SERVICE = 'conventions-spec';
export const TEST_CLIENT_HEADER = 'x-test-client';

@Entity({ name: 'spec_thing' })
export class TestThing {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  @Column({ type: 'text' })
  tag: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  createdAt: Date;

  @VersionColumn({ type: 'int' })
  version: number;
}

export class CreateSpecThing1795737600001 implements MigrationInterface {
  name = 'CreateSpecThing1795737600001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE spec_thing (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tag text NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX spec_thing_tag_created ON spec_thing (tag, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE spec_thing`);
  }
}

export class ThingDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  tag: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty()
  version: number;
}

function toDto(thing: TestThing): ThingDto {
  return { id: thing.id, tag: thing.tag, name: thing.name, createdAt: thing.createdAt.toISOString(), version: thing.version };
}

export class CreateThingDto {
  @ApiProperty()
  @IsString()
  @MaxLength(100)
  name: string;

  @ApiProperty()
  @IsString()
  @MaxLength(100)
  tag: string;

  @ApiPropertyOptional({ description: 'Test only: handler delay' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(5000)
  slowMs?: number;
}

export class UpdateThingDto {
  @ApiProperty()
  @IsString()
  @MaxLength(100)
  name: string;
}

export class ListThingsQueryDto extends PageQueryDto {
  @ApiProperty()
  @IsString()
  @MaxLength(100)
  tag: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'] })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

/** Stands in for the auth guard of libs/auth: `x-test-client: <id>` becomes the principal. */
@Injectable()
export class TestPrincipalGuard implements CanActivate {
  constructor(@Optional() @Inject(RequestAdmission) private readonly admission?: RequestAdmission | null) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: unknown }>();
    const client = request.headers[TEST_CLIENT_HEADER];
    if (typeof client === 'string' && client) {
      request.principal = { subject: client, clientId: client, partnerId: `partner-${client}`, node: 'GT', jurisdictions: ['GT'], scopes: [] };
    }
    // As libs/auth's AuthGuard does: admitted (rate-limited) last.
    await this.admission?.admit(context);
    return true;
  }
}

/** Lets N concurrent requests meet before going on (to force interleavings deterministically). */
class Barrier {
  private readonly waiting = new Map<string, { count: number; release: () => void; done: Promise<void> }>();

  async arrive(name: string, parties: number): Promise<void> {
    let entry = this.waiting.get(name);
    if (!entry) {
      let release!: () => void;
      const done = new Promise<void>((resolve) => (release = resolve));
      entry = { count: 0, release, done };
      this.waiting.set(name, entry);
    }
    entry.count += 1;
    if (entry.count >= parties) entry.release();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`barrier ${name} timed out`)), 5000);
    });
    await Promise.race([entry.done, timeout]).finally(() => clearTimeout(timer));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Controller('things')
export class ThingsController {
  private readonly logger = new Logger('ThingsController');
  private readonly barrier = new Barrier();
  /** Handler executions per tag (to prove replays do not run the handler). */
  readonly executions = new Map<string, number>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private count(tag: string): number {
    const n = (this.executions.get(tag) ?? 0) + 1;
    this.executions.set(tag, n);
    return n;
  }

  private async create(dto: CreateThingDto, reply: FastifyReply): Promise<ThingDto> {
    this.count(dto.tag);
    if (dto.slowMs) await sleep(dto.slowMs);
    const repo = this.dataSource.getRepository(TestThing);
    const saved = await repo.save(repo.create({ name: dto.name, tag: dto.tag }));
    const thing = await repo.findOneByOrFail({ id: saved.id });
    void reply.header('Location', `/v1/things/${thing.id}`);
    return toDto(thing);
  }

  @Post()
  @Idempotent()
  createThing(@Body() dto: CreateThingDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ThingDto> {
    return this.create(dto, reply);
  }

  @Post('optional')
  @Idempotent({ required: false })
  createOptional(@Body() dto: CreateThingDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ThingDto> {
    return this.create(dto, reply);
  }

  @Post('impatient')
  @Idempotent({ waitMs: 100 })
  createImpatient(@Body() dto: CreateThingDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ThingDto> {
    return this.create(dto, reply);
  }

  /** Fails with a 500 on the first attempt for a tag, then creates. */
  @Post('flaky')
  @Idempotent()
  async createFlaky(@Body() dto: CreateThingDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ThingDto> {
    if ((this.executions.get(dto.tag) ?? 0) === 0) {
      this.count(dto.tag);
      throw new Error('transient failure');
    }
    return this.create(dto, reply);
  }

  /** Writes a thing, then the same id again in the same transaction: a real unique violation the handler does not handle. */
  @Post('clash')
  async clash(@Body() dto: CreateThingDto): Promise<never> {
    await this.dataSource.transaction(async (tx) => {
      const id = randomUUID();
      await tx.query('INSERT INTO spec_thing (id, tag, name) VALUES ($1, $2, $3)', [id, dto.tag, dto.name]);
      await tx.query('INSERT INTO spec_thing (id, tag, name) VALUES ($1, $2, $3)', [id, dto.tag, dto.name]);
    });
    throw new Error('unreachable');
  }

  /** Writes a thing, then PostgreSQL aborts the transaction as a serialization failure (40001). */
  @Post('contended')
  async contended(@Body() dto: CreateThingDto): Promise<never> {
    await this.dataSource.transaction(async (tx) => {
      await tx.query('INSERT INTO spec_thing (tag, name) VALUES ($1, $2)', [dto.tag, dto.name]);
      await tx.query(`DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001'; END $$`);
    });
    throw new Error('unreachable');
  }

  /** Always a domain 409 (a 4xx that must be stored and replayed). */
  @Post('rejected')
  @Idempotent()
  reject(@Body() dto: CreateThingDto): never {
    const n = this.count(dto.tag);
    throw new ProblemException(409, 'thing-conflict', 'Thing conflict', 'Things with this tag are frozen.', { attempt: n });
  }

  @Get()
  @ApiPaginatedResponse(ThingDto)
  async list(@Query() query: ListThingsQueryDto): Promise<Page<ThingDto>> {
    const qb = this.dataSource.getRepository(TestThing).createQueryBuilder('t').where('t.tag = :tag', { tag: query.tag });
    const page = await paginate(qb, {
      limit: query.limit,
      cursor: query.cursor,
      direction: query.order ?? 'asc',
      sort: [
        { column: 't.created_at', key: 't', type: 'timestamp' },
        { column: 't.id', key: 'id', type: 'uuid' },
      ],
      scope: `things?tag=${query.tag}`,
    });
    return mapPage(page, toDto);
  }

  @Get('log')
  logSomething(): { ok: true } {
    this.logger.log('handler log line');
    return { ok: true };
  }

  @Get(':id')
  @WithEtag()
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ThingDto> {
    const thing = await this.dataSource.getRepository(TestThing).findOneBy({ id });
    if (!thing) throw ProblemException.notFound('Thing not found');
    return toDto(thing);
  }

  /**
   * The documented optimistic-locking update: check If-Match against the current ETag, then a
   * conditional UPDATE on the version read, so a concurrent writer holding the same ETag gets 412.
   */
  @Patch(':id')
  @RequireIfMatch()
  @WithEtag()
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateThingDto,
    @Req() request: FastifyRequest,
  ): Promise<ThingDto> {
    const repo = this.dataSource.getRepository(TestThing);
    const current = await repo.findOneBy({ id });
    assertIfMatch(request, current ? computeEtag(current) : undefined);
    if (!current) throw ProblemException.notFound('Thing not found');
    const barrier = request.headers['x-test-barrier'];
    if (typeof barrier === 'string') await this.barrier.arrive(barrier, 2);
    const result = await repo
      .createQueryBuilder()
      .update(TestThing)
      .set({ name: dto.name })
      .where('id = :id AND version = :version', { id, version: current.version })
      .execute();
    assertVersionUpdated(result);
    return toDto(await repo.findOneByOrFail({ id }));
  }
}

export interface ConventionsAppOptions {
  rateLimitPerMinute?: number;
  logDestination?: DestinationStream;
}

export function conventionsAppModule(options: ConventionsAppOptions = {}): DynamicModule {
  @Module({})
  class ConventionsAppModule {}
  return {
    module: ConventionsAppModule,
    imports: [
      PlatformModule.forRoot({
        service: CONVENTIONS_SERVICE,
        entities: [...platformEntities, TestThing],
        migrations: [...platformMigrations, CreateSpecThing1795737600001],
        rateLimit: options.rateLimitPerMinute === undefined ? undefined : { perMinute: options.rateLimitPerMinute },
        logDestination: options.logDestination,
      }),
    ],
    controllers: [ThingsController],
    providers: [{ provide: APP_GUARD, useClass: TestPrincipalGuard }],
  };
}

export async function startConventionsApp(
  options: ConventionsAppOptions = {},
): Promise<{ app: NestFastifyApplication; base: string }> {
  const app = await createServiceApp({
    service: CONVENTIONS_SERVICE,
    module: conventionsAppModule(options),
    title: 'Conventions spec service',
    description: 'Exercises idempotency, pagination, ETags and rate limits',
    shutdownHooks: false,
  });
  await app.listen(0, '127.0.0.1');
  return { app, base: await app.getUrl() };
}
