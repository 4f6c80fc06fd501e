import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsUUID, ValidateNested } from 'class-validator';
import { AGE_BANDS, CARE_STATUSES, type CareStatusValue, RELATIONSHIPS, type RelationshipValue } from '../common/enums';

export const MAX_HOUSEHOLD_MEMBERS = 30;

export class HouseholdMemberInputDto {
  @ApiProperty({ format: 'uuid', description: 'A person registered on the household\'s case' })
  @IsUUID()
  personId: string;

  @ApiProperty({ enum: RELATIONSHIPS, example: 'child', description: 'Relationship to the principal applicant (exactly one member is the principal)' })
  @IsIn(RELATIONSHIPS)
  relationship: RelationshipValue;
}

export class CreateHouseholdDto {
  @ApiProperty({ format: 'uuid', description: 'The case the household travels on (one household per case)' })
  @IsUUID()
  caseId: string;

  @ApiProperty({
    type: [HouseholdMemberInputDto],
    example: [
      { personId: '3c1e9d7a-52f4-4b8e-9a0d-6f1b2c3d4e5f', relationship: 'principal' },
      { personId: '9a7b6c5d-4e3f-4a2b-8c1d-0e9f8a7b6c5d', relationship: 'child' },
      { personId: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e', relationship: 'child' },
    ],
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_HOUSEHOLD_MEMBERS)
  @ValidateNested({ each: true })
  @Type(() => HouseholdMemberInputDto)
  members: HouseholdMemberInputDto[];
}

export class SetRelationshipDto {
  @ApiProperty({ enum: RELATIONSHIPS, example: 'guardian' })
  @IsIn(RELATIONSHIPS)
  relationship: RelationshipValue;
}

export class HouseholdMemberDto {
  @ApiProperty({ format: 'uuid' })
  personId: string;

  @ApiProperty({ enum: RELATIONSHIPS, example: 'child' })
  relationship: RelationshipValue;

  @ApiProperty({ enum: AGE_BANDS, example: 'aged_5_to_11' })
  ageBand: string;

  @ApiProperty({ enum: CARE_STATUSES, example: 'accompanied', description: 'Derived from ages and relationships' })
  careStatus: CareStatusValue;

  @ApiProperty({ example: false, description: 'Under 18 without a parent or guardian in the household' })
  unaccompaniedOrSeparated: boolean;
}

export class HouseholdDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ type: [HouseholdMemberDto] })
  members: HouseholdMemberDto[];

  @ApiProperty({ example: 0, description: 'Children under 18 without any adult in the household' })
  unaccompaniedChildren: number;

  @ApiProperty({ example: 0, description: 'Children under 18 without parent or guardian but with another adult' })
  separatedChildren: number;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ example: 1 })
  version: number;
}
