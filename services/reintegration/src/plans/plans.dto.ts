import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SITE_CODE_PATTERN } from '@puente/auth';
import { PageQueryDto } from '@puente/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CERTIFICATE_KINDS,
  GOALS,
  HOUSING_SUPPORT,
  MEMBER_ROLES,
  PSYCHOSOCIAL_MODALITIES,
  SCHOOL_ENROLLMENT_STATUSES,
  SCHOOL_GRADES,
  SPECIFIC_NEED_CODES,
  TASK_KINDS,
  TASK_OWNER_KINDS,
  type TaskKind,
} from './codes';
import { CERTIFICATE_VALIDATION_OUTCOMES, type CertificateValidationOutcome } from '../skills/skills-profile.dto';
import { MILESTONES } from './follow-ups';
import { PLAN_ACTIONS, PLAN_OUTCOMES, PLAN_STATUSES } from './plan-state';
import { DIMENSIONS, SUSTAINABILITY_QUESTIONS } from './sustainability';

const STAFF_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const STAFF_ID_MESSAGE = '$property must be a staff identifier such as GT-CRM-01/sw-0042 (not a name)';
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const SCHOOL_CODE = /^[A-Z0-9][A-Z0-9-]{2,31}$/;

export class PlanMemberInputDto {
  @ApiProperty({ format: 'uuid', example: '6f1c2f8e-5b2a-4c11-9a51-0d5c1b7e9a10', description: "Intake's person id" })
  @IsUUID()
  personId: string;

  @ApiProperty({ enum: MEMBER_ROLES, example: 'principal' })
  @IsIn(MEMBER_ROLES)
  role: (typeof MEMBER_ROLES)[number];

  @ApiProperty({ enum: GOALS, isArray: true, example: ['employment', 'documentation'], description: "The member's own goals" })
  @ArrayMaxSize(GOALS.length)
  @ArrayUnique()
  @IsIn(GOALS, { each: true })
  goals: (typeof GOALS)[number][];

  @ApiPropertyOptional({
    enum: SPECIFIC_NEED_CODES,
    isArray: true,
    example: ['women_single_head_of_household'],
    description: 'Specific needs of women (women_*), children (children_*) and indigenous people (indigenous_*), as codes',
  })
  @IsOptional()
  @ArrayMaxSize(SPECIFIC_NEED_CODES.length)
  @ArrayUnique()
  @IsIn(SPECIFIC_NEED_CODES, { each: true })
  specificNeeds?: string[];
}

export class CreatePlanDto {
  @ApiProperty({ format: 'uuid', example: '0d8e7b1a-3c4f-4e59-8a77-2b9f0c6d5e41', description: "Intake's case id (a household's case for a household plan)" })
  @IsUUID()
  caseId: string;

  @ApiProperty({ type: [PlanMemberInputDto], description: 'One member for a person, several for a household; each needs a reintegration_support consent in force' })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique((m: PlanMemberInputDto) => m?.personId, { message: 'members must name each person once' })
  @ValidateNested({ each: true })
  @Type(() => PlanMemberInputDto)
  members: PlanMemberInputDto[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', example: [], description: "Partner programs assigned (program ids of referral-routing's directory)" })
  @IsOptional()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  programIds?: string[];

  @ApiPropertyOptional({ example: 'GT-CRM-01', description: 'The reception center that referred the person (default: the center of their last check-in, if any)' })
  @IsOptional()
  @IsString()
  @Matches(SITE_CODE_PATTERN, { message: 'referringCenterCode must be a center code such as GT-CRM-01' })
  referringCenterCode?: string;
}

export class TransitionDto {
  @ApiProperty({ enum: PLAN_ACTIONS, example: 'activate', description: 'activate (draft), hold and complete (active), resume (on_hold), drop (any open plan)' })
  @IsIn(PLAN_ACTIONS)
  action: (typeof PLAN_ACTIONS)[number];

  @ApiPropertyOptional({
    enum: ['sustainably_reintegrated', 'partially_reintegrated', 'not_reintegrated', 'withdrew', 'lost_contact', 'remigrated'],
    example: 'sustainably_reintegrated',
    description: 'Required to complete (sustainably_reintegrated, partially_reintegrated, not_reintegrated) or drop (withdrew, lost_contact, remigrated, not_reintegrated)',
  })
  @ValidateIf((o: TransitionDto) => o.action === 'complete' || o.action === 'drop' || o.outcome !== undefined)
  @IsIn(['sustainably_reintegrated', 'partially_reintegrated', 'not_reintegrated', 'withdrew', 'lost_contact', 'remigrated'], {
    message: 'outcome is required to complete or drop a plan: one of sustainably_reintegrated, partially_reintegrated, not_reintegrated, withdrew, lost_contact, remigrated',
  })
  outcome?: string;
}

