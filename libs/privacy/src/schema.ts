import { PersonDataKey } from './vault/person-data-key.entity';
import { CreatePersonDataKeys1764230500000 } from './vault/person-data-key.migration';

/** Add these to the entity / migration lists of every service that holds personal data. */
export const privacyEntities = [PersonDataKey];
export const privacyMigrations = [CreatePersonDataKeys1764230500000];
