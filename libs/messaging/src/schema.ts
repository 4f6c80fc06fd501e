import { InboxMessage } from './inbox/inbox-message.entity';
import { CreateInbox1764230400001 } from './inbox/inbox.migration';
import { OutboxFailedMessage, OutboxMessage } from './outbox/outbox-message.entity';
import { OutboxFailures1764230400002 } from './outbox/outbox-failures.migration';
import { CreateOutbox1764230400000 } from './outbox/outbox.migration';

/** Every service's database holds these tables; list them with the service's own, explicitly. */
export const messagingEntities = [OutboxMessage, OutboxFailedMessage, InboxMessage];
export const messagingMigrations = [CreateOutbox1764230400000, CreateInbox1764230400001, OutboxFailures1764230400002];