export class PlanIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  planId: string;
}

export class TaskIdParamsDto extends PlanIdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  taskId: string;
}

export class MilestoneParamsDto extends PlanIdParamsDto {
  @ApiProperty({ enum: MILESTONES, example: 'month_1' })
  @IsIn(MILESTONES)
  milestone: (typeof MILESTONES)[number];
}

export class ListPlansQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the plans of this case' })
  @IsOptional()
  @IsUUID()
  caseId?: string;

  @ApiPropertyOptional({ enum: PLAN_STATUSES })
  @IsOptional()
  @IsIn(PLAN_STATUSES)
  status?: (typeof PLAN_STATUSES)[number];
}

export class TaskOwnerDto {
  @ApiProperty({ enum: TASK_OWNER_KINDS, example: 'caseworker' })
  @IsIn(TASK_OWNER_KINDS)
  kind: (typeof TASK_OWNER_KINDS)[number];

  @ApiPropertyOptional({ example: 'GT-CRM-01/sw-0042', description: 'For a caseworker: their staff identifier' })
  @ValidateIf((o: TaskOwnerDto) => o.kind === 'caseworker' || o.staffId !== undefined)
  @IsString()
  @Matches(STAFF_ID, { message: STAFF_ID_MESSAGE })
  staffId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "For a partner program: one of the plan's programs" })
  @ValidateIf((o: TaskOwnerDto) => o.kind === 'partner_program' || o.programId !== undefined)
  @IsUUID()
  programId?: string;
}

export class SchoolDetailsDto {
  @ApiProperty({ example: '01-01-0123-43', description: "The school's code in the national school register (not its name)" })
  @IsString()
  @Matches(SCHOOL_CODE, { message: 'schoolCode must be a school register code (capital letters, digits, hyphens)' })
  schoolCode: string;

  @ApiProperty({ enum: SCHOOL_GRADES, example: 'primary_4' })
  @IsIn(SCHOOL_GRADES)
  grade: (typeof SCHOOL_GRADES)[number];

  @ApiProperty({ enum: SCHOOL_ENROLLMENT_STATUSES, example: 'pending' })
  @IsIn(SCHOOL_ENROLLMENT_STATUSES)
  enrollmentStatus: (typeof SCHOOL_ENROLLMENT_STATUSES)[number];
}

export class CertificateDetailsDto {
  @ApiProperty({ enum: CERTIFICATE_KINDS, example: 'technical_or_trade' })
  @IsIn(CERTIFICATE_KINDS)
  certificateKind: (typeof CERTIFICATE_KINDS)[number];

  @ApiProperty({ example: 'US', description: 'Country that issued it (ISO 3166-1 alpha-2)' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'issuingCountry must be an ISO 3166-1 alpha-2 code' })
  issuingCountry: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "A pending certificate of the member's skills profile this task validates: completing the task records its outcome in the profile, removing the certificate cancels the task (one open task per certificate)",
  })
  @IsOptional()
  @IsUUID()
  certificateId?: string;
}

export class PsychosocialDetailsDto {
  @ApiProperty({ enum: PSYCHOSOCIAL_MODALITIES, example: 'individual' })
  @IsIn(PSYCHOSOCIAL_MODALITIES)
  modality: (typeof PSYCHOSOCIAL_MODALITIES)[number];

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 52, example: 6 })
  @IsInt()
  @Min(1)
  @Max(52)
  sessionsPlanned: number;
}

export class HousingDetailsDto {
  @ApiProperty({ enum: HOUSING_SUPPORT, example: 'rental_support' })
  @IsIn(HOUSING_SUPPORT)
  support: (typeof HOUSING_SUPPORT)[number];
}

export class SocialProgramDetailsDto {
  @ApiProperty({ format: 'uuid', description: "The social program (a program id of referral-routing's directory)" })
  @IsUUID()
  programId: string;
}

/** The details of `kind` are required for it and validated whenever sent (the service refuses them on another kind). */
const needs = (kind: TaskKind, field: keyof CreateTaskDto) => (o: CreateTaskDto) => o.kind === kind || o[field] !== undefined;

/** Which details field each kind takes. */
export const TASK_DETAILS: Partial<Record<TaskKind, 'school' | 'certificate' | 'psychosocial' | 'housing' | 'socialProgram'>> = {
  school_enrollment: 'school',
  certificate_validation: 'certificate',
  psychosocial_session: 'psychosocial',
  housing: 'housing',
  social_program_enrollment: 'socialProgram',
};

