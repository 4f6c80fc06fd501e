import type { MatchIdentity } from '@puente/privacy';
import type { Person } from './person.entity';
import type { PersonDto, PersonSummaryDto, RegisterPersonDto, UpdatePersonDto } from './person.dto';
import type { PersonalData } from './personal-data';

/** Personal data as registered (defaults applied, absent lists empty). */
export function personalDataFromDto(dto: RegisterPersonDto): PersonalData {
  return {
    givenNames: dto.givenNames,
    familyNames: dto.familyNames ?? null,
    transliteration: dto.transliteration ? { givenNames: dto.transliteration.givenNames, familyNames: dto.transliteration.familyNames ?? null } : null,
    birthDate: dto.birthDate,
    birthDateEstimated: dto.birthDateEstimated ?? false,
    otherCitizenships: dto.otherCitizenships ?? [],
    languages: (dto.languages ?? []).map((l) => ({ code: l.code, primary: l.primary ?? false, interpreterNeeded: l.interpreterNeeded ?? false })),
    contact: dto.contact
      ? { phone: dto.contact.phone ?? null, whatsapp: dto.contact.whatsapp ?? null, email: dto.contact.email ?? null, address: dto.contact.address ?? null }
      : null,
    documents: (dto.documents ?? []).map((d) => ({
      type: d.type,
      number: d.number,
      issuingCountry: d.issuingCountry,
      expiresOn: d.expiresOn ?? null,
      verification: d.verification ?? 'unverified',
    })),
  };
}

/** Applies a PATCH (undefined = unchanged, null = cleared) to the current personal data. */
export function applyPersonalDataPatch(current: PersonalData, dto: UpdatePersonDto): PersonalData {
  const patched = personalDataFromDto({
    siteCode: '',
    sex: 'undisclosed',
    nationality: 'XX',
    givenNames: dto.givenNames ?? current.givenNames,
    familyNames: dto.familyNames === undefined ? current.familyNames : dto.familyNames,
    transliteration: dto.transliteration === undefined ? current.transliteration : dto.transliteration,
    birthDate: dto.birthDate ?? current.birthDate,
    birthDateEstimated: dto.birthDateEstimated ?? current.birthDateEstimated,
    otherCitizenships: dto.otherCitizenships === undefined ? current.otherCitizenships : dto.otherCitizenships,
    languages: dto.languages === undefined ? current.languages : dto.languages,
    contact: dto.contact === undefined ? current.contact : dto.contact,
    documents: dto.documents === undefined ? current.documents : dto.documents,
  });
  return patched;
}

/**
 * Identity for match keys: given and family names apart (so the given-name and surname rules
 * apply), the exact birth date unless estimated, and the nationality unless unknown.
 */
export function matchIdentityOf(data: PersonalData, nationality: string): MatchIdentity {
  return {
    givenName: data.givenNames,
    familyName: data.familyNames,
    birthDate: data.birthDate,
    birthDateEstimated: data.birthDateEstimated,
    nationality: nationality === 'XX' ? null : nationality,
  };
}

export function toPersonSummary(person: Person, caseIds: string[]): PersonSummaryDto {
  return {
    id: person.id,
    siteCode: person.siteCode,
    sex: person.sex,
    ageBand: person.ageBand,
    nationality: person.nationality,
    vulnerabilityFlags: person.vulnerabilityFlags,
    interpreterNeeded: person.interpreterNeeded,
    caseIds,
    registeredAt: person.registeredAt.toISOString(),
    erased: person.erasedAt !== null,
    erasedAt: person.erasedAt?.toISOString() ?? null,
    version: person.version,
  };
}

export function toPersonDto(person: Person, caseIds: string[], data: PersonalData): PersonDto {
  return {
    ...toPersonSummary(person, caseIds),
    givenNames: data.givenNames,
    familyNames: data.familyNames,
    transliteration: data.transliteration,
    birthDate: data.birthDate,
    birthDateEstimated: data.birthDateEstimated,
    otherCitizenships: data.otherCitizenships,
    languages: data.languages,
    contact: data.contact,
    documents: data.documents,
    updatedAt: person.updatedAt.toISOString(),
  };
}
