import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { assertJurisdiction, type Principal, resourceNotFound } from '@puente/auth';
import { OutboxWriter } from '@puente/messaging';
import {
  assertIfMatch,
  assertVersionUpdated,
  computeEtag,
  type FieldError,
  isUniqueViolation,
  type Page,
  paginate,
  type SortKey,
  ProblemException,
  ProblemTypes,
  ServiceConfig,
  validationProblem,
} from '@puente/platform';
import type { FastifyRequest } from 'fastify';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { WebhookAddressPolicy, WebhookAddressRefused } from '../delivery/webhook-address-policy';
import { agreementChanged, type DirectoryActor, partnerChanged, programChanged } from './directory-events';
import type {
  CreateAgreementDto,
  CreateLocationDto,
  CreatePartnerDto,
  CreateProgramDto,
  ListAgreementsQuery,
  ListLocationsQuery,
  ListPartnersQuery,
  ListProgramsQuery,
  UpdateAgreementDto,
  UpdateLocationDto,
  UpdatePartnerDto,
  UpdateProgramDto,
} from './directory.dto';
import { AgreementEntity, LocationEntity, PartnerEntity, ProgramEntity, ProgramLocationEntity } from './directory.entities';
import { compileEligibility } from './eligibility';
import { WebhookSecrets } from './webhook-secrets';
import { AGREEMENT_PURPOSES, type DeliveryChannel } from './vocabulary';

/** A strong ETag per directory object (kind in the id, so a partner's never matches a program's). */
export function directoryEtag(kind: 'partner' | 'program' | 'location' | 'agreement', o: { id: string; version: number }): string {
  return computeEtag({ id: `${kind}:${o.id}`, version: o.version });
}

const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function forbidden(detail: string): ProblemException {
  return new ProblemException(403, ProblemTypes.FORBIDDEN, 'Forbidden', detail);
}

function unknownReference(field: string, what: string): ProblemException {
  return new ProblemException(422, 'unknown-reference', 'Unknown reference', `${field} does not name ${what}.`, { errors: [{ field, message: `no such ${what}` }] });
}

function alreadyExists(field: string, what: string): ProblemException {
  return new ProblemException(409, 'already-exists', 'Already exists', `A ${what} with this ${field} already exists.`, { errors: [{ field, message: `${what} already exists` }] });
}

/** Who is writing, and on whose behalf: node staff, or a listed partner acting on its own listing. */
export interface DirectoryCaller {
  principal: Principal;
  request: FastifyRequest;
}

/**
 * Writes and admin reads of the directory. Node staff (callers whose partner is not listed in the
 * directory, with this node in their jurisdictions) manage everything; a listed partner manages
 * only its own entry, programs and locations, and sees only its own agreements and delivery
 * settings. Every change emits its directory event through the outbox, in the same transaction.
 */
