import { describeServiceContract } from '@puente/testing';
import { AppModule, SERVICE } from './app.module';

describeServiceContract({ SERVICE, AppModule });
