// Test-only: a tiny service with PlatformModule + AuthModule and a controller under /v1.
import { Controller, Get, Module, Param, Post, Req, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiTags } from '@nestjs/swagger';
import { createServiceApp, PlatformModule, PublicRoute } from '@puente/platform';
import type { FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { AuthModule } from '../auth.module';
import { ApiAuth, CurrentPrincipal, RequireScopes } from '../decorators';
import { assertJurisdiction, assertParty } from '../policy';
import type { Principal } from '../principal';
import { resourceNotFound } from '../problems';

export const SPEC_SERVICE = 'auth-spec';
export const SPEC_AUDIENCE = `puente:${SPEC_SERVICE}`;

/** Referrals the policy routes look up: sender/receiver partner ids. */
export const REFERRALS: Record<string, { id: string; senderPartnerId: string; receiverPartnerId: string | null }> = {
  'ref-1': { id: 'ref-1', senderPartnerId: 'GT-MRC-01', receiverPartnerId: 'MX-COMAR' },
  'ref-2': { id: 'ref-2', senderPartnerId: 'GT-MRC-02', receiverPartnerId: 'UNHCR' },
};

@ApiTags('spec')
@Controller('things')
export class ThingsController {
  @Get('me')
  @ApiAuth('cases:read')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('request-principal')
  requestPrincipal(@Req() request: FastifyRequest): { principal: Principal | undefined } {
    return { principal: request.principal };
  }

  @Post('cases')
  @ApiAuth('cases:read', 'cases:write')
  create(): { created: boolean } {
    return { created: true };
  }

  @Get('referrals/:id')
  @RequireScopes('referrals:read')
  referral(@Param('id') id: string, @CurrentPrincipal() principal: Principal): { id: string; roles: string[] } {
    const referral = REFERRALS[id];
    if (!referral) throw resourceNotFound('referral');
    const roles = assertParty(
      principal,
      { sender: referral.senderPartnerId, receiver: referral.receiverPartnerId },
      { resource: 'referral' },
    );
    return { id: referral.id, roles };
  }

  @Post('sites/:site/persons')
  @RequireScopes('persons:write')
  register(@Param('site') site: string, @CurrentPrincipal() principal: Principal): { site: string } {
    assertJurisdiction(principal, site);
    return { site };
  }

  @Get('open')
  @PublicRoute()
  open(@Req() request: FastifyRequest): { principal: boolean } {
    return { principal: request.principal !== undefined };
  }
}

@RequireScopes('referrals:read')
@Controller('scoped')
export class ScopedController {
  @Post()
  @RequireScopes('referrals:write')
  write(): { ok: boolean } {
    return { ok: true };
  }
}

@Module({ controllers: [ThingsController, ScopedController] })
class ThingsModule {}

export function authSpecModule(env: NodeJS.ProcessEnv, logDestination?: DestinationStream): DynamicModule {
  @Module({
    imports: [
      PlatformModule.forRoot({ service: SPEC_SERVICE, entities: [], migrations: [], logDestination }),
      AuthModule.forRoot({ service: SPEC_SERVICE, env: { NODE_ENV: 'test', ...env } }),
      ThingsModule,
    ],
  })
  class AuthSpecAppModule {}
  return { module: AuthSpecAppModule };
}

export async function startAuthSpecApp(
  env: NodeJS.ProcessEnv,
  logDestination?: DestinationStream,
): Promise<{ app: NestFastifyApplication; base: string }> {
  const app = await createServiceApp({
    service: SPEC_SERVICE,
    module: authSpecModule(env, logDestination),
    title: 'Auth spec service',
    description: 'Routes used to test libs/auth',
    shutdownHooks: false,
  });
  await app.listen(0, '127.0.0.1');
  return { app, base: await app.getUrl() };
}