@Injectable()
export class DirectoryAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ServiceConfig,
    private readonly outbox: OutboxWriter,
    private readonly secrets: WebhookSecrets,
    private readonly webhookPolicy: WebhookAddressPolicy,
  ) {}

  private actor(principal: Principal): DirectoryActor {
    return { clientId: principal.clientId, partnerId: principal.partnerId, node: principal.node };
  }

  /** True when the caller acts for a partner listed in this directory (not node staff). */
  async isListedPartner(m: EntityManager, principal: Principal): Promise<boolean> {
    return (await m.getRepository(PartnerEntity).countBy({ id: principal.partnerId })) > 0;
  }

  /** Node staff of this node: not a listed partner, and this node in their jurisdictions. */
  private async assertNodeStaff(m: EntityManager, principal: Principal, what: string): Promise<void> {
    if (await this.isListedPartner(m, principal)) throw forbidden(`Only this node's staff may ${what}; a partner manages its own listing only.`);
    assertJurisdiction(principal, this.config.PUENTE_NODE);
  }

  /** Node staff, or the partner itself. */
  private async assertManages(m: EntityManager, principal: Principal, partnerId: string): Promise<void> {
    if (principal.partnerId === partnerId) return;
    await this.assertNodeStaff(m, principal, "change another partner's listing");
  }

  /** Whether the caller may see the partner's delivery settings (node staff or the partner itself). */
  async seesDeliveryOf(principal: Principal, partnerId: string): Promise<boolean> {
    return principal.partnerId === partnerId || !(await this.isListedPartner(this.dataSource.manager, principal));
  }

  private checkWebhook(channels: readonly DeliveryChannel[], url: string | null | undefined, hasSecret: boolean): void {
    const errors: FieldError[] = [];
    if (url) {
      try {
        this.webhookPolicy.checkUrl(url);
      } catch (e) {
        if (!(e instanceof WebhookAddressRefused)) throw e;
        errors.push({ field: 'webhookUrl', message: e.message });
      }
    }
    if (channels.includes('webhook')) {
      if (!url) errors.push({ field: 'webhookUrl', message: 'webhookUrl is required with the webhook channel' });
      if (!hasSecret) errors.push({ field: 'webhookSecret', message: 'webhookSecret is required with the webhook channel' });
    }
    if (errors.length) throw validationProblem(errors);
  }

  // ---------- partners ----------

  async createPartner(caller: DirectoryCaller, dto: CreatePartnerDto): Promise<PartnerEntity> {
    this.checkWebhook(dto.deliveryChannels, dto.webhookUrl, dto.webhookSecret !== undefined);
    try {
      return await this.dataSource.transaction(async (tx) => {
        await this.assertNodeStaff(tx, caller.principal, 'add partners');
        const now = new Date();
        const sealed = dto.webhookSecret ? this.secrets.seal(dto.webhookSecret) : null;
        await tx.insert(PartnerEntity, {
          id: dto.id,
          name: dto.name,
          alternateName: dto.alternateName ?? null,
          kind: dto.kind,
          partnerType: dto.partnerType,
          description: dto.description ?? null,
          country: dto.country,
          node: dto.node,
          website: dto.website ?? null,
          email: dto.email ?? null,
          status: 'active',
          deliveryChannels: dto.deliveryChannels,
          webhookUrl: dto.webhookUrl ?? null,
          webhookSecretId: sealed?.secretId ?? null,
          webhookSecretKekId: sealed?.kekId ?? null,
          webhookSecretWrappedKey: sealed?.wrappedKey ?? null,
          webhookSecretCiphertext: sealed?.ciphertext ?? null,
          lastVerifiedOn: dto.lastVerifiedOn ?? null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
        const partner = await tx.findOneByOrFail(PartnerEntity, { id: dto.id });
        await this.outbox.append(tx, partnerChanged(partner, true, this.actor(caller.principal)));
        return partner;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyExists('id', 'partner');
      throw error;
    }
  }

  async updatePartner(caller: DirectoryCaller, id: string, dto: UpdatePartnerDto): Promise<PartnerEntity> {
    return this.dataSource.transaction(async (tx) => {
      const current = await tx
        .getRepository(PartnerEntity)
        .createQueryBuilder('o')
        .addSelect('o.webhookSecretCiphertext')
        .setLock('pessimistic_write')
        .where('o.id = :id', { id })
        .getOne();
      if (!current) throw resourceNotFound('partner');
      await this.assertManages(tx, caller.principal, id);
      assertIfMatch(caller.request, directoryEtag('partner', current));
      const channels = dto.deliveryChannels ?? current.deliveryChannels;
      const url = dto.webhookUrl ?? current.webhookUrl;
      this.checkWebhook(channels, dto.webhookUrl ?? (channels.includes('webhook') ? url : null), dto.webhookSecret !== undefined || current.webhookSecretCiphertext !== null);
      const patch: Partial<PartnerEntity> = { updatedAt: new Date() };
      for (const k of ['name', 'alternateName', 'kind', 'partnerType', 'description', 'website', 'email', 'status', 'deliveryChannels', 'webhookUrl', 'lastVerifiedOn'] as const) {
        if (dto[k] !== undefined) (patch as Record<string, unknown>)[k] = dto[k];
      }
      if (dto.webhookSecret !== undefined) {
        const sealed = this.secrets.seal(dto.webhookSecret);
        Object.assign(patch, { webhookSecretId: sealed.secretId, webhookSecretKekId: sealed.kekId, webhookSecretWrappedKey: sealed.wrappedKey, webhookSecretCiphertext: sealed.ciphertext });
      }
      await updateVersioned(tx, PartnerEntity, id, current.version, patch);
      const partner = await tx.findOneByOrFail(PartnerEntity, { id });
      await this.outbox.append(tx, partnerChanged(partner, false, this.actor(caller.principal)));
      return partner;
    });
  }

  async getPartner(id: string): Promise<PartnerEntity> {
    const partner = await this.dataSource.getRepository(PartnerEntity).findOneBy({ id });
    if (!partner) throw resourceNotFound('partner');
    return partner;
  }

  async hasWebhookSecret(id: string): Promise<boolean> {
    return (await this.dataSource.query(`SELECT 1 FROM directory_partner WHERE id = $1 AND webhook_secret_ciphertext IS NOT NULL`, [id])).length > 0;
  }

  async listPartners(q: ListPartnersQuery): Promise<Page<PartnerEntity>> {
    const qb = this.dataSource.getRepository(PartnerEntity).createQueryBuilder('o');
    if (q.country) qb.andWhere('o.country = :country', { country: q.country });
    if (q.kind) qb.andWhere('o.kind = :kind', { kind: q.kind });
    return paginate(qb, {
      limit: q.limit,
      cursor: q.cursor,
      sort: byCreation('o'),
      scope: `directory/partners?country=${q.country ?? ''}&kind=${q.kind ?? ''}`,
    });
  }

  // ---------- locations ----------

  async createLocation(caller: DirectoryCaller, dto: CreateLocationDto): Promise<LocationEntity> {
    return this.dataSource.transaction(async (tx) => {
      if (!(await tx.existsBy(PartnerEntity, { id: dto.partnerId }))) throw unknownReference('partnerId', 'a partner in the directory');
      await this.assertManages(tx, caller.principal, dto.partnerId);
      const now = new Date();
      const id = randomUUID();
      await tx.insert(LocationEntity, {
        id,
        partnerId: dto.partnerId,
        name: dto.name,
        siteCode: dto.siteCode ?? null,
        country: dto.country,
        subdivision: dto.subdivision ?? null,
        city: dto.city,
        address: dto.address ?? null,
        latitude: dto.latitude ?? null,
        longitude: dto.longitude ?? null,
        accessibility: dto.accessibility ?? [],
        openingHours: dto.openingHours ?? [],
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      return tx.findOneByOrFail(LocationEntity, { id });
    });
  }

  async updateLocation(caller: DirectoryCaller, id: string, dto: UpdateLocationDto): Promise<LocationEntity> {
    return this.dataSource.transaction(async (tx) => {
      const current = await tx.findOne(LocationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw resourceNotFound('location');
      await this.assertManages(tx, caller.principal, current.partnerId);
      assertIfMatch(caller.request, directoryEtag('location', current));
      const patch: Partial<LocationEntity> = { updatedAt: new Date() };
      for (const k of ['name', 'address', 'accessibility', 'openingHours'] as const) {
        if (dto[k] !== undefined) (patch as Record<string, unknown>)[k] = dto[k];
      }
      await updateVersioned(tx, LocationEntity, id, current.version, patch);
      return tx.findOneByOrFail(LocationEntity, { id });
    });
  }

  async getLocation(id: string): Promise<LocationEntity> {
    const location = isUuid(id) ? await this.dataSource.getRepository(LocationEntity).findOneBy({ id }) : null;
    if (!location) throw resourceNotFound('location');
    return location;
  }

  async listLocations(q: ListLocationsQuery): Promise<Page<LocationEntity>> {
    const qb = this.dataSource.getRepository(LocationEntity).createQueryBuilder('l');
    if (q.partnerId) qb.andWhere('l.partner_id = :p', { p: q.partnerId });
    if (q.country) qb.andWhere('l.country = :c', { c: q.country });
    return paginate(qb, {
      limit: q.limit,
      cursor: q.cursor,
      sort: byCreation('l', true),
      scope: `directory/locations?partnerId=${q.partnerId ?? ''}&country=${q.country ?? ''}`,
    });
  }

  // ---------- programs ----------

  private compileRule(json: unknown): void {
    if (json === undefined || json === null) return;
    const { issues } = compileEligibility(json);
    if (issues.length) {
      throw new ProblemException(422, 'invalid-eligibility-rule', 'Invalid eligibility rule', 'The eligibility rule does not compile; each error names its exact place.', {
        errors: issues.map((i) => ({ field: i.path, message: i.message, code: i.code })),
      });
    }
  }

  private async setLocations(tx: EntityManager, programId: string, partnerId: string, locationIds: readonly string[]): Promise<void> {
    if (locationIds.length) {
      const found = await tx.getRepository(LocationEntity).createQueryBuilder('l').where('l.id IN (:...ids) AND l.partner_id = :p', { ids: locationIds, p: partnerId }).getCount();
      if (found !== locationIds.length) throw unknownReference('locationIds', "a location of the program's partner");
    }
    await tx.delete(ProgramLocationEntity, { programId });
    if (locationIds.length) await tx.insert(ProgramLocationEntity, locationIds.map((locationId) => ({ programId, locationId })));
  }

  async createProgram(caller: DirectoryCaller, dto: CreateProgramDto): Promise<ProgramEntity> {
    this.compileRule(dto.eligibilityRule);
    if (dto.openSlots !== undefined && dto.openSlots > dto.totalSlots) throw validationProblem([{ field: 'openSlots', message: 'openSlots must not exceed totalSlots' }]);
    return this.dataSource.transaction(async (tx) => {
      const partner = await tx.findOneBy(PartnerEntity, { id: dto.partnerId });
      if (!partner) throw unknownReference('partnerId', 'a partner in the directory');
      await this.assertManages(tx, caller.principal, dto.partnerId);
      const now = new Date();
      const id = randomUUID();
      await tx.insert(ProgramEntity, {
        id,
        partnerId: dto.partnerId,
        name: dto.name,
        alternateName: dto.alternateName ?? null,
        description: dto.description,
        pathway: dto.pathway,
        status: 'active',
        taxonomyCode: dto.taxonomyCode ?? null,
        node: dto.node ?? partner.node,
        languages: dto.languages ?? [],
        serviceAreas: dto.serviceAreas ?? [],
        requiredDocuments: dto.requiredDocuments ?? [],
        fees: dto.fees ?? { free: true },
        applicationProcess: dto.applicationProcess ?? null,
        eligibilityDescription: dto.eligibilityDescription ?? null,
        eligibilityRule: dto.eligibilityRule ?? null,
        totalSlots: dto.totalSlots,
        openSlots: dto.openSlots ?? dto.totalSlots,
        waitlist: dto.waitlist ?? 0,
        slaAcknowledgeHours: dto.slaAcknowledgeHours,
        slaDecideHours: dto.slaDecideHours,
        autoReferOnProtectionAlert: dto.autoReferOnProtectionAlert ?? false,
        lastVerifiedOn: dto.lastVerifiedOn ?? null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      } as never);
      await this.setLocations(tx, id, dto.partnerId, dto.locationIds ?? []);
      const program = await tx.findOneByOrFail(ProgramEntity, { id });
      await this.outbox.append(tx, programChanged(program, true, this.actor(caller.principal)));
      return program;
    });
  }

  async updateProgram(caller: DirectoryCaller, id: string, dto: UpdateProgramDto): Promise<ProgramEntity> {
    this.compileRule(dto.eligibilityRule);
    return this.dataSource.transaction(async (tx) => {
      const current = isUuid(id) ? await tx.findOne(ProgramEntity, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!current) throw resourceNotFound('program');
      await this.assertManages(tx, caller.principal, current.partnerId);
      assertIfMatch(caller.request, directoryEtag('program', current));
      const patch: Record<string, unknown> = { updatedAt: new Date() };
      for (const k of ['name', 'description', 'status', 'languages', 'serviceAreas', 'requiredDocuments', 'fees', 'eligibilityDescription', 'eligibilityRule', 'waitlist', 'slaAcknowledgeHours', 'slaDecideHours', 'autoReferOnProtectionAlert', 'lastVerifiedOn'] as const) {
        if (dto[k] !== undefined) patch[k] = dto[k];
      }
      const update = tx.createQueryBuilder().update(ProgramEntity).set({ ...patch, version: () => 'version + 1' } as never);
      if (dto.totalSlots !== undefined) {
        // Open slots move with the total; reserved slots (total - open) stay reserved. Relative to
        // the row's current values, so a concurrent reservation is never undone.
        update.set({ ...patch, version: () => 'version + 1', totalSlots: dto.totalSlots, openSlots: () => `GREATEST(0, open_slots + ${Number(dto.totalSlots)} - total_slots)` } as never);
      }
      assertVersionUpdated(await update.where('id = :id AND version = :version', { id, version: current.version }).execute());
      if (dto.locationIds !== undefined) await this.setLocations(tx, id, current.partnerId, dto.locationIds);
      const program = await tx.findOneByOrFail(ProgramEntity, { id });
      await this.outbox.append(tx, programChanged(program, false, this.actor(caller.principal)));
      return program;
    });
  }

  async getProgram(id: string): Promise<ProgramEntity> {
    const program = isUuid(id) ? await this.dataSource.getRepository(ProgramEntity).findOneBy({ id }) : null;
    if (!program) throw resourceNotFound('program');
    return program;
  }

  async locationIdsOf(programIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(programIds.map((id) => [id, []]));
    if (!programIds.length) return out;
    const rows = await this.dataSource.getRepository(ProgramLocationEntity).createQueryBuilder('pl').where('pl.program_id IN (:...ids)', { ids: programIds }).orderBy('pl.location_id').getMany();
    for (const r of rows) out.get(r.programId)?.push(r.locationId);
    return out;
  }

  async listPrograms(q: ListProgramsQuery): Promise<Page<ProgramEntity>> {
    const qb = this.dataSource.getRepository(ProgramEntity).createQueryBuilder('p');
    if (q.pathway) qb.andWhere('p.pathway = :pathway', { pathway: q.pathway });
    if (q.partnerId) qb.andWhere('p.partner_id = :partnerId', { partnerId: q.partnerId });
    if (q.node) qb.andWhere('p.node = :node', { node: q.node });
    return paginate(qb, {
      limit: q.limit,
      cursor: q.cursor,
      sort: byCreation('p', true),
      scope: `directory/programs?pathway=${q.pathway ?? ''}&partnerId=${q.partnerId ?? ''}&node=${q.node ?? ''}`,
    });
  }

  // ---------- agreements ----------

  private checkFields(fieldsByPurpose: Record<string, unknown>, purposes: readonly string[]): void {
    const errors: FieldError[] = [];
    for (const [purpose, fields] of Object.entries(fieldsByPurpose)) {
      const at = `fieldsByPurpose.${purpose}`;
      if (!(AGREEMENT_PURPOSES as readonly string[]).includes(purpose)) errors.push({ field: at, message: `unknown purpose; one of ${AGREEMENT_PURPOSES.join(', ')}` });
      else if (!purposes.includes(purpose)) errors.push({ field: at, message: 'fields for a purpose the agreement does not cover' });
      if (!Array.isArray(fields) || fields.length > 100 || fields.some((f) => typeof f !== 'string' || f.length > 128 || !FIELD_PATH.test(f))) {
        errors.push({ field: at, message: 'a list of at most 100 field paths such as ageBand or household.size' });
      }
    }
    if (errors.length) throw validationProblem(errors);
  }

  async createAgreement(caller: DirectoryCaller, dto: CreateAgreementDto): Promise<AgreementEntity> {
    this.checkFields(dto.fieldsByPurpose, dto.purposes);
    if (dto.validUntil && dto.validUntil < dto.validFrom) throw validationProblem([{ field: 'validUntil', message: 'validUntil must not be before validFrom' }]);
    return this.dataSource.transaction(async (tx) => {
      await this.assertNodeStaff(tx, caller.principal, 'record data-sharing agreements');
      if (!(await tx.existsBy(PartnerEntity, { id: dto.partnerId }))) throw unknownReference('partnerId', 'a partner in the directory');
      const now = new Date();
      const id = randomUUID();
      await tx.insert(AgreementEntity, {
        id,
        partnerId: dto.partnerId,
        node: this.config.PUENTE_NODE,
        reference: dto.reference,
        purposes: dto.purposes,
        fieldsByPurpose: dto.fieldsByPurpose,
        validFrom: dto.validFrom,
        validUntil: dto.validUntil ?? null,
        terminatedAt: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      } as never);
      const agreement = await tx.findOneByOrFail(AgreementEntity, { id });
      await this.outbox.append(tx, agreementChanged(agreement, true, this.actor(caller.principal)));
      return agreement;
    });
  }

  async updateAgreement(caller: DirectoryCaller, id: string, dto: UpdateAgreementDto): Promise<AgreementEntity> {
    return this.dataSource.transaction(async (tx) => {
      await this.assertNodeStaff(tx, caller.principal, 'change data-sharing agreements');
      const current = isUuid(id) ? await tx.findOne(AgreementEntity, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!current) throw resourceNotFound('agreement');
      assertIfMatch(caller.request, directoryEtag('agreement', current));
      const purposes = dto.purposes ?? current.purposes;
      this.checkFields(dto.fieldsByPurpose ?? current.fieldsByPurpose, purposes);
      if (dto.validUntil && dto.validUntil < current.validFrom) throw validationProblem([{ field: 'validUntil', message: 'validUntil must not be before validFrom' }]);
      if (current.terminatedAt && dto.terminated === false) throw validationProblem([{ field: 'terminated', message: 'a terminated agreement cannot be revived; record a new one' }]);
      const patch: Record<string, unknown> = { updatedAt: new Date() };
      if (dto.purposes !== undefined) patch.purposes = dto.purposes;
      if (dto.fieldsByPurpose !== undefined) patch.fieldsByPurpose = dto.fieldsByPurpose;
      if (dto.validUntil !== undefined) patch.validUntil = dto.validUntil;
      if (dto.terminated === true && !current.terminatedAt) patch.terminatedAt = new Date();
      await updateVersioned(tx, AgreementEntity, id, current.version, patch);
      const agreement = await tx.findOneByOrFail(AgreementEntity, { id });
      await this.outbox.append(tx, agreementChanged(agreement, false, this.actor(caller.principal)));
      return agreement;
    });
  }

  /** An agreement the caller may see: node staff see all, a partner its own (others answer 404). */
  async getAgreement(principal: Principal, id: string): Promise<AgreementEntity> {
    const agreement = isUuid(id) ? await this.dataSource.getRepository(AgreementEntity).findOneBy({ id }) : null;
    if (!agreement || !(await this.seesDeliveryOf(principal, agreement.partnerId))) throw resourceNotFound('agreement');
    return agreement;
  }

  async listAgreements(principal: Principal, q: ListAgreementsQuery): Promise<Page<AgreementEntity>> {
    const qb = this.dataSource.getRepository(AgreementEntity).createQueryBuilder('a');
    if (await this.isListedPartner(this.dataSource.manager, principal)) qb.andWhere('a.partner_id = :own', { own: principal.partnerId });
    if (q.partnerId) qb.andWhere('a.partner_id = :p', { p: q.partnerId });
    return paginate(qb, {
      limit: q.limit,
      cursor: q.cursor,
      sort: byCreation('a', true),
      scope: `directory/agreements?partnerId=${q.partnerId ?? ''}`,
    });
  }
}

/**
 * Applies `patch` only if the row is still at `version` (bumping it): a concurrent change between
 * the If-Match check and this write makes it 412, never a silent overwrite.
 */
async function updateVersioned(tx: EntityManager, entity: EntityTarget<ObjectLiteral>, id: string, version: number, patch: object): Promise<void> {
  assertVersionUpdated(
    await tx
      .createQueryBuilder()
      .update(entity)
      .set({ ...patch, version: () => 'version + 1' })
      .where('id = :id AND version = :version', { id, version })
      .execute(),
  );
}

/** Listing order of directory objects: creation time, then id (unique, so the order is total). */
function byCreation(alias: string, uuidIds = false): SortKey[] {
  return [
    { column: `${alias}.created_at`, key: 't', type: 'timestamp' },
    { column: `${alias}.id`, key: 'id', ...(uuidIds ? { type: 'uuid' as const } : {}) },
  ];
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
