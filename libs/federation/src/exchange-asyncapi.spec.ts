import { validateAsyncApi } from '@puente/testing';
import { EXCHANGE_KINDS } from './exchange-kinds';
import { exchangeAsyncApiDocument, SEALED_PAYLOADS } from './exchange-asyncapi';

describe('the federation exchange AsyncAPI document', () => {
  const doc = exchangeAsyncApiDocument();
  const channels = doc.channels as Record<string, { address: string; parameters?: Record<string, unknown>; 'x-sealed-payloads': Record<string, { $ref?: string }> }>;

  it('is valid for the AsyncAPI parser', async () => {
    expect(await validateAsyncApi(doc)).toEqual([]);
  }, 60_000);

  it('has one channel per exchange aggregate, addressed to the {node} parameter, with the sealed payload of each kind', () => {
    const aggregates = [...new Set(Object.values(EXCHANGE_KINDS).map((k) => k.aggregate))].sort();
    expect(Object.values(channels).map((c) => c.address).sort()).toEqual(aggregates.map((a) => `puente.exchange.{node}.${a}.v1`));
    for (const channel of Object.values(channels)) expect(Object.keys(channel.parameters ?? {})).toEqual(['node']);
    const matchKeys = channels['exchange_matchkey']['x-sealed-payloads'];
    expect(matchKeys['match-keys'].$ref).toBe('#/components/schemas/puente.intake.v1.MatchKeysPublished');
    expect(matchKeys['match-keys-retraction'].$ref).toBe('#/components/schemas/puente.intake.v1.MatchKeysWithdrawn');
    for (const [kind, desc] of Object.entries(SEALED_PAYLOADS)) {
      expect([kind, (doc.components as { schemas: Record<string, unknown> }).schemas[desc!.typeName]]).toEqual([kind, expect.any(Object)]);
    }
  });

  it('sends and receives on every channel', () => {
    const actions = Object.values(doc.operations as Record<string, { action: string }>).map((o) => o.action);
    expect(actions.filter((a) => a === 'send')).toHaveLength(Object.keys(channels).length);
    expect(actions.filter((a) => a === 'receive')).toHaveLength(Object.keys(channels).length);
  });
});
