import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, ProblemDetailsDto } from '@puente/platform';
import { getPrincipal, type Principal } from './principal';
import { invalidTokenProblem } from './problems';
import { SCOPE_NAME_PATTERN } from './scopes';

/** Metadata key of the scopes a handler or controller requires. */
export const REQUIRED_SCOPES = 'puente:required-scopes';
/** Name of the bearer security scheme declared by the platform's OpenAPI document. */
export const BEARER_SCHEME = 'bearer';

function checkedScopes(scopes: readonly string[]): string[] {
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE_NAME_PATTERN.test(scope)) {
      throw new Error(`Invalid scope name ${JSON.stringify(scope)}: use resource:action in lower case, e.g. cases:read`);
    }
  }
  return [...new Set(scopes)];
}

/**
 * Requires every listed scope (403 `insufficient-scope` otherwise). On a controller and a
 * handler, the scopes of both are required.
 */
export function RequireScopes(...scopes: string[]): ClassDecorator & MethodDecorator {
  if (scopes.length === 0) throw new Error('RequireScopes() needs at least one scope');
  return SetMetadata(REQUIRED_SCOPES, checkedScopes(scopes));
}

/**
 * The authenticated caller, e.g. `list(@CurrentPrincipal() principal: Principal)`.
 * Throws 401 if no principal is attached (it is always attached on non-public routes).
 */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = getPrincipal(context.switchToHttp().getRequest<object>());
  if (!principal) throw invalidTokenProblem('missing-token', 'A bearer token is required: send "Authorization: Bearer <access token>".');
  return principal;
});

const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } };
const challengeHeader = (example: string) => ({
  'WWW-Authenticate': { description: 'RFC 6750 Bearer challenge', schema: { type: 'string' as const, example } },
});

/**
 * Bearer token + scopes in one decorator, for controllers or handlers: RequireScopes,
 * ApiBearerAuth and the 401/403 problem responses in the OpenAPI document.
 * `@ApiAuth()` without scopes only documents and requires a valid token.
 */
export function ApiAuth(...scopes: string[]): ClassDecorator & MethodDecorator {
  const required = checkedScopes(scopes);
  const decorators: (ClassDecorator | MethodDecorator)[] = [
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Missing, malformed, expired or untrusted bearer token.',
      content: problemContent,
      headers: challengeHeader('Bearer realm="puente", error="invalid_token", error_description="The token has expired; request a new one."'),
    }),
  ];
  if (required.length > 0) {
    decorators.push(
      RequireScopes(...required),
      ApiForbiddenResponse({
        description: `The token lacks a required scope. Requires: ${required.join(', ')}.`,
        content: problemContent,
        headers: challengeHeader(`Bearer realm="puente", error="insufficient_scope", scope="${required.join(' ')}"`),
      }),
    );
  }
  return applyDecorators(...decorators);
}