export class CreateTaskDto {
  @ApiProperty({ enum: TASK_KINDS, example: 'national_id' })
  @IsIn(TASK_KINDS)
  kind: TaskKind;

  @ApiProperty({ format: 'uuid', example: '6f1c2f8e-5b2a-4c11-9a51-0d5c1b7e9a10', description: 'The plan member the task is for' })
  @IsUUID()
  personId: string;

  @ApiProperty({ example: '2027-03-31', description: 'Due date (YYYY-MM-DD)' })
  @IsString()
  @Matches(DAY, { message: 'dueOn must be a date YYYY-MM-DD' })
  dueOn: string;

  @ApiProperty({ type: TaskOwnerDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TaskOwnerDto)
  owner: TaskOwnerDto;

  @ApiPropertyOptional({ type: SchoolDetailsDto, description: 'Required for school_enrollment (minors only)' })
  @ValidateIf(needs('school_enrollment', 'school'))
  @IsDefined({ message: 'school is required for school_enrollment' })
  @IsObject()
  @ValidateNested()
  @Type(() => SchoolDetailsDto)
  school?: SchoolDetailsDto;

  @ApiPropertyOptional({ type: CertificateDetailsDto, description: 'Required for certificate_validation' })
  @ValidateIf(needs('certificate_validation', 'certificate'))
  @IsDefined({ message: 'certificate is required for certificate_validation' })
  @IsObject()
  @ValidateNested()
  @Type(() => CertificateDetailsDto)
  certificate?: CertificateDetailsDto;

  @ApiPropertyOptional({ type: PsychosocialDetailsDto, description: 'Required for psychosocial_session' })
  @ValidateIf(needs('psychosocial_session', 'psychosocial'))
  @IsDefined({ message: 'psychosocial is required for psychosocial_session' })
  @IsObject()
  @ValidateNested()
  @Type(() => PsychosocialDetailsDto)
  psychosocial?: PsychosocialDetailsDto;

  @ApiPropertyOptional({ type: HousingDetailsDto, description: 'Required for housing' })
  @ValidateIf(needs('housing', 'housing'))
  @IsDefined({ message: 'housing is required for housing' })
  @IsObject()
  @ValidateNested()
  @Type(() => HousingDetailsDto)
  housing?: HousingDetailsDto;

  @ApiPropertyOptional({ type: SocialProgramDetailsDto, description: 'Required for social_program_enrollment' })
  @ValidateIf(needs('social_program_enrollment', 'socialProgram'))
  @IsDefined({ message: 'socialProgram is required for social_program_enrollment' })
  @IsObject()
  @ValidateNested()
  @Type(() => SocialProgramDetailsDto)
  socialProgram?: SocialProgramDetailsDto;
}

export class CompleteTaskDto {
  @ApiPropertyOptional({
    enum: CERTIFICATE_VALIDATION_OUTCOMES,
    description: "Required for a certificate_validation task linked to a certificate (validated, or rejected: not recognized), recorded in the person's skills profile; only for those",
  })
  @IsOptional()
  @IsIn(CERTIFICATE_VALIDATION_OUTCOMES)
  certificateOutcome?: CertificateValidationOutcome;
}

export class RecordFollowUpDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'One coded answer per sustainability question (GET /v1/sustainability-questions): every question answered',
    example: Object.fromEntries(SUSTAINABILITY_QUESTIONS.map((q) => [q.id, Object.keys(q.answers).at(-1)])),
  })
  @IsDefined()
  @IsObject()
  answers: Record<string, string>;
}

// ---- responses ----

export class PlanMemberDto {
  @ApiProperty({ format: 'uuid' })
  personId: string;
  @ApiProperty({ enum: MEMBER_ROLES })
  role: string;
  @ApiProperty({ enum: GOALS, isArray: true })
  goals: string[];
  @ApiProperty({ enum: SPECIFIC_NEED_CODES, isArray: true })
  specificNeeds: string[];
  @ApiProperty({ description: "True once the member was erased at intake: their goals, needs and tasks are gone" })
  erased: boolean;
}

export class RemigrationFlagDto {
  @ApiProperty({ format: 'uuid' })
  personId: string;
  @ApiProperty({ example: 'MX', description: 'Node where the member was registered again at an MRC' })
  seenAtNode: string;
  @ApiProperty({ type: String, format: 'date-time' })
  flaggedAt: string;
}

