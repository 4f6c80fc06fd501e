import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AuditLog, type Caller } from '@puente/audit';
import { type FieldError, ProblemException } from '@puente/platform';
import { isErased, PersonVault } from '@puente/privacy';
import { DataSource, type EntityManager } from 'typeorm';
import { clearMatchFeatures, saveMatchFeatures } from '../matching/match-features';
import type { MatchProfile } from '../matching/scorer';
import { consentRequired, personErased } from '../problems';
import { PersonRegistry } from '../registry/registry.service';
import type { CefrLevel } from './cefr';
import type { IscedLevel, IsicSection } from './isced';
import { iscoTitle } from './isco';
import type { CertificateDto, CertificateTaskDto, CertificateValidation, CertificateValidationOutcome, SkillsProfileDto, SkillsProfileInputDto } from './skills-profile.dto';

/** The profile as encrypted (one JSON document under the person's data key). */
export interface StoredProfile {
  languages: { code: string; level: CefrLevel }[];
  occupations: { iscoCode: string; years?: number; learnedAbroad?: boolean }[];
  certificates: { certificateId: string; title: string; issuingCountry: string; iscoCode?: string; issuedOn?: string; validation: CertificateValidation; validatedAt?: string }[];
  workAbroad: { country: string; sector: IsicSection; years: number; iscoCode?: string }[];
  educationLevel: IscedLevel;
  workArea?: { lat: number; lon: number };
}

interface ProfileRow {
  person_id: string;
  profile_enc: string;
  version: number;
  updated_at: Date;
}

const PROFILE_FIELD = 'skills_profile';

export function skillsProfileNotFound(): ProblemException {
  return new ProblemException(404, 'skills-profile-not-found', 'No skills profile', 'This person has no skills profile yet.', {
    errors: [{ field: 'personId', message: 'no skills profile for this person', code: 'notFound' }],
  });
}

/**
 * What matching may know of a profile: the ISCO codes of the person's occupations, of jobs held
 * abroad and of validated certificates (a pending or rejected certificate proves nothing yet), the
 * languages, and the work area.
 */
export function matchFeaturesOf(personId: string, profile: StoredProfile): MatchProfile {
  const codes = new Set<string>();
  for (const o of profile.occupations) codes.add(o.iscoCode);
  for (const w of profile.workAbroad) if (w.iscoCode) codes.add(w.iscoCode);
  for (const c of profile.certificates) if (c.iscoCode && c.validation === 'validated') codes.add(c.iscoCode);
  return { personId, occupations: [...codes].sort(), languages: profile.languages, location: profile.workArea ?? null };
}

/** A work area kept to 0.01° (about 1 km): a town, never a doorstep. */
const roundArea = (a: { lat: number; lon: number }) => ({ lat: Math.round(a.lat * 100) / 100, lon: Math.round(a.lon * 100) / 100 });

/**
 * Skills profiles, encrypted under the person's data key (PersonVault): written by caseworkers
 * while a reintegration_support consent is in force, read with an audit record, erased with the
 * person (the registry shreds the key; the row and its match features go in the same transaction).
 */
