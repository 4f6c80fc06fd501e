import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Matches } from 'class-validator';
import type { ConcernCode } from './arrival-day.dto';
import { MIGRATION_REASONS, type MigrationReason, PROTECTION_INDICATORS, RECEPTION_NEEDS, type ReceptionNeed, RETURNS_BEFORE, type ReturnsBefore, TIME_ABROAD, type TimeAbroad } from './interview';

const STAFF_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

export class RecordInterviewDto {
  @ApiProperty({ example: 'GT-CRM-01/desk-3', description: 'Desk or staff identifier of the interviewer (not a name)' })
  @IsString()
  @Matches(STAFF_ID, { message: '$property must be a staff or desk identifier such as GT-CRM-01/desk-3 (not a name)' })
  desk: string;

  @ApiProperty({ enum: MIGRATION_REASONS, isArray: true, example: ['economic', 'violence_or_threats'], description: 'Why the person left (not_stated alone when they chose not to say)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MIGRATION_REASONS.length)
  @ArrayUnique()
  @IsIn(MIGRATION_REASONS, { each: true })
  reasonsForMigration: MigrationReason[];

  @ApiProperty({ enum: TIME_ABROAD, example: '1_to_3_years' })
  @IsIn(TIME_ABROAD)
  timeAbroad: TimeAbroad;

  @ApiProperty({ enum: RETURNS_BEFORE, example: 'once', description: 'Returns before this one' })
  @IsIn(RETURNS_BEFORE)
  returnsBefore: ReturnsBefore;

  @ApiProperty({ enum: RECEPTION_NEEDS, isArray: true, example: ['transport_home', 'document_replacement', 'employment'] })
  @IsArray()
  @ArrayMaxSize(RECEPTION_NEEDS.length)
  @ArrayUnique()
  @IsIn(RECEPTION_NEEDS, { each: true })
  needs: ReceptionNeed[];

  @ApiProperty({
    enum: PROTECTION_INDICATORS,
    isArray: true,
    example: ['fear_of_return'],
    description: 'Protection indicators noted: any (and a reason of persecution, violence or forced recruitment) raises a protection concern for screening',
  })
  @IsArray()
  @ArrayMaxSize(PROTECTION_INDICATORS.length)
  @ArrayUnique()
  @IsIn(PROTECTION_INDICATORS, { each: true })
  protectionIndicators: ConcernCode[];
}

export class InterviewDto {
  @ApiProperty({ format: 'uuid' })
  arrivalId: string;
  @ApiProperty({ enum: MIGRATION_REASONS, isArray: true })
  reasonsForMigration: MigrationReason[];
  @ApiProperty({ enum: TIME_ABROAD })
  timeAbroad: TimeAbroad;
  @ApiProperty({ enum: RETURNS_BEFORE })
  returnsBefore: ReturnsBefore;
  @ApiProperty({ enum: RECEPTION_NEEDS, isArray: true })
  needs: ReceptionNeed[];
  @ApiProperty({ enum: PROTECTION_INDICATORS, isArray: true })
  protectionIndicators: ConcernCode[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The protection concern the interview raised (screening opens a pending screening), if any' })
  protectionConcernId: string | null;
  @ApiProperty({ type: String, enum: PROTECTION_INDICATORS, isArray: true, description: 'The concern codes raised' })
  concernsRaised: ConcernCode[];
  @ApiProperty({ example: 'GT-CRM-01/desk-3' })
  desk: string;
  @ApiProperty({ format: 'date-time' })
  interviewedAt: string;
}
