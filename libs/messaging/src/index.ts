export {
  CE_SPEC_VERSION,
  PROTOBUF_CONTENT_TYPE,
  childTraceparent,
  eventSource,
  fromHeaders,
  isTraceparent,
  newEventId,
  toHeaders,
  InvalidCloudEventError,
  type EventAttributes,
  type WireHeaders,
} from './kafka/cloudevents';
export {
  createBrokerClient,
  createIdempotentProducer,
  parseBrokers,
  silentLogger,
  type BrokerClient,
  type BrokerConnection,
  type EventProducer,
  type MessagingLogger,
} from './kafka/kafka-client';
export { ensureTopics, pingBroker, type TopicDeclaration } from './kafka/topic-admin';
export { readTopic, readWholeTopic, sendRaw, UnknownTopicError, type RecordedEvent } from './kafka/topic-reader';
export { startBareConsumer, type BareConsumer } from './kafka/bare-consumer';
export { publishEventAs, readEventsOf, type DecodedEvent } from './kafka/event-injection';
export { OutboxMessage } from './outbox/outbox-message.entity';
export { CreateOutbox1764230400000, OUTBOX_CHANNEL } from './outbox/outbox.migration';
export { OutboxWriter, OutboxOutsideTransactionError, type OutgoingEvent } from './outbox/outbox-writer';
export { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay';
export { listFailedOutboxEvents, requeueFailedOutboxEvents, type FailedOutboxEvent, type OutboxQueryable } from './outbox/outbox-failures';
export { InboxMessage } from './inbox/inbox-message.entity';
export { CreateInbox1764230400001 } from './inbox/inbox.migration';
export { ConsumerRunner, type ConsumerRunnerOptions, type Outcome } from './consumer/consumer-runner';
export { type ConsumedEvent, type EventBatchHandlerFn, type EventHandlerBinding, type EventHandlerFn } from './consumer/consumed-event';
export { backoffDelay, DEFAULT_RETRY_POLICY, NonRetryableError, type RetryPolicy } from './consumer/retry-policy';
export { dlqTopicOf } from './consumer/dead-letter';
export { dateOf, decodeOrPoison, requireUuid, timeOf } from './consumer/event-fields';
export { deadLetterTopicFor, readDeadLetters, replayDeadLetters, REPLAYED_FROM_HEADER, type DeadLetter } from './consumer/dead-letter-replay';
export { messagingEntities, messagingMigrations } from './schema';
export { EventContext } from './nest/event-context';
export { eventPatternOptions, InvalidEventHandlerError, type EventPatternOptions } from './nest/event-pattern-options';
export { EventErrorPassThrough, EventTransport, PUENTE_EVENTS } from './nest/event-transport';
export { MessagingModule, MessagingLifecycle, consumerGroupFor, BROKER_CLIENT, MESSAGING_OPTIONS, type MessagingModuleOptions } from './nest/messaging.module';
export { ConsumerLag } from './consumer/consumer-lag';
