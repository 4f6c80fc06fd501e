import { fromBinary } from '@bufbuild/protobuf';
import { SharedReportSchema } from '@puente/contracts';
import { publishReport, SHARED_CODE, shareableReport, SMALL_CELL_THRESHOLD, suppressSmallCells } from '@puente/reports';
import fc from 'fast-check';
import { openEnvelope, sealEnvelope } from './envelope';
import { EnvelopeContentError } from './exchange-receiver';
import { decodeSharedReport, encodeSharedReport, receiveReportShare } from './report-share';
import { registryOf } from './spec/registries';

const gt = registryOf('GT');
const hn = registryOf('HN');
const SHARE = '5f0c1e8a-2b7d-4c3e-9a10-6d2f8b4e1c07';

const tables = fc.record({
  dimensions: fc.constantFrom(['site'], ['week', 'nationality'], ['ageBand', 'sex', 'site']),
  counts: fc.array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 500 })), { minLength: 1, maxLength: 30 }),
});
const VALUES = ['GT-MRC-01', 'GT-MRC-02', 'HN', 'SV', 'aged_0_to_4', 'female', '2026-W07', 'fear_of_return'];

describe('report-share envelopes', () => {
  it('a sealed share, opened by the peer, carries codes and counts only, and no count under 5 (property)', async () => {
    await fc.assert(
      fc.asyncProperty(tables, async ({ dimensions, counts }) => {
        const cells = counts.map((count, i) => ({ key: dimensions.map((_, d) => VALUES[(i * (d + 3) + d) % VALUES.length]), count }));
        const report = publishReport({ report: 'registrations-by-site', title: 'Registrations by site', node: 'GT', unit: 'persons' }, suppressSmallCells(dimensions, cells));
        const sealed = await sealEnvelope(gt, { to: 'HN', kind: 'report-share', payload: encodeSharedReport(SHARE, shareableReport('intake', report)) });
        const opened = await openEnvelope(hn, sealed.value);
        if (!opened.ok) throw new Error(opened.reason);
        expect(opened.envelope.kind).toBe('report-share');
        const message = fromBinary(SharedReportSchema, opened.envelope.payload);
        // The fields of the message are the whole of what crossed: ids, codes, counts, a time.
        const strings = [message.service, message.report, message.unit, ...message.dimensions, ...message.cells.flatMap((c) => c.values)];
        for (const s of strings) expect(s).toMatch(SHARED_CODE);
        for (const c of message.cells) expect(c.suppressed ? c.count === 0 : c.count >= SMALL_CELL_THRESHOLD).toBe(true);
        expect(message.threshold).toBe(SMALL_CELL_THRESHOLD);
      }),
      { numRuns: 40 },
    );
  });

  it('decodes what it encodes; refuses a payload that is not a share, and a share that breaks the rule (nothing stored)', async () => {
    const report = publishReport({ report: 'registrations-by-sex', title: 't', node: 'GT', unit: 'persons' }, suppressSmallCells(['sex'], [{ key: ['female'], count: 9 }, { key: ['male'], count: 2 }]));
    const content = shareableReport('intake', report);
    const decoded = decodeSharedReport(encodeSharedReport(SHARE, content));
    expect(decoded).toEqual({ shareId: SHARE, content: { ...content, cells: content.cells.map((c) => ({ ...c })) } });
    expect(() => decodeSharedReport(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(EnvelopeContentError);
    const stored: unknown[] = [];
    const tx = { query: async (_sql: string, params: unknown[]) => stored.push(params) } as never;
    const envelope = (payload: Uint8Array) => ({ iss: 'GT', aud: 'HN', jti: 'e-1', iat: 0, exp: 0, kind: 'report-share', payload }) as never;
    const small = encodeSharedReport(SHARE, { ...content, cells: [{ values: ['male'], count: 2, suppressed: false }] });
    await expect(receiveReportShare(envelope(small), tx)).rejects.toThrow(EnvelopeContentError);
    expect(stored).toEqual([]);
    await receiveReportShare(envelope(encodeSharedReport(SHARE, content)), tx);
    expect(stored).toHaveLength(1);
  });
});
