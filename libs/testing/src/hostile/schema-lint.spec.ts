import { openApiSchemaIssues } from './schema-lint';
import type { OpenApiDocument } from './openapi';

function docWith(properties: Record<string, unknown>): OpenApiDocument {
  return {
    openapi: '3.0.0',
    paths: { '/v1/people': { get: { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/PersonDto' } } } } } } } },
    components: { schemas: { PersonDto: { type: 'object', required: Object.keys(properties), properties } as never } },
  };
}

describe('openApiSchemaIssues', () => {
  it('accepts typed, nullable and referenced fields and explicit maps', () => {
    const doc = docWith({
      givenNames: { type: 'string' },
      familyNames: { type: 'string', nullable: true },
      age: { type: 'integer', minimum: 0 },
      sex: { type: 'string', enum: ['female', 'male'] },
      documents: { type: 'array', items: { $ref: '#/components/schemas/PersonDto' } },
      household: { nullable: true, allOf: [{ $ref: '#/components/schemas/PersonDto' }] },
      answers: { type: 'object', additionalProperties: true },
    });
    expect(openApiSchemaIssues(doc)).toEqual([]);
  });

  it('names a nullable string declared as a bare object, a field without type, nullable beside $ref, an array without items', () => {
    const doc = docWith({
      familyNames: { type: 'object', nullable: true },
      note: { description: 'free text' },
      household: { $ref: '#/components/schemas/PersonDto', nullable: true },
      languages: { type: 'array' },
      sex: { enum: ['female', 'male'] },
    });
    const at = openApiSchemaIssues(doc).map((i) => i.at.replace('components.schemas.PersonDto.properties.', ''));
    expect(at).toEqual(expect.arrayContaining(['familyNames', 'note', 'household', 'languages', 'sex']));
  });

  it('checks parameters and request bodies too, and that required fields exist', () => {
    const doc: OpenApiDocument = {
      openapi: '3.0.0',
      paths: {
        '/v1/sites': {
          post: {
            parameters: [{ name: 'cursor', in: 'query', schema: { type: 'object' } }],
            requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['code'], properties: { name: { type: 'string' } } } } } },
            responses: {},
          },
        },
      },
    };
    expect(openApiSchemaIssues(doc).map((i) => i.at)).toEqual(['POST /v1/sites query cursor', 'POST /v1/sites body application/json']);
  });
});
