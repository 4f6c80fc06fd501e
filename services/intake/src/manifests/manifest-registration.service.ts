import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditLog, type Caller } from '@puente/audit';
import { assertJurisdiction } from '@puente/auth';
import { flattenValidationErrors, ProblemException } from '@puente/platform';
import { signalOf } from '@puente/privacy';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseOpener } from '../cases/case-opener';
import { DuplicateDetector } from '../duplicates/duplicate-detector';
import { IntakeEvents } from '../events/intake-events';
import { Person } from '../persons/person.entity';
import { matchIdentityOf } from '../persons/person-mapping';
import { PersonRegistrationService } from '../persons/person-registration.service';
import { SitesService } from '../sites/sites.service';
import { ManifestPersonDto, type ManifestRegistrationDto, type ManifestRowResultDto } from './manifest-registration.dto';

/** Rows registered or matched at once in one call (a pool connection each). */
const ROW_CONCURRENCY = 8;

/** Statuses in which a case still receives its person back (not closed, not handed to another node). */
const LIVE_CASE_STATUSES = ['open', 'in_screening', 'screened', 'referred', 'transfer_pending', 'on_hold'];

/**
 * Register-or-match for the persons of an arrival manifest (called by reception). Each row is
 * validated on its own; a person whose full name and exact birth date match a local person
 * (the FULLNAME_DOB match key) is that person: their live case is answered, or a case is opened
 * for them. Everyone else is registered through the one registration path
 * (PersonRegistrationService), which also records weaker and cross-border possible duplicates.
 */
@Injectable()
export class ManifestRegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registration: PersonRegistrationService,
    private readonly detector: DuplicateDetector,
    private readonly cases: CaseOpener,
    private readonly events: IntakeEvents,
    private readonly audit: AuditLog,
    private readonly sites: SitesService,
  ) {}

  async registerOrMatch(caller: Caller, dto: ManifestRegistrationDto): Promise<ManifestRowResultDto[]> {
    assertJurisdiction(caller.principal, dto.siteCode);
    await this.sites.requireActiveSite(this.dataSource.manager, caller, dto.siteCode);
    // A few rows at a time (each registration is its own statement or transaction); answers keep the rows' order.
    const results: ManifestRowResultDto[] = new Array(dto.rows.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < dto.rows.length; index = next++) results[index] = await this.row(caller, dto.siteCode, index, dto.rows[index]);
    };
    await Promise.all(Array.from({ length: Math.min(ROW_CONCURRENCY, dto.rows.length) }, worker));
    return results;
  }

  private async row(caller: Caller, siteCode: string, index: number, raw: Record<string, unknown>): Promise<ManifestRowResultDto> {
    const rowKey = typeof raw.rowKey === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(raw.rowKey) ? raw.rowKey : null;
    const rejected = (errors: { field: string; code: string }[]): ManifestRowResultDto => ({ rowKey, index, outcome: 'rejected', personId: null, caseId: null, caseOpened: false, errors });
    const row = plainToInstance(ManifestPersonDto, raw);
    const invalid = await validate(row, { whitelist: true, forbidNonWhitelisted: true });
    if (invalid.length > 0) return rejected(flattenValidationErrors(invalid).map((e) => ({ field: e.field, code: e.code ?? 'invalid' })));
    const familyNames = row.familyNames ?? null;
    const identity = matchIdentityOf(
      { givenNames: row.givenNames, familyNames, transliteration: null, birthDate: row.birthDate, birthDateEstimated: false, otherCitizenships: [], languages: [], contact: null, documents: [] },
      row.nationality,
    );
    const match = await this.sameLocalPerson(identity);
    try {
      if (match) {
        const { caseId, caseOpened } = await this.caseOfMatchedPerson(caller, siteCode, match);
        return { rowKey, index, outcome: 'matched', personId: match, caseId, caseOpened, errors: [] };
      }
      const registered = await this.registration.register(caller, {
        siteCode,
        givenNames: row.givenNames,
        familyNames,
        birthDate: row.birthDate,
        nationality: row.nationality,
        sex: row.sex,
        case: {},
      });
      return { rowKey, index, outcome: 'registered', personId: registered.personId, caseId: registered.caseId, caseOpened: true, errors: [] };
    } catch (error) {
      // A whole-call problem (site inactive, outside the jurisdiction) is the caller's to see at once.
      if (error instanceof ProblemException && error.getStatus() !== 422) throw error;
      if (error instanceof ProblemException) {
        const errors = ((error.getResponse() as { errors?: { field: string; code?: string }[] }).errors ?? []).map((e) => ({ field: e.field, code: e.code ?? 'invalid' }));
        if (errors.some((e) => e.field === 'siteCode')) throw error;
        return rejected(errors);
      }
      throw error;
    }
  }

  /** The local person with the same full name and exact birth date (FULLNAME_DOB), if exactly one. */
  private async sameLocalPerson(identity: ReturnType<typeof matchIdentityOf>): Promise<string | null> {
    const keys = this.detector.keysOf(identity);
    const candidates = await this.detector.candidates(this.dataSource.manager, keys, { partners: false });
    const same = this.detector
      .score(keys, candidates)
      .filter((s) => s.rules.some((r) => signalOf(r as Parameters<typeof signalOf>[0]) === 'FULLNAME_DOB'))
      .map((s) => s.c.reference);
    return same.length === 1 ? same[0] : null;
  }

  /** The matched person's most recent live case, or a new case opened for them at the center (audited as a match). */
  private async caseOfMatchedPerson(caller: Caller, siteCode: string, personId: string): Promise<{ caseId: string; caseOpened: boolean }> {
    const at = new Date();
    const reference = await this.cases.prepare(at);
    return this.dataSource.transaction(async (tx) => {
      await this.audit.append(tx, {
        actor: caller.auditActor,
        requestId: caller.requestId,
        traceparent: caller.traceparent,
        action: 'person.match',
        objectType: 'person',
        objectId: personId,
        purpose: 'case-management',
        occurredAt: at,
      });
      const live = await liveCaseOf(tx, personId);
      if (live) return { caseId: live, caseOpened: false };
      const person = await tx.findOneByOrFail(Person, { id: personId });
      const opened = await this.cases.open(tx, caller, { caseId: randomUUID(), siteCode, priority: 'normal', household: false, principal: person, at, reference });
      await this.events.append(tx, caller.traceparent, opened.events, at);
      return { caseId: opened.case.id, caseOpened: true };
    });
  }
}

async function liveCaseOf(tx: EntityManager, personId: string): Promise<string | null> {
  const rows: { id: string }[] = await tx.query(
    `SELECT c.id FROM case_person cp JOIN intake_case c ON c.id = cp.case_id
     WHERE cp.person_id = $1 AND c.status = ANY($2::text[]) ORDER BY c.opened_at DESC, c.id LIMIT 1`,
    [personId, LIVE_CASE_STATUSES],
  );
  return rows[0]?.id ?? null;
}
