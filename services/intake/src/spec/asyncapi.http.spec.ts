// Intake's AsyncAPI documents as served by the running service: its own events (generated from the
// catalog and the handlers this process registered) and the federation exchange's.
import { Topics } from '@puente/contracts';
import { validateAsyncApi } from '@puente/testing';
import { type IntakeTestApp, startIntake } from './testing/harness';

type Doc = { channels: Record<string, { address: string }>; operations: Record<string, { action: string; channel: { $ref: string } }> };

describe('intake serves AsyncAPI 3 documents of its events and of the exchange (HTTP)', () => {
  let intake: IntakeTestApp;

  beforeAll(async () => {
    intake = await startIntake('asyncapi');
  });

  afterAll(async () => {
    await intake?.close();
  });

  const addressesBy = (doc: Doc, action: string) =>
    Object.values(doc.operations)
      .filter((o) => o.action === action)
      .map((o) => doc.channels[o.channel.$ref.slice('#/channels/'.length)].address);

  it('lists what intake publishes and what its handlers consume, valid for the AsyncAPI parser', async () => {
    const res = await intake.call('GET', '/docs/asyncapi.json', { token: null });
    expect(res.status).toBe(200);
    const doc = res.body as Doc;
    expect(await validateAsyncApi(doc)).toEqual([]);
    const sent = addressesBy(doc, 'send');
    const received = addressesBy(doc, 'receive');
    expect(sent).toEqual(expect.arrayContaining([Topics.intakeCase.name, Topics.intakeMatchKeys.name, `${Topics.screening.name}.dlq`]));
    // The timeline follows every catalogued topic keyed by case; the directory feeds the partners.
    expect(received).toEqual(expect.arrayContaining([Topics.screening.name, Topics.referral.name, Topics.directory.name, Topics.receptionArrival.name]));
    // Across the border: envelopes to this node (GT) are read, those to peers sent.
    expect(received).toContain('puente.exchange.gt.matchkey.v1');
    expect(sent.filter((a) => a.startsWith('puente.exchange.')).every((a) => !a.startsWith('puente.exchange.gt.'))).toBe(true);
  }, 60_000);

  it('serves the exchange document at /docs/exchange-asyncapi.json', async () => {
    const res = await intake.call('GET', '/docs/exchange-asyncapi.json', { token: null });
    expect(res.status).toBe(200);
    const doc = res.body as Doc;
    expect(await validateAsyncApi(doc)).toEqual([]);
    expect(Object.values(doc.channels).map((c) => c.address)).toContain('puente.exchange.{node}.matchkey.v1');
  }, 60_000);
});
