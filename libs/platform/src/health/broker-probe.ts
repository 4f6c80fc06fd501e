/** Injection token under which libs/messaging provides its broker probe. */
export const BROKER_PROBE = 'puente:BROKER_PROBE';

/** Checks the message broker; `check()` rejects when the broker is unreachable. */
export interface BrokerProbe {
  check(): Promise<void>;
}