@Injectable()
export class SkillsProfiles implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: PersonVault,
    private readonly registry: PersonRegistry,
    private readonly audit: AuditLog,
  ) {}

  onModuleInit(): void {
    this.registry.onPersonErased(async (tx, { personId }) => {
      await tx.query(`DELETE FROM skills_profile WHERE person_id = $1`, [personId]);
      await clearMatchFeatures(tx, personId);
    });
    // No consent left on any case: the person is no longer offered to employers (the profile stays, encrypted).
    this.registry.onConsentEnded(async (tx, { personId, at }) => {
      if ((await this.consentGap(tx, personId, at)) !== null) await clearMatchFeatures(tx, personId);
    });
  }

  /** Null when the person may be supported (a reintegration_support consent in force on one of their cases), else why not. */
  async consentGap(manager: EntityManager, personId: string, at = new Date()): Promise<string | null> {
    if (await this.registry.isErased(manager, personId)) return 'person-erased';
    const cases: { case_id: string }[] = await manager.query(
      `SELECT case_id FROM case_member WHERE person_id = $1 UNION SELECT case_id FROM reintegration_consent WHERE person_id = $1 ORDER BY case_id`,
      [personId],
    );
    let gap = 'no-consent';
    for (const { case_id } of cases) {
      const g = await this.registry.consentGap(manager, case_id, personId, at);
      if (g === null) return null;
      gap = g;
    }
    return gap;
  }

  /**
   * Which of these persons may be supported now, in one statement (a ranking checks dozens): the
   * same rule as PersonRegistry.consentGap — not erased, and a recorded, not withdrawn
   * reintegration_support consent valid now, of the person or naming no one on a case of theirs.
   */
  async withConsentInForce(manager: EntityManager, personIds: string[]): Promise<Set<string>> {
    if (personIds.length === 0) return new Set();
    const rows: { person_id: string }[] = await manager.query(
      `SELECT p.person_id FROM unnest($1::uuid[]) AS p(person_id)
        WHERE NOT EXISTS (SELECT 1 FROM person_record r WHERE r.person_id = p.person_id AND r.erased_at IS NOT NULL)
          AND EXISTS (
            SELECT 1 FROM reintegration_consent c
             WHERE (c.person_id = p.person_id OR (c.person_id IS NULL AND c.case_id IN (SELECT m.case_id FROM case_member m WHERE m.person_id = p.person_id)))
               AND c.recorded_at IS NOT NULL AND c.withdrawn_at IS NULL
               AND (c.valid_from IS NULL OR c.valid_from <= now()) AND (c.valid_until IS NULL OR c.valid_until > now()))`,
      [personIds],
    );
    return new Set(rows.map((r) => r.person_id));
  }

  /** 410 once erased, 403 without a consent in force. */
  async requireSupportable(manager: EntityManager, personId: string, field = 'personId'): Promise<void> {
    const gap = await this.consentGap(manager, personId);
    if (gap === 'person-erased') throw personErased(field);
    if (gap !== null) throw consentRequired([{ field, message: `no reintegration_support consent in force (${gap})`, code: gap }]);
  }

  /** Creates or replaces the profile; `created` tells which. */
  async save(caller: Caller, personId: string, input: SkillsProfileInputDto): Promise<{ created: boolean; profile: SkillsProfileDto }> {
    return this.dataSource.transaction(async (tx) => {
      await this.requireSupportable(tx, personId);
      const rows: ProfileRow[] = await tx.query(`SELECT person_id, profile_enc, version, updated_at FROM skills_profile WHERE person_id = $1 FOR UPDATE`, [personId]);
      const previous = rows[0] ? await this.decrypt(tx, rows[0]) : null;
      const errors: FieldError[] = [];
      const certificates = input.certificates.map((c, i): StoredProfile['certificates'][number] => {
        const wanted = c.certificateId?.toLowerCase();
        const before = wanted ? previous?.certificates.find((p) => p.certificateId === wanted) : undefined;
        if (c.certificateId && !before) errors.push({ field: `certificates[${i}].certificateId`, message: 'no such certificate in this profile (leave it out for a new one)', code: 'unknownCertificate' });
        // A certificate whose content changed is validated again.
        const same = before && before.title === c.title && before.issuingCountry === c.issuingCountry && before.iscoCode === c.iscoCode && before.issuedOn === c.issuedOn;
        return {
          certificateId: before?.certificateId ?? randomUUID(),
          title: c.title,
          issuingCountry: c.issuingCountry,
          ...(c.iscoCode !== undefined && { iscoCode: c.iscoCode }),
          ...(c.issuedOn !== undefined && { issuedOn: c.issuedOn }),
          validation: same ? before.validation : 'pending',
          ...(same && before.validatedAt && { validatedAt: before.validatedAt }),
        };
      });
      if (errors.length > 0) throw new ProblemException(422, 'unknown-certificate', 'Unknown certificate', 'A certificate id is not in this profile; nothing was written.', { errors });
      const profile: StoredProfile = {
        languages: input.languages.map((l) => ({ code: l.code, level: l.level })),
        occupations: input.occupations.map((o) => ({ iscoCode: o.iscoCode, ...(o.years !== undefined && { years: o.years }), ...(o.learnedAbroad !== undefined && { learnedAbroad: o.learnedAbroad }) })),
        certificates,
        workAbroad: input.workAbroad.map((w) => ({ country: w.country, sector: w.sector, years: w.years, ...(w.iscoCode !== undefined && { iscoCode: w.iscoCode }) })),
        educationLevel: input.educationLevel,
        ...(input.workArea && { workArea: roundArea(input.workArea) }),
      };
      // A certificate taken out of the profile needs no validation: its open task is cancelled with it.
      const removed = (previous?.certificates ?? []).map((c) => c.certificateId).filter((id) => !certificates.some((c) => c.certificateId === id));
      if (removed.length > 0) {
        // The plan rows are not touched: plan writers lock the plan before the profile, this one holds the profile.
        await tx.query(
          `UPDATE plan_task SET status = 'cancelled'
            WHERE person_id = $1 AND kind = 'certificate_validation' AND status = 'open' AND details -> 'certificate' ->> 'certificateId' = ANY($2::text[])`,
          [personId, removed],
        );
      }
      const row = await this.write(tx, caller, personId, profile, rows[0]?.version ?? 0);
      return { created: rows.length === 0, profile: await view(tx, personId, profile, row) };
    });
  }

  async get(personId: string): Promise<SkillsProfileDto> {
    const manager = this.dataSource.manager;
    if (await this.registry.isErased(manager, personId)) throw personErased('personId');
    const rows: ProfileRow[] = await manager.query(`SELECT person_id, profile_enc, version, updated_at FROM skills_profile WHERE person_id = $1`, [personId]);
    if (rows.length === 0) throw skillsProfileNotFound();
    return view(manager, personId, await this.decrypt(manager, rows[0]), rows[0]);
  }

  /** Records the outcome of a certificate validated without a task; one with an open validation task is decided by completing the task. */
  async validateCertificate(caller: Caller, personId: string, certificateId: string, outcome: CertificateValidationOutcome): Promise<SkillsProfileDto> {
    return this.dataSource.transaction(async (tx) => {
      await this.requireSupportable(tx, personId);
      // The profile first: a task being added for this certificate commits before we look.
      await this.lockProfile(tx, personId);
      const open: { id: string; plan_id: string }[] = await tx.query(
        `SELECT id, plan_id FROM plan_task WHERE person_id = $1 AND kind = 'certificate_validation' AND status = 'open' AND details -> 'certificate' ->> 'certificateId' = $2`,
        [personId, certificateId],
      );
      if (open.length > 0) {
        throw new ProblemException(409, 'certificate-has-task', 'Certificate has a validation task', 'Complete its open validation task with the outcome instead.', {
          taskId: open[0].id,
          planId: open[0].plan_id,
          errors: [{ field: 'certificateId', message: 'has an open validation task', code: 'certificateHasTask' }],
        });
      }
      return this.decideCertificate(tx, caller, personId, certificateId, outcome);
    });
  }

  /**
   * The pending certificate a validation task is about to name, with the profile row locked until
   * the caller's transaction ends (a removal or a decision waits for the task). 422 when the
   * person has no such certificate, 409 when it was already decided.
   */
  async requirePendingCertificate(tx: EntityManager, caller: Caller, personId: string, certificateId: string, field: string): Promise<void> {
    const rows: ProfileRow[] = await tx.query(`SELECT person_id, profile_enc, version, updated_at FROM skills_profile WHERE person_id = $1 FOR UPDATE`, [personId]);
    // The profile is decrypted for a plan's route: its own audit record, as the profile's routes have.
    if (rows.length > 0) await this.auditProfile(tx, caller, personId, 'skills-profile.read');
    const certificate = rows.length === 0 ? undefined : (await this.decrypt(tx, rows[0])).certificates.find((c) => c.certificateId === certificateId);
    if (!certificate) {
      throw new ProblemException(422, 'unknown-certificate', 'Unknown certificate', "The member's skills profile has no certificate with this id.", {
        errors: [{ field, message: "is not a certificate of the member's skills profile", code: 'unknownCertificate' }],
      });
    }
    if (certificate.validation !== 'pending') throw alreadyDecided(certificate.validation, field);
  }

  /** Locks the person's profile row (before a task row, the order every writer takes). */
  async lockProfile(tx: EntityManager, personId: string): Promise<void> {
    await tx.query(`SELECT 1 FROM skills_profile WHERE person_id = $1 FOR UPDATE`, [personId]);
  }

  /**
   * Marks a pending certificate validated or rejected, in the caller's transaction; a validated
   * certificate's ISCO code then counts in matching. `viaTask`: called for a plan's task, so the
   * profile's own audit record is written here (the profile route has its own).
   */
  async decideCertificate(tx: EntityManager, caller: Caller, personId: string, certificateId: string, outcome: CertificateValidationOutcome, viaTask = false): Promise<SkillsProfileDto> {
    if (viaTask) await this.requireSupportable(tx, personId);
    const rows: ProfileRow[] = await tx.query(`SELECT person_id, profile_enc, version, updated_at FROM skills_profile WHERE person_id = $1 FOR UPDATE`, [personId]);
    if (rows.length === 0) throw skillsProfileNotFound();
    const profile = await this.decrypt(tx, rows[0]);
    const certificate = profile.certificates.find((c) => c.certificateId === certificateId);
    if (!certificate) {
      throw new ProblemException(404, 'certificate-not-found', 'No such certificate', 'The profile has no certificate with this id.', {
        errors: [{ field: 'certificateId', message: 'no such certificate in this profile', code: 'notFound' }],
      });
    }
    if (certificate.validation !== 'pending') throw alreadyDecided(certificate.validation, 'certificateId');
    certificate.validation = outcome;
    certificate.validatedAt = new Date().toISOString();
    const row = await this.write(tx, caller, personId, profile, rows[0].version);
    if (viaTask) await this.auditProfile(tx, caller, personId, 'skills-profile.validate');
    return view(tx, personId, profile, row);
  }

  private async auditProfile(tx: EntityManager, caller: Caller, personId: string, action: string): Promise<void> {
    await this.audit.append(tx, {
      action,
      objectType: 'person',
      objectId: personId,
      purpose: 'case-management',
      actor: caller.auditActor,
      requestId: caller.requestId,
      traceparent: caller.traceparent,
    });
  }

  private async write(tx: EntityManager, caller: Caller, personId: string, profile: StoredProfile, version: number): Promise<Omit<ProfileRow, 'profile_enc' | 'person_id'>> {
    const { [PROFILE_FIELD]: ciphertext } = await this.vault.encryptFields(personId, { [PROFILE_FIELD]: JSON.stringify(profile) }, tx);
    const [row]: Omit<ProfileRow, 'profile_enc' | 'person_id'>[] = await tx.query(
      `INSERT INTO skills_profile (person_id, profile_enc, version, updated_by_client, updated_by_partner) VALUES ($1, $2, 1, $3, $4)
       ON CONFLICT (person_id) DO UPDATE SET profile_enc = EXCLUDED.profile_enc, version = skills_profile.version + 1, updated_at = clock_timestamp(),
         updated_by_client = EXCLUDED.updated_by_client, updated_by_partner = EXCLUDED.updated_by_partner
       WHERE skills_profile.version = $5
       RETURNING version, updated_at`,
      [personId, ciphertext, caller.principal.clientId, caller.principal.partnerId, version],
    );
    // Rows are locked FOR UPDATE before: a version mismatch cannot happen, but never overwrite blindly.
    if (!row) throw new ProblemException(409, 'conflict', 'Changed meanwhile', 'The profile changed while it was being saved; try again.');
    await saveMatchFeatures(tx, matchFeaturesOf(personId, profile));
    return row;
  }

  private async decrypt(manager: EntityManager, row: ProfileRow): Promise<StoredProfile> {
    const data = await this.vault.decryptFields(row.person_id, { [PROFILE_FIELD]: row.profile_enc }, manager);
    if (isErased(data)) throw personErased('personId');
    return JSON.parse(data.fields[PROFILE_FIELD] as string) as StoredProfile;
  }
}

