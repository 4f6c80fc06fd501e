import { Topics } from '@puente/contracts';

/**
 * Topics the directory and routing write or read: the directory and routing topics they publish,
 * and intake's and screening's topics the case read model is built from.
 */
export const DIRECTORY_AND_ROUTING_TOPICS = [Topics.directory, Topics.routing, Topics.intakeCase, Topics.screening];
