import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'puente:public-route';

/**
 * Marks a controller or handler as reachable without a token (health, metrics). The auth guard
 * (libs/auth) honours it; everything else requires a valid partner token.
 */
export const PublicRoute = (): ClassDecorator & MethodDecorator => SetMetadata(PUBLIC_ROUTE, true);
