import { Reflector } from '@nestjs/core';
import { ApiAuth, REQUIRED_SCOPES, RequireScopes } from './decorators';

describe('RequireScopes / ApiAuth', () => {
  it('stores the scopes (de-duplicated) as metadata', () => {
    class Target {
      @RequireScopes('cases:read', 'cases:write', 'cases:read')
      handler(): string {
        return 'handler';
      }

      @ApiAuth('referrals:read')
      other(): string {
        return 'other';
      }

      @ApiAuth()
      tokenOnly(): string {
        return 'tokenOnly';
      }
    }
    const reflector = new Reflector();
    expect(reflector.get(REQUIRED_SCOPES, Target.prototype.handler)).toEqual(['cases:read', 'cases:write']);
    expect(reflector.get(REQUIRED_SCOPES, Target.prototype.other)).toEqual(['referrals:read']);
    expect(reflector.get(REQUIRED_SCOPES, Target.prototype.tokenOnly)).toBeUndefined();
  });

  it.each([['Cases:Read'], ['cases'], ['cases:read write'], ['']])('refuses the malformed scope name %j at decoration time', (scope) => {
    expect(() => RequireScopes(scope)).toThrow(/Invalid scope name/);
    expect(() => ApiAuth(scope)).toThrow(/Invalid scope name/);
  });

  it('refuses RequireScopes() without scopes', () => {
    expect(() => RequireScopes()).toThrow(/at least one scope/);
  });
});
