import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ConsentGivenAtRegistrationDto } from '../consents/consent.dto';
import { AGE_BANDS, CONSENT_PURPOSES, PRIORITIES, type PriorityValue, SEXES, type SexValue, VULNERABILITY_FLAGS } from '../common/enums';
import { IsBirthDate, IsCalendarDate, IsCountryCode, IsLanguageCode, IsNationalityCode, IsPersonName, IsSiteCode } from '../common/validators';
import { DOCUMENT_TYPES, type DocumentType, VERIFICATION_STATES, type VerificationState } from './personal-data';

const E164 = /^\+[1-9]\d{6,14}$/;
/** Present in the body (null included): required fields of a PATCH are validated only when sent. */
const sent = (_: object, value: unknown) => value !== undefined;
/** Present and not null: optional, clearable fields of a PATCH. */
const given = (_: object, value: unknown) => value !== undefined && value !== null;

export class TransliterationDto {
  @ApiProperty({ example: 'Maria Jose', description: 'Given names in Latin script, as the person spells them' })
  @IsPersonName()
  givenNames: string;

  @ApiPropertyOptional({ type: String, example: 'Perez Gomez', nullable: true })
  @ValidateIf(given)
  @IsPersonName()
  familyNames?: string | null;
}

export class LanguageDto {
  @ApiProperty({ example: 'es', description: 'ISO 639-1 (es, en, ht) or ISO 639-3 for languages without one (quc Kʼicheʼ, mam Mam, cab Garifuna)' })
  @IsLanguageCode()
  code: string;

  @ApiPropertyOptional({ example: true, description: 'The language the person prefers to be interviewed in' })
  @IsOptional()
  @IsBoolean()
  primary?: boolean;

  @ApiPropertyOptional({ example: false, description: 'An interpreter is needed for this language' })
  @IsOptional()
  @IsBoolean()
  interpreterNeeded?: boolean;
}

export class ContactDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: '+50255512345', description: 'E.164' })
  @ValidateIf(given)
  @Matches(E164, { message: 'phone must be an E.164 number such as +50255512345' })
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '+50433312345', description: 'E.164' })
  @ValidateIf(given)
  @Matches(E164, { message: 'whatsapp must be an E.164 number such as +50433312345' })
  whatsapp?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'email', example: 'mjperez@example.org' })
  @ValidateIf(given)
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Albergue Belén, Tapachula, Chiapas', maxLength: 300, description: 'Where the person can be reached (shelter, town)' })
  @ValidateIf(given)
  @IsString()
  @MaxLength(300)
  address?: string | null;
}

export class IdentityDocumentDto {
  @ApiProperty({ enum: DOCUMENT_TYPES, example: 'national_id' })
  @IsIn(DOCUMENT_TYPES)
  type: DocumentType;

  @ApiProperty({ example: '0801-1990-12345', maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 ./-]*$/, { message: 'number may contain letters, digits, spaces, ".", "/" and "-"' })
  number: string;

  @ApiProperty({ example: 'HN' })
  @IsCountryCode()
  issuingCountry: string;

  @ApiPropertyOptional({ type: String, format: 'date', example: '2031-05-16', nullable: true })
  @ValidateIf(given)
  @IsCalendarDate()
  expiresOn?: string | null;

  @ApiPropertyOptional({ enum: VERIFICATION_STATES, default: 'unverified' })
  @IsOptional()
  @IsIn(VERIFICATION_STATES)
  verification?: VerificationState;
}

export class OpenCaseInlineDto {
  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: PriorityValue;

  @ApiPropertyOptional({ example: false, description: 'The case will cover a household (members are added with caseId)' })
  @IsOptional()
  @IsBoolean()
  household?: boolean;
}

/** Shared by registration and correction. */
class PersonFieldsDto {
  @ApiPropertyOptional({ type: String, example: 'Pérez Gómez', description: 'Family names in any script, exactly as written', nullable: true })
  @ValidateIf(given)
  @IsPersonName()
  familyNames?: string | null;

  @ApiPropertyOptional({ type: TransliterationDto, nullable: true, description: 'Latin transliteration when the names are in another script' })
  @ValidateIf(given)
  @ValidateNested()
  @Type(() => TransliterationDto)
  transliteration?: TransliterationDto | null;

