import { describeServiceContract, describeSkeletonService } from '@puente/testing';
import { AppModule, SERVICE } from './app.module';

describeServiceContract({ SERVICE, AppModule });
describeSkeletonService({ SERVICE, AppModule, scopes: ['reintegration:read', 'reintegration:write'] });
