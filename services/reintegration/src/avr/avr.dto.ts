import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsString, IsUUID, Matches, Max, Min, ValidateNested } from 'class-validator';
import { AVR_STAGE_KINDS } from './avr-stages';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class AvrStageInputDto {
  @ApiProperty({ enum: AVR_STAGE_KINDS, example: 'travel' })
  @IsIn(AVR_STAGE_KINDS)
  kind: (typeof AVR_STAGE_KINDS)[number];

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100_000_000, example: 450000, description: 'Amount in minor units of the currency (0 for in-kind support without a value)' })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  amountMinor: number;

  @ApiProperty({ example: 'HNL', description: 'ISO 4217 currency code' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as HNL' })
  currency: string;

  @ApiProperty({ example: '2027-01-15', description: 'When the stage is planned (YYYY-MM-DD)' })
  @IsString()
  @Matches(DAY, { message: 'plannedOn must be a date YYYY-MM-DD' })
  plannedOn: string;
}

export class RequestAvrDto {
  @ApiProperty({ format: 'uuid', example: '0d8e7b1a-3c4f-4e59-8a77-2b9f0c6d5e41' })
  @IsUUID()
  caseId: string;

  @ApiProperty({ format: 'uuid', example: '6f1c2f8e-5b2a-4c11-9a51-0d5c1b7e9a10', description: 'The returning person (a reintegration_support consent in force)' })
  @IsUUID()
  personId: string;

  @ApiProperty({ example: 'MX', description: 'Country node where the return is requested (ISO 3166-1 alpha-2)' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'hostNode must be an ISO 3166-1 alpha-2 code' })
  hostNode: string;

  @ApiProperty({ example: 'HN', description: 'Country node of origin, where the package is paid out' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'originNode must be an ISO 3166-1 alpha-2 code' })
  originNode: string;

  @ApiProperty({ type: [AvrStageInputDto], description: 'The stages in the order they are paid out' })
  @ArrayMinSize(1)
  @ArrayMaxSize(12)
  @ValidateNested({ each: true })
  @Type(() => AvrStageInputDto)
  stages: AvrStageInputDto[];
}

export class AvrPackageIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  packageId: string;
}

export class AvrStageParamsDto extends AvrPackageIdParamsDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 12, example: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(12)
  sequence: number;
}

export class AvrStageDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ type: 'integer' })
  sequence: number;
  @ApiProperty({ enum: AVR_STAGE_KINDS })
  kind: string;
  @ApiProperty({ type: 'integer' })
  amountMinor: number;
  @ApiProperty({ example: 'HNL' })
  currency: string;
  @ApiProperty({ example: '2027-01-15' })
  plannedOn: string;
  @ApiProperty({ enum: ['planned', 'disbursed', 'acknowledged'] })
  status: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  disbursedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  acknowledgedAt: string | null;
}

export class AvrPackageDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'uuid' })
  caseId: string;
  @ApiProperty({ format: 'uuid' })
  personId: string;
  @ApiProperty({ example: 'MX' })
  hostNode: string;
  @ApiProperty({ example: 'HN' })
  originNode: string;
  @ApiProperty({ enum: ['requested', 'in_progress', 'completed', 'cancelled'] })
  status: string;
  @ApiProperty({ type: String, nullable: true, example: 'person_erased', description: 'Why it was cancelled (`person_erased`, here or at the other node)' })
  cancelReason: string | null;
  @ApiProperty({ type: String, format: 'date-time' })
  requestedAt: string;
  @ApiProperty({ type: [AvrStageDto] })
  stages: AvrStageDto[];
  @ApiProperty({ type: 'integer' })
  version: number;
  @ApiProperty({
    enum: ['local', 'host', 'origin'],
    description: '`local`: requested and paid out on this node; `host`: requested here, paid out and acknowledged at the origin node (this copy follows it); `origin`: requested at the host node, paid out here',
  })
  side: string;
  @ApiProperty({ type: String, nullable: true, example: 'HN', description: 'The other node of a package across nodes' })
  peerNode: string | null;
}
