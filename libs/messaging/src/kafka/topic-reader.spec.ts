import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { notYetLed } from './topic-reader';

// kafkajs gives up with a non-retriable wrapper around the broker's last refusal; sendRaw waits
// on only those refusals that mean nothing was written yet.
// kafkajs's constructors take the broker's error description, which its typings leave out.
const refusal = (type: string) => new KafkaJSProtocolError({ message: `refused: ${type}`, type, code: 6, retriable: true } as unknown as Error);
// As kafkajs's retrier rejects once its retries are spent: the refusal as the cause.
const givenUp = (e: Error) => new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(e, { cause: e });

describe('notYetLed', () => {
  it.each(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION'])('waits on %s, bare or wrapped by the client', (type) => {
    expect(notYetLed(refusal(type))).toBe(true);
    expect(notYetLed(givenUp(refusal(type)))).toBe(true);
  });

  it.each(['MESSAGE_TOO_LARGE', 'TOPIC_AUTHORIZATION_FAILED', 'REQUEST_TIMED_OUT'])('does not wait on %s (written, refused for good, or maybe written)', (type) => {
    expect(notYetLed(givenUp(refusal(type)))).toBe(false);
  });

  it('does not wait on errors that are not broker refusals', () => {
    expect(notYetLed(new Error('boom'))).toBe(false);
    expect(notYetLed(undefined)).toBe(false);
  });
});
