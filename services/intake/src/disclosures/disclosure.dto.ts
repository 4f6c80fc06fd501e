import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, Matches } from 'class-validator';
import { IDENTIFIER_PATTERN } from '../common/validators';
import { DISCLOSABLE_FIELDS, DISCLOSURE_PURPOSES, type DisclosurePurpose } from './disclosure-rules';

export class RequestDisclosureDto {
  @ApiProperty({ example: 'MX-COMAR', description: 'The partner receiving the fields (from the partner directory)' })
  @Matches(IDENTIFIER_PATTERN, { message: 'partnerId must be a partner id such as MX-COMAR' })
  partnerId: string;

  @ApiProperty({ enum: DISCLOSURE_PURPOSES, example: 'referral' })
  @IsIn(DISCLOSURE_PURPOSES)
  purpose: DisclosurePurpose;

  @ApiProperty({
    enum: DISCLOSABLE_FIELDS,
    isArray: true,
    example: ['person.givenNames', 'person.familyNames', 'person.contact.phone'],
    description: "The fields the data-sharing agreement allows for this partner; only those the person's consents also allow are returned",
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(DISCLOSABLE_FIELDS.length)
  @IsIn(DISCLOSABLE_FIELDS, { each: true })
  fields: string[];
}

export class DisclosureDto {
  @ApiProperty({ format: 'uuid' })
  personId: string;

  @ApiProperty({ example: 'MX-COMAR' })
  partnerId: string;

  @ApiProperty({ enum: DISCLOSURE_PURPOSES })
  purpose: DisclosurePurpose;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The disclosed fields as in Person (e.g. { givenNames, contact: { phone } }); absent values are left out',
  })
  person: Record<string, unknown>;

  @ApiProperty({ isArray: true, type: String, description: 'Requested fields the consents allow (returned when the person has a value)' })
  disclosedFields: string[];

  @ApiProperty({ isArray: true, type: String, description: 'Requested fields no consent in force allows (not returned)' })
  withheldFields: string[];

  @ApiProperty({ isArray: true, type: String, format: 'uuid', description: 'The consents the disclosure relies on' })
  consentIds: string[];
}
