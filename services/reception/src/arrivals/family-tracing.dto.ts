import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Matches } from 'class-validator';

/** Whom the tracing is for: a child alone or separated, or an adult separated from family during migration or return. */
export const TRACING_SUBJECTS = ['unaccompanied_child', 'separated_child', 'separated_family_member'] as const;
export type TracingSubject = (typeof TRACING_SUBJECTS)[number];

export class RequestFamilyTracingDto {
  @ApiProperty({ format: 'uuid', example: '5b6f0c1e-2a51-4c0e-9c1e-3f0c2a7d9b10', description: 'A family-tracing program of the routing directory (GET /v1/directory/programs there)' })
  @IsUUID('all', { message: 'programId must be the id of a program of the routing directory' })
  programId: string;

  @ApiProperty({ enum: TRACING_SUBJECTS, example: 'separated_family_member' })
  @IsIn(TRACING_SUBJECTS)
  subject: TracingSubject;

  @ApiProperty({ example: 'GT-CRM-01/desk-3', description: 'Desk or staff identifier (not a name)' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, { message: 'desk must be a staff or desk identifier such as GT-CRM-01/desk-3 (not a name)' })
  desk: string;
}

export class FamilyTracingDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'uuid' })
  arrivalId: string;
  @ApiProperty({ format: 'uuid' })
  programId: string;
  @ApiProperty({ enum: TRACING_SUBJECTS })
  subject: TracingSubject;
  @ApiProperty({ format: 'uuid', description: 'The referral in referral routing (its lifecycle is followed there)' })
  referralId: string;
  @ApiProperty({ example: 'requested', description: 'The referral status routing answered with' })
  referralStatus: string;
  @ApiProperty({ format: 'date-time' })
  requestedAt: string;
}