  @ApiPropertyOptional({ type: [String], example: ['GT'], description: 'Other citizenships (ISO 3166-1 alpha-2)' })
  @ValidateIf(given)
  @ArrayMaxSize(5)
  @ArrayUnique()
  @IsCountryCode({ each: true })
  otherCitizenships?: string[] | null;

  @ApiPropertyOptional({ type: [LanguageDto], example: [{ code: 'es', primary: true }, { code: 'mam', interpreterNeeded: false }] })
  @ValidateIf(given)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => LanguageDto)
  languages?: LanguageDto[] | null;

  @ApiPropertyOptional({ type: ContactDto, nullable: true })
  @ValidateIf(given)
  @ValidateNested()
  @Type(() => ContactDto)
  contact?: ContactDto | null;

  @ApiPropertyOptional({ type: [IdentityDocumentDto] })
  @ValidateIf(given)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => IdentityDocumentDto)
  documents?: IdentityDocumentDto[] | null;

  @ApiPropertyOptional({ enum: VULNERABILITY_FLAGS, isArray: true, example: ['fear_of_return'], description: 'Vulnerabilities disclosed at intake' })
  @ValidateIf(given)
  @ArrayMaxSize(VULNERABILITY_FLAGS.length)
  @ArrayUnique()
  @IsIn(VULNERABILITY_FLAGS, { each: true })
  vulnerabilityFlags?: string[] | null;
}

export class RegisterPersonDto extends PersonFieldsDto {
  @ApiProperty({ example: 'GT-MRC-01', description: 'Site where the person is registered (must be in your jurisdiction)' })
  @IsSiteCode()
  siteCode: string;

  @ApiProperty({ example: 'María José', description: 'Given names in any script, exactly as written (1-200 characters)' })
  @IsPersonName()
  givenNames: string;

  @ApiProperty({ enum: SEXES, example: 'female' })
  @IsIn(SEXES)
  sex: SexValue;

  @ApiProperty({ example: '1994-08-21', description: 'YYYY-MM-DD, a real date, not in the future' })
  @IsBirthDate()
  birthDate: string;

  @ApiPropertyOptional({ example: false, description: 'The birth date is an estimate (only its year is used for matching)' })
  @IsOptional()
  @IsBoolean()
  birthDateEstimated?: boolean;

  @ApiProperty({ example: 'HN', description: 'ISO 3166-1 alpha-2; XX when stateless or unknown' })
  @IsNationalityCode()
  nationality: string;

  @ApiPropertyOptional({ type: OpenCaseInlineDto, description: 'Open a new case for this person (give this or caseId)' })
  @ValidateIf(given)
  @ValidateNested()
  @Type(() => OpenCaseInlineDto)
  case?: OpenCaseInlineDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'Add the person to this open case, e.g. a household member (give this or case)' })
  @ValidateIf(given)
  @IsUUID()
  caseId?: string;

  @ApiPropertyOptional({
    type: [ConsentGivenAtRegistrationDto],
    description: 'Consents given with the registration, one per purpose; identity_matching lets the node publish the person\'s match keys to partner nodes',
  })
  @ValidateIf(given)
  @ArrayMaxSize(CONSENT_PURPOSES.length)
  @ValidateNested({ each: true })
  @Type(() => ConsentGivenAtRegistrationDto)
  consents?: ConsentGivenAtRegistrationDto[];
}

export class UpdatePersonDto extends PersonFieldsDto {
  @ApiPropertyOptional({ example: 'María José' })
  @ValidateIf(sent)
  @IsPersonName()
  givenNames?: string;

  @ApiPropertyOptional({ enum: SEXES })
  @ValidateIf(sent)
  @IsIn(SEXES)
  sex?: SexValue;

  @ApiPropertyOptional({ example: '1994-08-21' })
  @ValidateIf(sent)
  @IsBirthDate()
  birthDate?: string;

  @ApiPropertyOptional({ example: true })
  @ValidateIf(sent)
  @IsBoolean()
  birthDateEstimated?: boolean;

  @ApiPropertyOptional({ example: 'HN' })
  @ValidateIf(sent)
  @IsNationalityCode()
  nationality?: string;
}

