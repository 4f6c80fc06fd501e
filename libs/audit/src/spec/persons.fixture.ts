// Test-only fixture: a tiny service on PlatformModule + AuditModule (not exported from index.ts).
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Inject,
  Injectable,
  Module,
  Param,
  Patch,
  Post,
  Query,
  Req,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  Optional,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiProperty } from '@nestjs/swagger';
import { ProblemException, PlatformModule, RequestAdmission } from '@puente/platform';
import { IsString, MaxLength } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit-log';
import { auditEntities, auditMigrations } from '../index';
import { AuditModule } from '../nest/audit.module';
import { Audited } from '../nest/audited.decorator';
import { auditContextOf } from '../nest/request-audit-context';

export const SPEC_SERVICE = 'audit-spec';
/** A value that must never reach the audit table. */
export const SECRET_NAME = 'Quetzalina Zyxwvut';
export const MISSING_ID = '99999999-9999-4999-8999-999999999999';

/** Stands in for the auth guard: sets `request.principal` from test headers. */
@Injectable()
class TestPrincipalGuard implements CanActivate {
  constructor(@Optional() @Inject(RequestAdmission) private readonly admission?: RequestAdmission | null) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: unknown }>();
    const partnerId = request.headers['x-test-partner'];
    if (typeof partnerId === 'string') {
      request.principal = {
        subject: `sub-${partnerId}`,
        clientId: `client-${partnerId}`,
        partnerId,
        node: 'GT',
        jurisdictions: ['GT'],
        scopes: ['persons:read', 'persons:write'],
      };
    }
    await this.admission?.admit(context);
    return true;
  }
}

export class UpdatePersonDto {
  @ApiProperty({ example: 'Ana' })
  @IsString()
  @MaxLength(100)
  name: string;
}

@Controller()
class PersonsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  @Get('persons/:id')
  @Audited({ action: 'person.read', objectType: 'person', purpose: 'case-management' })
  read(@Param('id') id: string): { id: string; name: string } {
    if (id === MISSING_ID || !/^[0-9a-f-]{36}$/.test(id)) throw ProblemException.notFound('Person not found');
    return { id, name: SECRET_NAME };
  }

  /** Fails after appending inside its own transaction, which therefore rolls back. */
  @Get('persons/:id/boom')
  @Audited({ action: 'person.read', objectType: 'person', purpose: 'case-management' })
  async boom(@Param('id') id: string, @Req() request: FastifyRequest): Promise<never> {
    return this.dataSource.transaction(async (tx) => {
      await this.audit.append(tx, { ...auditContextOf(request), action: 'person.read', objectType: 'person', objectId: id, purpose: 'screening' });
      throw new Error(`database exploded near ${SECRET_NAME}`);
    });
  }

  @Patch('persons/:id')
  @Audited({ action: 'person.update', objectType: 'person' })
  update(@Param('id') id: string, @Body() dto: UpdatePersonDto): { id: string; updated: boolean } {
    return { id, updated: dto.name.length > 0 };
  }

  @Post('persons')
  @Audited({
    action: 'person.create',
    objectType: 'person',
    purpose: 'screening',
    objectIdParam: (_request, result) => (result as { id?: string } | undefined)?.id,
  })
  create(@Body() _dto: UpdatePersonDto): { id: string } {
    return { id: randomUUID() };
  }

  @Get('cases/:caseId')
  @Audited({ action: 'case.read', objectType: 'case', purpose: 'referral', objectIdParam: 'caseId' })
  readCase(@Param('caseId') caseId: string, @Req() request: FastifyRequest & { principal?: { partnerId: string } }): { caseId: string } {
    if (request.principal?.partnerId !== 'iom-gt') throw new ForbiddenException();
    return { caseId };
  }

  /** Not @Audited: the record is part of the erasure's own transaction. */
  @Post('persons/:id/erase')
  async erase(@Param('id') id: string, @Query('fail') fail: string | undefined, @Req() request: FastifyRequest): Promise<{ erased: true }> {
    await this.dataSource.transaction(async (tx) => {
      await tx.query('INSERT INTO spec_erasure (person_id) VALUES ($1)', [id]);
      await this.audit.append(tx, { ...auditContextOf(request), action: 'person.erase', objectType: 'person', objectId: id, purpose: 'erasure' });
      if (fail) throw new ProblemException(409, 'erasure-conflict', 'Erasure conflict', 'The person has an open referral.');
    });
    return { erased: true };
  }
}

export class CreateSpecErasure1700000000001 {
  name = 'CreateSpecErasure1700000000001';

  async up(q: { query(sql: string): Promise<unknown> }): Promise<void> {
    await q.query('CREATE TABLE spec_erasure (person_id uuid NOT NULL)');
  }

  async down(q: { query(sql: string): Promise<unknown> }): Promise<void> {
    await q.query('DROP TABLE spec_erasure');
  }
}

export function personsAppModule(): DynamicModule {
  @Module({})
  class PersonsAppModule {}
  return {
    module: PersonsAppModule,
    imports: [
      PlatformModule.forRoot({
        service: SPEC_SERVICE,
        entities: [...auditEntities],
        migrations: [...auditMigrations, CreateSpecErasure1700000000001],
        imports: [AuditModule.forRoot()],
      }),
    ],
    controllers: [PersonsController],
    providers: [{ provide: APP_GUARD, useClass: TestPrincipalGuard }],
  };
}
