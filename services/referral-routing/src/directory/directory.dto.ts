import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptionalNotNull, PageQueryDto } from '@puente/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  AGREEMENT_PURPOSES,
  type AgreementPurpose,
  DELIVERY_CHANNELS,
  type DeliveryChannel,
  DIRECTORY_PARTNER_ID_PATTERN,
  ORGANIZATION_KINDS,
  type OrganizationKind,
  PARTNER_STATUSES,
  PARTNER_TYPES,
  type PartnerStatus,
  type PartnerType,
  PATHWAYS,
  type Pathway,
  PROGRAM_STATUSES,
  type ProgramStatus,
} from './vocabulary';

const COUNTRY = /^[A-Z]{2}$/;
const COUNTRY_MESSAGE = '$property must be an ISO 3166-1 alpha-2 country code in upper case, such as GT or MX';
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TEXT = /\S/;

// ---------- nested HSDS parts ----------

export class OpeningHoursDto {
  @ApiProperty({ example: ['MO', 'TU', 'WE', 'TH', 'FR'], description: 'RFC 5545 weekdays' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @ArrayUnique()
  @IsIn(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], { each: true })
  byDay: string[];

  @ApiProperty({ example: '08:00' })
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'opensAt must be HH:MM (24 h)' })
  opensAt: string;

  @ApiProperty({ example: '16:30' })
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'closesAt must be HH:MM (24 h)' })
  closesAt: string;

  @ApiPropertyOptional({ example: 'Closed on public holidays' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  description?: string;
}

export class ServiceAreaDto {
  @ApiProperty({ example: 'GT' })
  @Matches(COUNTRY, { message: COUNTRY_MESSAGE })
  country: string;

  @ApiPropertyOptional({ example: ['GT-QZ', 'GT-SM'], description: 'ISO 3166-2 subdivisions; omit for the whole country' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, { each: true, message: 'subdivisions must be ISO 3166-2 codes such as GT-QZ' })
  subdivisions?: string[];

  @ApiPropertyOptional({ example: 'Western highlands' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  description?: string;
}

export class RequiredDocumentDto {
  @ApiProperty({ example: 'Passport or national identity document (DPI)' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  @Matches(TEXT)
  document: string;

  @ApiPropertyOptional({ example: 'https://www.uscis.gov/CAM' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(/^https:\/\//, { message: 'uri must be an https URL' })
  uri?: string;
}

export class FeesDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  free: boolean;

  @ApiPropertyOptional({ example: 'Visa fee reimbursed by the employer' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class AccessibilityDto {
  @ApiProperty({ example: 'Wheelchair accessible entrance' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  @Matches(TEXT)
  description: string;

  @ApiPropertyOptional({ example: 'Ramp on the north side; interpreters for Mam and K’iche’' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  details?: string;
}

// ---------- partners ----------

export class PartnerDeliveryDto {
  @ApiProperty({ enum: DELIVERY_CHANNELS, isArray: true, example: ['rest_pull', 'webhook'] })
  channels: DeliveryChannel[];

  @ApiProperty({ example: true })
  restPull: boolean;

  @ApiPropertyOptional({ type: String, example: 'https://sire.comar.gob.mx/puente/webhooks', nullable: true, description: 'Shown to node staff and to the partner itself only' })
  webhookUrl?: string | null;

  @ApiPropertyOptional({ example: true, description: 'Whether a webhook signing secret is on file (the secret itself is never returned)' })
  webhookSecretSet?: boolean;

  @ApiProperty({ example: 'puente.partner.mx-comar.v1' })
  kafkaTopic: string;

  @ApiProperty({ example: false })
  kafka: boolean;
}

export class PartnerDto {
  @ApiProperty({ example: 'MX-COMAR' })
  id: string;

  @ApiProperty({ example: 'Comisión Mexicana de Ayuda a Refugiados' })
  name: string;

  @ApiPropertyOptional({ type: String, example: 'COMAR', nullable: true })
  alternateName: string | null;

  @ApiProperty({ enum: ORGANIZATION_KINDS, example: 'government_agency' })
  kind: OrganizationKind;

  @ApiProperty({ enum: PARTNER_TYPES, example: 'government_asylum_agency' })
  partnerType: PartnerType;

  @ApiPropertyOptional({ type: String, example: "Mexico's refugee status determination authority", nullable: true })
  description: string | null;

  @ApiProperty({ example: 'MX' })
  country: string;

  @ApiProperty({ example: 'MX', description: 'Puente node hosting its programs' })
  node: string;

  @ApiProperty({ example: false, description: 'True when its programs are on this node' })
  hostedHere: boolean;

  @ApiPropertyOptional({ type: String, example: 'https://www.gob.mx/comar', nullable: true })
  website: string | null;

  @ApiPropertyOptional({ type: String, example: 'puente@comar.gob.mx', nullable: true })
  email: string | null;

  @ApiProperty({ enum: PARTNER_STATUSES, example: 'active' })
  status: PartnerStatus;

  @ApiProperty({ type: PartnerDeliveryDto })
  delivery: PartnerDeliveryDto;

  @ApiPropertyOptional({ type: String, example: '2026-10-01', nullable: true })
  lastVerifiedOn: string | null;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

class PartnerWritableFields {
  @ApiProperty({ example: 'Comisión Mexicana de Ayuda a Refugiados' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(TEXT, { message: 'name must not be blank' })
  name: string;

  @ApiPropertyOptional({ example: 'COMAR' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  alternateName?: string;

  @ApiProperty({ enum: ORGANIZATION_KINDS, example: 'government_agency' })
  @IsIn(ORGANIZATION_KINDS)
  kind: OrganizationKind;

  @ApiProperty({ enum: PARTNER_TYPES, example: 'government_asylum_agency', description: 'The type a consent may name instead of this partner' })
  @IsIn(PARTNER_TYPES)
  partnerType: PartnerType;

  @ApiPropertyOptional({ example: "Mexico's refugee status determination authority" })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({ example: 'MX' })
  @Matches(COUNTRY, { message: COUNTRY_MESSAGE })
  country: string;

  @ApiProperty({ example: 'MX', description: 'Puente node hosting its programs (ISO 3166-1 alpha-2)' })
  @Matches(COUNTRY, { message: COUNTRY_MESSAGE })
  node: string;

  @ApiPropertyOptional({ example: 'https://www.gob.mx/comar' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(/^https?:\/\//, { message: 'website must be an http(s) URL' })
  website?: string;

  @ApiPropertyOptional({ example: 'puente@comar.gob.mx', description: 'An institutional mailbox, never a person' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: 'email must be an e-mail address' })
  email?: string;

  @ApiProperty({ enum: DELIVERY_CHANNELS, isArray: true, example: ['rest_pull', 'webhook'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(DELIVERY_CHANNELS, { each: true })
  deliveryChannels: DeliveryChannel[];

  @ApiPropertyOptional({ example: 'https://sire.comar.gob.mx/puente/webhooks', description: 'Required with the webhook channel; checked against the webhook address policy' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  webhookUrl?: string;

  @ApiPropertyOptional({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Standard Webhooks signing secret (`whsec_` + base64 of 24 to 64 bytes). Write-only: stored encrypted, never returned.',
    writeOnly: true,
  })
  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, { message: 'webhookSecret must be whsec_ followed by base64 of 24 to 64 bytes' })
  webhookSecret?: string;

  @ApiPropertyOptional({ example: '2026-10-01', description: 'Day the listing was last verified with the partner' })
  @IsOptional()
  @Matches(DAY, { message: 'lastVerifiedOn must be a date (YYYY-MM-DD)' })
  @IsDateString({ strict: true }, { message: 'lastVerifiedOn must be a date (YYYY-MM-DD)' })
  lastVerifiedOn?: string;
}

export class CreatePartnerDto extends PartnerWritableFields {
  @ApiProperty({ example: 'MX-COMAR', description: 'The partner_id of its tokens; letters and digits in hyphen-joined groups (its Kafka topic uses it in lower case)' })
  @Matches(DIRECTORY_PARTNER_ID_PATTERN, { message: 'id must be 2-64 letters and digits in groups joined by single hyphens, such as MX-COMAR' })
  id: string;
}

export class UpdatePartnerDto {
  @ApiPropertyOptional({ example: 'COMAR Tapachula' }) @IsOptionalNotNull() @IsString() @MinLength(1) @MaxLength(200) @Matches(TEXT) name?: string;
  @ApiPropertyOptional({ example: 'COMAR' }) @IsOptional() @IsString() @MaxLength(100) alternateName?: string;
  @ApiPropertyOptional({ enum: ORGANIZATION_KINDS }) @IsOptionalNotNull() @IsIn(ORGANIZATION_KINDS) kind?: OrganizationKind;
  @ApiPropertyOptional({ enum: PARTNER_TYPES }) @IsOptionalNotNull() @IsIn(PARTNER_TYPES) partnerType?: PartnerType;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiPropertyOptional({ example: 'https://www.gob.mx/comar' }) @IsOptionalNotNull() @IsString() @MaxLength(500) @Matches(/^https?:\/\//) website?: string;
  @ApiPropertyOptional({ example: 'puente@comar.gob.mx' }) @IsOptionalNotNull() @IsString() @MaxLength(200) @Matches(/^[^@\s]+@[^@\s]+\.[^@\s]+$/) email?: string;
  @ApiPropertyOptional({ enum: PARTNER_STATUSES, example: 'inactive', description: 'An inactive partner receives nothing new' })
  @IsOptionalNotNull()
  @IsIn(PARTNER_STATUSES)
  status?: PartnerStatus;
  @ApiPropertyOptional({ enum: DELIVERY_CHANNELS, isArray: true })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(DELIVERY_CHANNELS, { each: true })
  deliveryChannels?: DeliveryChannel[];
  @ApiPropertyOptional({ example: 'https://sire.comar.gob.mx/puente/webhooks' }) @IsOptionalNotNull() @IsString() @MaxLength(2000) webhookUrl?: string;
  @ApiPropertyOptional({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', writeOnly: true, description: 'Replaces the signing secret (write-only)' })
  @IsOptionalNotNull()
  @Matches(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, { message: 'webhookSecret must be whsec_ followed by base64 of 24 to 64 bytes' })
  webhookSecret?: string;
  @ApiPropertyOptional({ example: '2026-11-15' })
  @IsOptionalNotNull()
  @Matches(DAY, { message: 'lastVerifiedOn must be a date (YYYY-MM-DD)' })
  @IsDateString({ strict: true }, { message: 'lastVerifiedOn must be a date (YYYY-MM-DD)' })
  lastVerifiedOn?: string;
}

export class ListPartnersQuery extends PageQueryDto {
  @ApiPropertyOptional({ example: 'MX' }) @IsOptional() @Matches(COUNTRY, { message: COUNTRY_MESSAGE }) country?: string;
  @ApiPropertyOptional({ enum: ORGANIZATION_KINDS }) @IsOptional() @IsIn(ORGANIZATION_KINDS) kind?: OrganizationKind;
}

// ---------- locations ----------

export class LocationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'MX-COMAR' }) partnerId: string;
  @ApiProperty({ example: 'COMAR Tapachula' }) name: string;
  @ApiPropertyOptional({ type: String, example: null, nullable: true, description: 'Site code when the location is a registration site, e.g. GT-MRC-01' }) siteCode: string | null;
  @ApiProperty({ example: 'MX' }) country: string;
  @ApiPropertyOptional({ type: String, example: 'MX-CHP', nullable: true }) subdivision: string | null;
  @ApiProperty({ example: 'Tapachula' }) city: string;
  @ApiPropertyOptional({ type: String, example: '4a Av. Norte 77, Centro', nullable: true }) address: string | null;
  @ApiPropertyOptional({ type: Number, example: 14.9064, nullable: true }) latitude: number | null;
  @ApiPropertyOptional({ type: Number, example: -92.2634, nullable: true }) longitude: number | null;
  @ApiProperty({ type: [AccessibilityDto] }) accessibility: AccessibilityDto[];
  @ApiProperty({ type: [OpeningHoursDto] }) openingHours: OpeningHoursDto[];
  @ApiProperty({ example: 1 }) version: number;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CreateLocationDto {
  @ApiProperty({ example: 'MX-COMAR' }) @Matches(DIRECTORY_PARTNER_ID_PATTERN, { message: 'partnerId must be a partner id such as MX-COMAR' }) partnerId: string;
  @ApiProperty({ example: 'COMAR Tapachula' }) @IsString() @MinLength(1) @MaxLength(200) @Matches(TEXT) name: string;
  @ApiPropertyOptional({ example: 'GT-MRC-01' })
  @IsOptional()
  @Matches(/^[A-Z]{2}(?:-[A-Z0-9]{1,16}){1,4}$/, { message: 'siteCode must be a site code such as GT-MRC-01' })
  siteCode?: string;
  @ApiProperty({ example: 'MX' }) @Matches(COUNTRY, { message: COUNTRY_MESSAGE }) country: string;
  @ApiPropertyOptional({ example: 'MX-CHP' }) @IsOptional() @Matches(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, { message: 'subdivision must be an ISO 3166-2 code such as MX-CHP' }) subdivision?: string;
  @ApiProperty({ example: 'Tapachula' }) @IsString() @MinLength(1) @MaxLength(100) @Matches(TEXT) city: string;
  @ApiPropertyOptional({ example: '4a Av. Norte 77, Centro' }) @IsOptional() @IsString() @MaxLength(300) address?: string;
  @ApiPropertyOptional({ example: 14.9064 }) @IsOptional() @IsNumber() @Min(-90) @Max(90) latitude?: number;
  @ApiPropertyOptional({ example: -92.2634 }) @IsOptional() @IsNumber() @Min(-180) @Max(180) longitude?: number;
  @ApiPropertyOptional({ type: [AccessibilityDto] }) @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => AccessibilityDto) accessibility?: AccessibilityDto[];
  @ApiPropertyOptional({ type: [OpeningHoursDto] }) @IsOptional() @IsArray() @ArrayMaxSize(14) @ValidateNested({ each: true }) @Type(() => OpeningHoursDto) openingHours?: OpeningHoursDto[];
}

export class UpdateLocationDto {
  @ApiPropertyOptional({ example: 'COMAR Tapachula (Centro)' }) @IsOptionalNotNull() @IsString() @MinLength(1) @MaxLength(200) @Matches(TEXT) name?: string;
  @ApiPropertyOptional({ example: '4a Av. Norte 77, Centro' }) @IsOptionalNotNull() @IsString() @MaxLength(300) address?: string;
  @ApiPropertyOptional({ type: [AccessibilityDto] }) @IsOptionalNotNull() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => AccessibilityDto) accessibility?: AccessibilityDto[];
  @ApiPropertyOptional({ type: [OpeningHoursDto] }) @IsOptionalNotNull() @IsArray() @ArrayMaxSize(14) @ValidateNested({ each: true }) @Type(() => OpeningHoursDto) openingHours?: OpeningHoursDto[];
}

export class ListLocationsQuery extends PageQueryDto {
  @ApiPropertyOptional({ example: 'MX-COMAR' }) @IsOptional() @Matches(DIRECTORY_PARTNER_ID_PATTERN) partnerId?: string;
  @ApiPropertyOptional({ example: 'MX' }) @IsOptional() @Matches(COUNTRY, { message: COUNTRY_MESSAGE }) country?: string;
}

// ---------- programs ----------

export class ProgramCapacityDto {
  @ApiProperty({ example: 120 }) totalSlots: number;
  @ApiProperty({ example: 37 }) openSlots: number;
  @ApiProperty({ example: 0 }) waitlist: number;
}

export class ProgramSlaDto {
  @ApiProperty({ example: 48, description: 'Hours the partner has to acknowledge a referral' }) acknowledgeHours: number;
  @ApiProperty({ example: 720, description: 'Hours the partner has to accept or reject it' }) decideHours: number;
}

const ELIGIBILITY_EXAMPLE = { and: [{ flag: 'fear_of_return' }, { '==': [{ var: 'country' }, 'MX'] }, { '!=': [{ var: 'nationality' }, 'MX'] }] };

export class ProgramDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'MX-COMAR' }) partnerId: string;
  @ApiProperty({ example: 'Refugee status determination (Tapachula)' }) name: string;
  @ApiPropertyOptional({ type: String, example: 'Solicitud de la condición de refugiado', nullable: true }) alternateName: string | null;
  @ApiProperty({ example: 'Application for refugee status in Mexico; COMAR decides within 45 working days.' }) description: string;
  @ApiProperty({ enum: PATHWAYS, example: 'asylum' }) pathway: Pathway;
  @ApiProperty({ enum: PROGRAM_STATUSES, example: 'active' }) status: ProgramStatus;
  @ApiPropertyOptional({ type: String, example: 'FT-1800.3000', nullable: true, description: 'Open Eligibility / 211 taxonomy code' }) taxonomyCode: string | null;
  @ApiProperty({ example: 'MX' }) node: string;
  @ApiProperty({ example: false }) hostedHere: boolean;
  @ApiProperty({ example: ['es', 'en', 'fr'] }) languages: string[];
  @ApiProperty({ type: [ServiceAreaDto] }) serviceAreas: ServiceAreaDto[];
  @ApiProperty({ type: [RequiredDocumentDto] }) requiredDocuments: RequiredDocumentDto[];
  @ApiProperty({ type: FeesDto }) fees: FeesDto;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Apply in person within 30 working days of entering Mexico.' }) applicationProcess: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'People in Mexico who fear return to their country.' }) eligibilityDescription: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, example: ELIGIBILITY_EXAMPLE, description: 'Rule in the shared rule language over age_band, sex, nationality, country, site, household, household_size; flag / recommended / risk_at_least references' })
  eligibilityRule: unknown;
  @ApiProperty({ type: ProgramCapacityDto }) capacity: ProgramCapacityDto;
  @ApiProperty({ type: ProgramSlaDto }) sla: ProgramSlaDto;
  @ApiProperty({ example: false }) autoReferOnProtectionAlert: boolean;
  @ApiProperty({ type: [String], format: 'uuid', description: 'Locations where it is delivered (HSDS service_at_location)' }) locationIds: string[];
  @ApiPropertyOptional({ type: String, example: '2026-10-01', nullable: true }) lastVerifiedOn: string | null;
  @ApiProperty({ example: 1 }) version: number;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

class ProgramWritableFields {
  @ApiProperty({ example: 'Refugee status determination (Tapachula)' }) @IsString() @MinLength(1) @MaxLength(200) @Matches(TEXT) name: string;
  @ApiPropertyOptional({ example: 'Solicitud de la condición de refugiado' }) @IsOptional() @IsString() @MaxLength(200) alternateName?: string;
  @ApiProperty({ example: 'Application for refugee status in Mexico; COMAR decides within 45 working days.' }) @IsString() @MinLength(1) @MaxLength(4000) @Matches(TEXT) description: string;
  @ApiPropertyOptional({ example: 'FT-1800.3000' }) @IsOptional() @Matches(/^[A-Z]{1,2}(-[0-9]{4}(\.[0-9]{3,4}){0,3})?$/, { message: 'taxonomyCode must be a 211 taxonomy code such as FT-1800.3000' }) taxonomyCode?: string;
  @ApiPropertyOptional({ example: 'MX', description: "Node hosting the program; the partner's node by default" }) @IsOptional() @Matches(COUNTRY, { message: COUNTRY_MESSAGE }) node?: string;
  @ApiPropertyOptional({ example: ['es', 'en'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @ArrayUnique()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { each: true, message: 'languages must be BCP 47 codes such as es, en, quc' })
  languages?: string[];
  @ApiPropertyOptional({ type: [ServiceAreaDto] }) @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => ServiceAreaDto) serviceAreas?: ServiceAreaDto[];
  @ApiPropertyOptional({ type: [RequiredDocumentDto] }) @IsOptional() @IsArray() @ArrayMaxSize(30) @ValidateNested({ each: true }) @Type(() => RequiredDocumentDto) requiredDocuments?: RequiredDocumentDto[];
  @ApiPropertyOptional({ type: FeesDto }) @IsOptional() @ValidateNested() @Type(() => FeesDto) fees?: FeesDto;
  @ApiPropertyOptional({ example: 'Apply in person within 30 working days of entering Mexico.' }) @IsOptional() @IsString() @MaxLength(4000) applicationProcess?: string;
  @ApiPropertyOptional({ example: 'People in Mexico who fear return to their country.' }) @IsOptional() @IsString() @MaxLength(4000) eligibilityDescription?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: ELIGIBILITY_EXAMPLE, description: 'Rule in the shared rule language; compiled on write (422 with exact paths when wrong)' })
  @IsOptional()
  eligibilityRule?: unknown;
  @ApiProperty({ example: 120 }) @IsInt() @Min(0) @Max(1_000_000) totalSlots: number;
  @ApiPropertyOptional({ example: 0 }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000) waitlist?: number;
  @ApiProperty({ example: 48 }) @IsInt() @Min(1) @Max(8760) slaAcknowledgeHours: number;
  @ApiProperty({ example: 720 }) @IsInt() @Min(1) @Max(8760) slaDecideHours: number;
  @ApiPropertyOptional({ example: false, description: 'An urgent protection alert creates a referral to it without a caseworker' }) @IsOptional() @IsBoolean() autoReferOnProtectionAlert?: boolean;
  @ApiPropertyOptional({ type: [String], format: 'uuid' }) @IsOptional() @IsArray() @ArrayMaxSize(50) @ArrayUnique() @IsUUID('all', { each: true }) locationIds?: string[];
  @ApiPropertyOptional({ example: '2026-10-01' })
  @IsOptional()
  @Matches(DAY, { message: 'lastVerifiedOn must be a date (YYYY-MM-DD)' })
  @IsDateString({ strict: true }, { message: 'lastVerifiedOn must be a date (YYYY-MM-DD)' })
  lastVerifiedOn?: string;
}

export class CreateProgramDto extends ProgramWritableFields {
  @ApiProperty({ example: 'MX-COMAR' }) @Matches(DIRECTORY_PARTNER_ID_PATTERN, { message: 'partnerId must be a partner id such as MX-COMAR' }) partnerId: string;
  @ApiProperty({ enum: PATHWAYS, example: 'asylum' }) @IsIn(PATHWAYS) pathway: Pathway;
  @ApiPropertyOptional({ example: 120, description: 'Open slots now; totalSlots by default' }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000) openSlots?: number;
}

export class UpdateProgramDto {
  @ApiPropertyOptional({ example: 'Refugee status determination (Tapachula)' }) @IsOptionalNotNull() @IsString() @MinLength(1) @MaxLength(200) @Matches(TEXT) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) @Matches(TEXT) description?: string;
  @ApiPropertyOptional({ enum: PROGRAM_STATUSES, example: 'temporarily_closed' }) @IsOptionalNotNull() @IsIn(PROGRAM_STATUSES) status?: ProgramStatus;
  @ApiPropertyOptional({ example: ['es', 'en'] }) @IsOptionalNotNull() @IsArray() @ArrayMaxSize(30) @ArrayUnique() @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { each: true }) languages?: string[];
  @ApiPropertyOptional({ type: [ServiceAreaDto] }) @IsOptionalNotNull() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => ServiceAreaDto) serviceAreas?: ServiceAreaDto[];
  @ApiPropertyOptional({ type: [RequiredDocumentDto] }) @IsOptionalNotNull() @IsArray() @ArrayMaxSize(30) @ValidateNested({ each: true }) @Type(() => RequiredDocumentDto) requiredDocuments?: RequiredDocumentDto[];
  @ApiPropertyOptional({ type: FeesDto }) @IsOptionalNotNull() @ValidateNested() @Type(() => FeesDto) fees?: FeesDto;
  @ApiPropertyOptional() @IsOptionalNotNull() @IsString() @MaxLength(4000) eligibilityDescription?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: ELIGIBILITY_EXAMPLE, nullable: true, description: 'null: everyone is eligible' }) @IsOptional() eligibilityRule?: unknown;
  @ApiPropertyOptional({ example: 150, description: 'Raising or lowering the total moves open slots by the same amount (never below 0)' }) @IsOptionalNotNull() @IsInt() @Min(0) @Max(1_000_000) totalSlots?: number;
  @ApiPropertyOptional({ example: 4 }) @IsOptionalNotNull() @IsInt() @Min(0) @Max(1_000_000) waitlist?: number;
  @ApiPropertyOptional({ example: 24 }) @IsOptionalNotNull() @IsInt() @Min(1) @Max(8760) slaAcknowledgeHours?: number;
  @ApiPropertyOptional({ example: 480 }) @IsOptionalNotNull() @IsInt() @Min(1) @Max(8760) slaDecideHours?: number;
  @ApiPropertyOptional({ example: true }) @IsOptionalNotNull() @IsBoolean() autoReferOnProtectionAlert?: boolean;
  @ApiPropertyOptional({ type: [String], format: 'uuid' }) @IsOptionalNotNull() @IsArray() @ArrayMaxSize(50) @ArrayUnique() @IsUUID('all', { each: true }) locationIds?: string[];
  @ApiPropertyOptional({ example: '2026-11-15' })
  @IsOptionalNotNull()
  @Matches(DAY, { message: 'lastVerifiedOn must be a date (YYYY-MM-DD)' })
  @IsDateString({ strict: true }, { message: 'lastVerifiedOn must be a date (YYYY-MM-DD)' })
  lastVerifiedOn?: string;
}

export class ListProgramsQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: PATHWAYS }) @IsOptional() @IsIn(PATHWAYS) pathway?: Pathway;
  @ApiPropertyOptional({ example: 'MX-COMAR' }) @IsOptional() @Matches(DIRECTORY_PARTNER_ID_PATTERN) partnerId?: string;
  @ApiPropertyOptional({ example: 'GT' }) @IsOptional() @Matches(COUNTRY, { message: COUNTRY_MESSAGE }) node?: string;
}

// ---------- agreements ----------

const FIELDS_EXAMPLE = { referral: ['ageBand', 'sex', 'nationality', 'flags', 'household.size'], cross_border_transfer: ['givenName', 'familyName', 'birthDate', 'nationality'] };

export class AgreementDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'MX-COMAR' }) partnerId: string;
  @ApiProperty({ example: 'GT' }) node: string;
  @ApiProperty({ example: 'Carta de entendimiento GT–COMAR 2025/07' }) reference: string;
  @ApiProperty({ enum: AGREEMENT_PURPOSES, isArray: true, example: ['referral', 'cross_border_transfer'] }) purposes: AgreementPurpose[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, example: FIELDS_EXAMPLE, description: 'Fields the partner may receive per purpose (dotted paths)' }) fieldsByPurpose: Record<string, string[]>;
  @ApiProperty({ example: '2025-07-01' }) validFrom: string;
  @ApiPropertyOptional({ type: String, example: '2027-06-30', nullable: true }) validUntil: string | null;
  @ApiProperty({ example: false }) terminated: boolean;
  @ApiProperty({ example: 1 }) version: number;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CreateAgreementDto {
  @ApiProperty({ example: 'MX-COMAR' }) @Matches(DIRECTORY_PARTNER_ID_PATTERN, { message: 'partnerId must be a partner id such as MX-COMAR' }) partnerId: string;
  @ApiProperty({ example: 'Carta de entendimiento GT–COMAR 2025/07' }) @IsString() @MinLength(1) @MaxLength(200) @Matches(TEXT) reference: string;
  @ApiProperty({ enum: AGREEMENT_PURPOSES, isArray: true, example: ['referral'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(AGREEMENT_PURPOSES, { each: true })
  purposes: AgreementPurpose[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, example: FIELDS_EXAMPLE }) @IsObject() fieldsByPurpose: Record<string, string[]>;
  @ApiProperty({ example: '2025-07-01' })
  @Matches(DAY, { message: 'validFrom must be a date (YYYY-MM-DD)' })
  @IsDateString({ strict: true }, { message: 'validFrom must be a date (YYYY-MM-DD)' })
  validFrom: string;
  @ApiPropertyOptional({ example: '2027-06-30' })
  @IsOptional()
  @Matches(DAY, { message: 'validUntil must be a date (YYYY-MM-DD)' })
  @IsDateString({ strict: true }, { message: 'validUntil must be a date (YYYY-MM-DD)' })
  validUntil?: string;
}

export class UpdateAgreementDto {
  @ApiPropertyOptional({ enum: AGREEMENT_PURPOSES, isArray: true }) @IsOptionalNotNull() @IsArray() @ArrayMinSize(1) @ArrayUnique() @IsIn(AGREEMENT_PURPOSES, { each: true }) purposes?: AgreementPurpose[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, example: FIELDS_EXAMPLE }) @IsOptionalNotNull() @IsObject() fieldsByPurpose?: Record<string, string[]>;
  @ApiPropertyOptional({ example: '2027-12-31' })
  @IsOptionalNotNull()
  @Matches(DAY, { message: 'validUntil must be a date (YYYY-MM-DD)' })
  @IsDateString({ strict: true }, { message: 'validUntil must be a date (YYYY-MM-DD)' })
  validUntil?: string;
  @ApiPropertyOptional({ example: true, description: 'Ends the agreement now (cannot be undone: sign a new one)' }) @IsOptionalNotNull() @IsBoolean() terminated?: boolean;
}

export class ListAgreementsQuery extends PageQueryDto {
  @ApiPropertyOptional({ example: 'MX-COMAR' }) @IsOptional() @Matches(DIRECTORY_PARTNER_ID_PATTERN) partnerId?: string;
}