export class PossibleDuplicateSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'MX', description: 'Node holding the other record (this node for a local match)' })
  otherNode: string;

  @ApiProperty({ example: '7b1d5c3e-9f0a-4b2c-8d6e-1f2a3b4c5d6e', description: 'Local person id, or the other node\'s opaque reference' })
  otherReference: string;

  @ApiProperty({ example: 0.96 })
  score: number;

  @ApiProperty({ example: ['FULLNAME_DOB', 'FULLNAME_BIRTHYEAR_NATIONALITY'] })
  rules: string[];
}

/** What registration answers: identifiers and minimized attributes only (stored for idempotent replays). */
export class PersonRegistrationDto {
  @ApiProperty({ format: 'uuid' })
  personId: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ example: 'GT-2026-000123' })
  caseReference: string;

  @ApiProperty({ example: true, description: 'A new case was opened for the person' })
  caseOpened: boolean;

  @ApiProperty({ example: 'GT-MRC-01' })
  siteCode: string;

  @ApiProperty({ enum: SEXES })
  sex: string;

  @ApiProperty({ enum: AGE_BANDS, example: 'aged_18_to_59' })
  ageBand: string;

  @ApiProperty({ example: 'HN' })
  nationality: string;

  @ApiProperty({ enum: VULNERABILITY_FLAGS, isArray: true })
  vulnerabilityFlags: string[];

  @ApiProperty({ example: false })
  interpreterNeeded: boolean;

  @ApiProperty({ format: 'date-time' })
  registeredAt: string;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ type: [PossibleDuplicateSummaryDto] })
  possibleDuplicates: PossibleDuplicateSummaryDto[];

  @ApiProperty({ type: [String], format: 'uuid', description: 'Ids of the consents given with the registration, in the order given' })
  consentIds: string[];
}

/** Non-personal view of a person (sex, age band, nationality, flags): what cases:read may see. */
export class PersonSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'GT-MRC-01' })
  siteCode: string;

  @ApiProperty({ enum: SEXES })
  sex: string;

  @ApiProperty({ enum: AGE_BANDS })
  ageBand: string;

  @ApiProperty({ example: 'HN' })
  nationality: string;

  @ApiProperty({ enum: VULNERABILITY_FLAGS, isArray: true })
  vulnerabilityFlags: string[];

  @ApiProperty({ example: false })
  interpreterNeeded: boolean;

  @ApiProperty({ type: [String], format: 'uuid' })
  caseIds: string[];

  @ApiProperty({ format: 'date-time' })
  registeredAt: string;

  @ApiProperty({ example: false })
  erased: boolean;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  erasedAt: string | null;

  @ApiProperty({ example: 1 })
  version: number;
}

export class TransliterationViewDto {
  @ApiProperty({ example: 'Maria Jose' })
  givenNames: string;

  @ApiProperty({ example: 'Perez Gomez', nullable: true, type: String })
  familyNames: string | null;
}

/** A person's identity, decrypted for an audited read (persons:read + X-Purpose). */
export class PersonDto extends PersonSummaryDto {
  @ApiProperty({ example: 'María José' })
  givenNames: string;

  @ApiProperty({ example: 'Pérez Gómez', nullable: true, type: String })
  familyNames: string | null;

  @ApiProperty({ type: TransliterationViewDto, nullable: true })
  transliteration: TransliterationViewDto | null;

  @ApiProperty({ example: '1994-08-21' })
  birthDate: string;

  @ApiProperty({ example: false })
  birthDateEstimated: boolean;

  @ApiProperty({ type: [String], example: [] })
  otherCitizenships: string[];

  @ApiProperty({ type: [LanguageDto] })
  languages: LanguageDto[];

  @ApiProperty({ type: ContactDto, nullable: true })
  contact: ContactDto | null;

  @ApiProperty({ type: [IdentityDocumentDto] })
  documents: IdentityDocumentDto[];

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ErasureDto {
  @ApiProperty({ format: 'uuid' })
  personId: string;

  @ApiProperty({ format: 'date-time' })
  erasedAt: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Cases that keep their non-personal history' })
  caseIds: string[];
}