export class PlanDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'uuid' })
  caseId: string;
  @ApiProperty({ enum: ['check_in', 'caseworker'] })
  origin: string;
  @ApiProperty({ enum: PLAN_STATUSES })
  status: string;
  @ApiProperty({ enum: PLAN_OUTCOMES, nullable: true, type: String })
  outcome: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'GT-CRM-01' })
  referringCenterCode: string | null;
  @ApiProperty({ example: 'GT' })
  referringNode: string;
  @ApiProperty({ type: [PlanMemberDto] })
  members: PlanMemberDto[];
  @ApiProperty({ type: [String], format: 'uuid' })
  programIds: string[];
  @ApiProperty({ type: [RemigrationFlagDto], description: 'Members registered again at an MRC (here or at another node) while the plan was active or after it completed: they may have migrated again' })
  remigration: RemigrationFlagDto[];
  @ApiProperty({ enum: PLAN_ACTIONS, isArray: true, description: 'What the plan accepts now' })
  allowedActions: string[];
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  activatedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;
  @ApiProperty({ type: 'integer' })
  version: number;
}

export class TaskOwnerOutDto {
  @ApiProperty({ enum: TASK_OWNER_KINDS })
  kind: string;
  @ApiPropertyOptional()
  staffId?: string;
  @ApiPropertyOptional({ format: 'uuid' })
  programId?: string;
}

export class TaskDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'uuid' })
  planId: string;
  @ApiProperty({ format: 'uuid' })
  personId: string;
  @ApiProperty({ enum: TASK_KINDS })
  kind: string;
  @ApiProperty({ example: '2027-03-31' })
  dueOn: string;
  @ApiProperty({ type: TaskOwnerOutDto })
  owner: TaskOwnerOutDto;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Coded details of the kind (school, certificate, psychosocial, housing, socialProgram)' })
  details: Record<string, unknown>;
  @ApiProperty({ enum: ['open', 'completed', 'cancelled'] })
  status: string;
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;
}

export class ScoresDto {
  @ApiProperty({ minimum: 0, maximum: 1 })
  economic: number;
  @ApiProperty({ minimum: 0, maximum: 1 })
  social: number;
  @ApiProperty({ minimum: 0, maximum: 1 })
  psychosocial: number;
  @ApiProperty({ minimum: 0, maximum: 1, description: 'Mean of the three dimensions' })
  composite: number;
}

export class FollowUpDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'uuid' })
  planId: string;
  @ApiProperty({ enum: MILESTONES })
  milestone: string;
  @ApiProperty({ type: String, format: 'date-time' })
  dueAt: string;
  @ApiProperty({ enum: ['pending', 'overdue', 'recorded'] })
  status: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  recordedAt: string | null;
  @ApiProperty({ type: ScoresDto, nullable: true })
  scores: ScoresDto | null;
}

export class SustainabilityQuestionDto {
  @ApiProperty({ example: 'econ_income_source' })
  id: string;
  @ApiProperty({ enum: DIMENSIONS })
  dimension: string;
  @ApiProperty()
  text: string;
  @ApiProperty({ type: [String], description: 'Answer codes, worst first' })
  answers: string[];
}

export class PlanMemberChangeDto {
  @ApiProperty({ format: 'uuid', example: '6f1c2f8e-5b2a-4c11-9a51-0d5c1b7e9a10', description: 'A member of the plan' })
  @IsUUID()
  personId: string;

  @ApiPropertyOptional({ enum: GOALS, isArray: true, example: ['employment', 'financial_inclusion'], description: "The member's goals (replaced)" })
  @IsOptional()
  @ArrayMaxSize(GOALS.length)
  @ArrayUnique()
  @IsIn(GOALS, { each: true })
  goals?: (typeof GOALS)[number][];

  @ApiPropertyOptional({ enum: SPECIFIC_NEED_CODES, isArray: true, example: ['women_childcare_support'], description: "The member's specific needs (replaced)" })
  @IsOptional()
  @ArrayMaxSize(SPECIFIC_NEED_CODES.length)
  @ArrayUnique()
  @IsIn(SPECIFIC_NEED_CODES, { each: true })
  specificNeeds?: string[];
}

export class UpdatePlanDto {
  @ApiPropertyOptional({ type: [PlanMemberChangeDto], description: 'Goals and specific needs of members, replaced member by member' })
  @IsOptional()
  @ArrayMaxSize(20)
  @ArrayUnique((m: PlanMemberChangeDto) => m?.personId, { message: 'members must name each person once' })
  @ValidateNested({ each: true })
  @Type(() => PlanMemberChangeDto)
  members?: PlanMemberChangeDto[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', example: [], description: 'The partner programs assigned (replaced); a program owning an open task stays' })
  @IsOptional()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  programIds?: string[];
}

export class AddMemberDto extends PlanMemberInputDto {}
