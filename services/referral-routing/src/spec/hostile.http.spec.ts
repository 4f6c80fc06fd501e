import { describeHostileInput, startPlainService } from '@puente/testing';
import { AppModule, SERVICE } from '../app.module';

// The production module composition: whatever routes the service has, each one is covered.
describeHostileInput({ service: SERVICE.name, start: startPlainService(SERVICE, AppModule) });