function alreadyDecided(validation: CertificateValidation, field: string): ProblemException {
  return new ProblemException(409, 'certificate-already-decided', 'Certificate already decided', `This certificate was already ${validation}.`, {
    validation,
    errors: [{ field, message: `was already ${validation}`, code: 'certificateAlreadyDecided' }],
  });
}

/** Each certificate's validation task: the open one, else the latest. */
async function certificateTasks(manager: EntityManager, personId: string): Promise<Map<string, CertificateTaskDto>> {
  const rows: { certificate_id: string; id: string; plan_id: string; status: string; due_on: string }[] = await manager.query(
    `SELECT DISTINCT ON (details -> 'certificate' ->> 'certificateId') details -> 'certificate' ->> 'certificateId' AS certificate_id, id, plan_id, status, to_char(due_on, 'YYYY-MM-DD') AS due_on
       FROM plan_task
      WHERE person_id = $1 AND kind = 'certificate_validation' AND details -> 'certificate' ->> 'certificateId' IS NOT NULL
      ORDER BY details -> 'certificate' ->> 'certificateId', status = 'open' DESC, created_at DESC, id`,
    [personId],
  );
  return new Map(rows.map((r) => [r.certificate_id, { taskId: r.id, planId: r.plan_id, status: r.status, dueOn: r.due_on }]));
}

async function view(manager: EntityManager, personId: string, profile: StoredProfile, row: { version: number; updated_at: Date }): Promise<SkillsProfileDto> {
  const tasks = await certificateTasks(manager, personId);
  return {
    personId,
    languages: profile.languages,
    occupations: profile.occupations.map((o) => ({ ...o, title: iscoTitle(o.iscoCode) ?? o.iscoCode })),
    certificates: profile.certificates.map((c): CertificateDto => ({ ...c, validationTask: tasks.get(c.certificateId) ?? null })),
    workAbroad: profile.workAbroad,
    educationLevel: profile.educationLevel,
    ...(profile.workArea && { workArea: profile.workArea }),
    version: row.version,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
