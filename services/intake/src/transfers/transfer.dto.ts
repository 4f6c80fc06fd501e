import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@puente/platform';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { IsSiteCode } from '../common/validators';
import { REJECTION_REASONS, TRANSFER_STATUSES, WITHDRAWAL_CAUSES } from './transfer-rules';

const UUID_EXAMPLE = '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
export const TRANSFER_REASONS = ['onward_movement', 'family_reunification', 'protection_transfer', 'services_elsewhere', 'return_to_country'] as const;

export class RequestTransferDto {
  @ApiProperty({ example: 'MX', description: 'The node taking custody (ISO 3166-1 alpha-2, a node this one exchanges with)' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'destinationNode must be a node code such as MX' })
  destinationNode: string;

  @ApiProperty({ enum: TRANSFER_REASONS, example: 'onward_movement' })
  @IsIn(TRANSFER_REASONS)
  reason: string;
}

export class AcceptTransferDto {
  @ApiProperty({ example: 'MX-MRC-01', description: 'The site of yours that takes the case (its persons are registered there)' })
  @IsSiteCode()
  siteCode: string;
}

export class RejectTransferDto {
  @ApiProperty({ enum: REJECTION_REASONS, example: 'no_capacity' })
  @IsIn(REJECTION_REASONS)
  reason: string;
}

export class ListTransfersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['outbound', 'inbound'] })
  @IsOptional()
  @IsIn(['outbound', 'inbound'])
  direction?: 'outbound' | 'inbound';

  @ApiPropertyOptional({ enum: TRANSFER_STATUSES })
  @IsOptional()
  @IsIn(TRANSFER_STATUSES)
  status?: string;
}

export class TransferredPersonDto {
  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE })
  originPersonId: string;

  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE })
  destinationPersonId: string;

  @ApiProperty({ example: false, description: 'Already known at the destination: linked, not registered again' })
  linked: boolean;
}

export class TransferDto {
  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE })
  id: string;

  @ApiProperty({ enum: ['outbound', 'inbound'], example: 'outbound' })
  direction: 'outbound' | 'inbound';

  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE, description: 'The case on this node (the origin case, or the case the destination opened; the origin case id until then)' })
  caseId: string;

  @ApiProperty({ example: 'GT' })
  originNode: string;

  @ApiProperty({ format: 'uuid', example: UUID_EXAMPLE })
  originCaseId: string;

  @ApiProperty({ example: 'MX' })
  destinationNode: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: null })
  destinationCaseId: string | null;

  @ApiProperty({ enum: TRANSFER_STATUSES, example: 'pending' })
  status: string;

  @ApiProperty({ enum: TRANSFER_REASONS, example: 'onward_movement' })
  reason: string;

  @ApiProperty({ type: String, enum: [...REJECTION_REASONS, 'decision_sla_missed'], nullable: true, example: null })
  rejectionReason: string | null;

  @ApiProperty({ type: String, enum: WITHDRAWAL_CAUSES, nullable: true, example: null })
  withdrawalCause: string | null;

  @ApiProperty({ type: [String], example: [UUID_EXAMPLE], description: 'The persons (origin ids) the package covers' })
  personIds: string[];

  @ApiProperty({ type: [String], example: ['givenNames', 'birthDate'], description: 'Names of the person fields that crossed (agreement ∩ consent)' })
  fields: string[];

  @ApiProperty({ format: 'date-time', example: '2027-01-04T10:00:00.000Z' })
  decideDueAt: string;

  @ApiProperty({ format: 'date-time', example: '2027-01-01T10:00:00.000Z' })
  requestedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  decidedAt: string | null;

  @ApiProperty({ type: [TransferredPersonDto] })
  persons: TransferredPersonDto[];
}
