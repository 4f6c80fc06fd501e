import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { MAX_OVERRIDE_HOURS, OVERRIDABLE_KINDS, OVERRIDE_PURPOSES, type OverridePurpose } from './protection-override-rules';

export class GrantProtectionOverrideDto {
  @ApiProperty({ example: 'HN', description: "The node the block is lifted toward (the person's nationality, a peer of this node)" })
  @Matches(/^[A-Z]{2}$/, { message: 'node must be an ISO 3166-1 alpha-2 node code such as HN' })
  node: string;

  @ApiProperty({ enum: OVERRIDABLE_KINDS, isArray: true, example: ['match-keys'], description: 'The exchange kinds allowed to cross despite the block' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(OVERRIDABLE_KINDS.length)
  @IsIn(OVERRIDABLE_KINDS, { each: true })
  kinds: string[];

  @ApiProperty({ enum: OVERRIDE_PURPOSES, example: 'family_tracing', description: 'Why the block is lifted (the reasoning stays in the case file)' })
  @IsIn(OVERRIDE_PURPOSES)
  purpose: OverridePurpose;

  @ApiProperty({ minimum: 1, maximum: MAX_OVERRIDE_HOURS, example: 72, description: 'How long the override lasts, in hours' })
  @IsInt()
  @Min(1)
  @Max(MAX_OVERRIDE_HOURS)
  validForHours: number;
}

export class ProtectionOverrideDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  personId: string;

  @ApiProperty({ example: 'HN' })
  node: string;

  @ApiProperty({ enum: OVERRIDABLE_KINDS, isArray: true })
  kinds: string[];

  @ApiProperty({ enum: OVERRIDE_PURPOSES })
  purpose: string;

  @ApiProperty({ example: 'protection-officer-gt', description: 'Client id of the officer who granted it' })
  grantedBy: string;

  @ApiProperty({ format: 'date-time' })
  grantedAt: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ description: 'Whether it lifts the block now' })
  inForce: boolean;
}

export class ProtectionOverrideListDto {
  @ApiProperty({ type: [ProtectionOverrideDto] })
  items: ProtectionOverrideDto[];
}
