import { consumerGroupFor } from './messaging.module';

describe('consumer group naming', () => {
  it('keeps one consumer group per database holding the inbox', () => {
    expect(consumerGroupFor('referral-routing', 'puente_referral_routing')).toBe('puente.referral-routing');
    expect(consumerGroupFor('intake', 'puente_test_intake')).toBe('puente.intake.puente_test_intake');
    expect(consumerGroupFor('intake', 'puente_demo_intake')).not.toBe(consumerGroupFor('intake', 'puente_intake'));
  });
});
