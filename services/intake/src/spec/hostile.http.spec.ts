import { describeHostileInput } from '@puente/testing';
import { startIntake } from './testing/harness';

describeHostileInput({ service: 'intake', start: () => startIntake('hostile') });
