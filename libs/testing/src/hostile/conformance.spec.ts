import { schemaMismatches } from './conformance';
import type { OpenApiDocument } from './openapi';

const doc: OpenApiDocument = {
  openapi: '3.0.0',
  paths: {},
  components: {
    schemas: {
      SiteDto: {
        type: 'object',
        required: ['code', 'locality'],
        properties: {
          code: { type: 'string' },
          locality: { type: 'string', nullable: true },
          kind: { type: 'string', enum: ['fixed', 'mobile'] },
          version: { type: 'integer' },
          contact: { nullable: true, allOf: [{ $ref: '#/components/schemas/ContactDto' }] },
        },
      },
      ContactDto: { type: 'object', properties: { phone: { type: 'string' } } },
    },
  },
};
const site = { $ref: '#/components/schemas/SiteDto' };

describe('schemaMismatches', () => {
  it('accepts a body as documented, nulls where nullable', () => {
    expect(schemaMismatches(doc, site, { code: 'GT-MRC-01', locality: null, kind: 'fixed', version: 2, contact: null })).toEqual([]);
    expect(schemaMismatches(doc, { type: 'array', items: site }, [{ code: 'a', locality: 'Tecún Umán', contact: { phone: '+50255512345' } }])).toEqual([]);
  });

  it('names each departure a generated client would trip on', () => {
    expect(schemaMismatches(doc, site, { code: null, kind: 'airport', version: 1.5, contact: { phone: 5 } })).toEqual([
      'locality: required but missing',
      'code: null but not nullable',
      'kind: value outside its documented enum',
      'version: number where integer is documented',
      'contact.phone: number where string is documented',
    ]);
    expect(schemaMismatches(doc, { type: 'object' }, 'text')).toEqual(['(body): string where object is documented']);
  });
});
