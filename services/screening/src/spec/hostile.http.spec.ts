import { describeHostileInput } from '@puente/testing';
import { startScreening } from '../testing/harness';

describeHostileInput({ service: 'screening', start: () => startScreening('hostile') });
