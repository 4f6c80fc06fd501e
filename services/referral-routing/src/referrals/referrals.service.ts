import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Caller } from '@puente/audit';
import { assertParty, coversJurisdiction, resourceNotFound } from '@puente/auth';
import { encodeEvent, MessageAuthor, Pathway, MessageKind as MessageKindEnum, ReferralMessagePostedSchema, ReferralRequestedSchema, Topics, toTimestamp } from '@puente/contracts';
import { recordDeliveries } from '@puente/federation';
import { OutboxWriter } from '@puente/messaging';
import { assertIfMatch, computeEtag, isUniqueViolation, mapPage, type Page, paginate, ProblemException, serializeError, ServiceConfig } from '@puente/platform';
import { minimize } from '@puente/privacy';
import type { FastifyRequest } from 'fastify';
import { DataSource, type EntityManager } from 'typeorm';
import { CrossBorderLink } from '../cross-border/cross-border-link';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { PartnerTopics } from '../delivery/partner-topics';
import { checkEligibility, compileEligibility, type EligibilityResult } from '../directory/eligibility';
import { DirectoryService, type PartnerRecord } from '../directory/directory.service';
import { type CaseFacts, consentedFields, ReferralCaseFacts, referralCaseView } from './case-facts';
import { channelEnum, enumOf, reasonEnum } from './referral-events';
import { type ActingParty, ReferralLifecycle, SYSTEM } from './referral-lifecycle';
import { ReferralProblemTypes, referralNotAllowedProblem } from './referral-problems';
import { availableActions, type ReferralAction, type ReferralRole, type RequestReason } from './referral-state-machine';
import type { CreateReferralDto, ListReferralsQueryDto, PartnerReferralDto, PostMessageDto, ReferralDetailDto, ReferralDto, ReferralMessageDto, TransitionDto } from './referral.dto';
import { ReferralEntity, ReferralMessageEntity, ReferralTransitionEntity } from './referral.entities';

/** Which side of a referral the caller is on: the referring site, or the receiving partner. */
export type Side = 'referrer' | 'partner';

export type { Caller };

const HOUR_MS = 3_600_000;

/** What opening a referral needs, whoever asks for it. */
interface OpenReferral {
  caseId: string;
  programId: string;
  coveredPersonIds: string[];
  requestReason: RequestReason;
  partOf?: string;
  suggestionId?: string;
  actor: ActingParty;
  /** The site on whose behalf it is made: whose caseworkers see it and hear the outcome. */
  referringPartnerId: string;
  /** The caller's jurisdictions (the case must be in them), or null for Puente itself. */
  jurisdictions: readonly string[] | null;
}

// The directory's pathway codes in the contract's words (screening's Pathway enum).
const PATHWAY_ENUM: Record<string, Pathway> = {
  asylum: Pathway.NATIONAL_ASYLUM,
  resettlement: Pathway.RESETTLEMENT,
  cam: Pathway.CENTRAL_AMERICAN_MINORS,
  pta: Pathway.PROTECTION_TRANSFER_ARRANGEMENT,
  idp_protection: Pathway.IDP_PROTECTION,
  labor_h2a: Pathway.LABOR_H2A,
  labor_h2b: Pathway.LABOR_H2B,
  third_country_labor: Pathway.LABOR_THIRD_COUNTRY,
  family_reunification: Pathway.FAMILY_REUNIFICATION,
  assisted_voluntary_return: Pathway.ASSISTED_VOLUNTARY_RETURN,
  shelter: Pathway.SHELTER,
  legal_aid: Pathway.LEGAL_AID,
  medical: Pathway.MEDICAL_CARE,
  psychosocial: Pathway.PSYCHOSOCIAL_SUPPORT,
  reintegration: Pathway.REINTEGRATION_SUPPORT,
  child_protection: Pathway.CHILD_PROTECTION,
  cash_assistance: Pathway.SERVICES_ONLY,
};

export function etagOf(r: Pick<ReferralEntity, 'id' | 'version'>): string {
  return computeEtag({ id: r.id, version: r.version });
}

function actingParty(caller: Caller, side: Side): ActingParty {
  return { role: side, clientId: caller.principal.clientId, partnerId: caller.principal.partnerId, traceparent: caller.traceparent };
}

export function toDto(r: ReferralEntity, role: ReferralRole): ReferralDto {
  return {
    id: r.id,
    caseId: r.caseId,
    programId: r.programId,
    partnerId: r.partnerId,
    pathway: r.pathway,
    coveredPersonIds: r.coveredPersonIds,
    partOf: r.partOf,
    status: r.status,
    statusReason: r.statusReason,
    businessStatus: r.businessStatus,
    outcome: r.outcome,
    channels: r.channels,
    acknowledgeDueAt: r.acknowledgeDueAt.toISOString(),
    decideDueAt: r.decideDueAt.toISOString(),
    referringPartnerId: r.referringPartnerId,
    referringNode: r.referringNode,
    allowedActions: availableActions(r, role),
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function toMessageDto(m: ReferralMessageEntity): ReferralMessageDto {
  return { id: m.id, referralId: m.referralId, author: m.author, kind: m.kind, body: m.body, inReplyTo: m.inReplyTo, createdAt: m.createdAt.toISOString() };
}

/**
 * Referrals as the referring caseworker and the receiving partner see and move them. Each side
 * sees only its own: the referring site (the caller's partner id) or the program's partner; any
 * other caller gets the 404 of a missing id. Every change, with its events and partner notices,
 * commits in one transaction with the referral row locked.
 */
@Injectable()
export class ReferralsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
    private readonly cases: ReferralCaseFacts,
    private readonly lifecycle: ReferralLifecycle,
    private readonly queue: DeliveryQueue,
    private readonly outbox: OutboxWriter,
    private readonly config: ServiceConfig,
    private readonly partnerTopics: PartnerTopics,
    private readonly crossBorder: CrossBorderLink,
  ) {}

  private readonly logger = new Logger('ReferralsService');

  private partyOf(r: ReferralEntity, side: Side): string {
    return side === 'referrer' ? r.referringPartnerId : r.partnerId;
  }

  /** The referral if the caller is its party on `side`; else the 404 of an unknown id. */
  private async visible(manager: EntityManager, id: string, caller: Caller, side: Side, lock = false): Promise<ReferralEntity> {
    const r = await manager.getRepository(ReferralEntity).findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!r) throw resourceNotFound('referral');
    assertParty(caller.principal, { [side]: this.partyOf(r, side) }, { resource: 'referral' });
    // The partner of a referral sent to another node works with it there, not here.
    if (side === 'partner' && (await this.crossBorder.sideOf(manager, r.id))?.direction === 'outbound') throw resourceNotFound('referral');
    return r;
  }

  /** Creates a referral: program known and active, case open and eligible, referral consent and agreement in force. */
  async create(caller: Caller, dto: CreateReferralDto): Promise<ReferralDetailDto> {
    await this.ensurePartnerTopic(dto.programId);
    return this.dataSource.transaction(async (tx) => {
      const r = await this.open(tx, {
        caseId: dto.caseId.toLowerCase(),
        programId: dto.programId,
        coveredPersonIds: dto.coveredPersonIds.map((p) => p.toLowerCase()),
        requestReason: dto.reason,
        partOf: dto.partOf?.toLowerCase(),
        suggestionId: dto.suggestionId?.toLowerCase(),
        actor: actingParty(caller, 'referrer'),
        referringPartnerId: caller.principal.partnerId,
        jurisdictions: caller.principal.jurisdictions,
      });
      return this.detail(tx, r, 'referrer');
    });
  }

  /**
   * A referral Puente makes itself for an urgent protection alert, in the transaction of the
   * consumer that handles the alert: covering the whole household, on behalf of the case's site
   * (whose caseworkers then see and manage it). The same rules hold as for a caseworker's
   * (consent, agreement, eligibility, one open referral per program); when one refuses, nothing
   * is created and the refusal's reason is returned instead.
   */
  async autoRefer(tx: EntityManager, caseId: string, programId: string, traceparent?: string): Promise<{ referralId: string } | { refused: string }> {
    await this.ensurePartnerTopic(programId);
    const facts = await this.cases.find(tx, caseId);
    if (!facts) return { refused: 'case-unknown' };
    try {
      // A savepoint, so a refusal leaves the consumer's transaction usable.
      const r = await tx.transaction((inner) =>
        this.open(inner, {
          caseId,
          programId,
          coveredPersonIds: [...facts.personIds],
          requestReason: 'urgent_protection_auto',
          actor: { ...SYSTEM, traceparent },
          referringPartnerId: facts.siteCode,
          jurisdictions: null,
        }),
      );
      return { referralId: r.id };
    } catch (error) {
      if (error instanceof ProblemException && error.getStatus() < 500) {
        const reason = error.extensions.reason;
        return { refused: typeof reason === 'string' ? reason : (error.problemType.split('/').pop() ?? 'refused') };
      }
      throw error;
    }
  }

  /** Opens a referral after every check; the caller's transaction commits it with its events and notices. */
  private async open(tx: EntityManager, o: OpenReferral): Promise<ReferralEntity> {
    const at = new Date();
    const program = await this.directory.findProgram(o.programId, tx);
    if (!program) {
      throw new ProblemException(422, ReferralProblemTypes.UNKNOWN_PROGRAM, 'Unknown program', 'No program of the directory has this id.', {
        errors: [{ field: 'programId', code: 'unknownProgram', message: 'no program has this id' }],
      });
    }
    if (program.status !== 'active') throw referralNotAllowedProblem('program-not-active');
    const partner = program.partner;
    if (partner.status !== 'active') throw referralNotAllowedProblem('partner-inactive');
    const caseId = o.caseId;
    const facts = await this.cases.find(tx, caseId);
    if (!facts || (o.jurisdictions !== null && !coversJurisdiction(o.jurisdictions, facts.siteCode))) throw resourceNotFound('case');
    if (facts.erased) throw referralNotAllowedProblem('person-erased');
    if (facts.closed) throw referralNotAllowedProblem('case-closed');
    const covered = o.coveredPersonIds;
    const strangers = covered.filter((p) => !facts.personIds.includes(p));
    if (strangers.length > 0 || covered.length === 0) {
      throw new ProblemException(422, ReferralProblemTypes.INVALID_REFERRAL, 'Invalid referral', 'Some covered persons are not members of the case’s household.', {
        errors: (strangers.length ? strangers : ['none']).map(() => ({ field: 'coveredPersonIds', code: 'notInHousehold', message: 'not a member of the case’s household' })),
      });
    }
    const consents = await this.cases.consentsFor(tx, caseId, partner, at);
    if (!consents.referral) throw referralNotAllowedProblem('no-referral-consent');
    const agreement = await this.directory.agreementInForce(partner.id, 'referral', at, tx);
    if (!agreement) throw referralNotAllowedProblem('no-data-sharing-agreement');
    const eligibility = this.eligibility(program.eligibilityRule, facts, at);
    if (!eligibility.eligible) {
      throw new ProblemException(422, ReferralProblemTypes.NOT_ELIGIBLE, 'Case not eligible', `The case does not meet ${eligibility.failedRules.length} rule(s) of the program.`, {
        failedRules: eligibility.failedRules,
        errors: eligibility.failedRules.map((f) => ({ field: `programId`, code: 'notEligible', message: `${f.rule} not met (${f.decidedBy.join(', ') || 'rule'})` })),
      });
    }
    let partOf: string | null = null;
    if (o.partOf) {
      const parent = await tx.getRepository(ReferralEntity).findOneBy({ id: o.partOf });
      if (!parent || parent.referringPartnerId !== o.referringPartnerId || parent.caseId !== caseId) {
        throw new ProblemException(422, ReferralProblemTypes.INVALID_REFERRAL, 'Invalid referral', 'partOf must be one of your referrals of the same case.', {
          errors: [{ field: 'partOf', code: 'unknownReferral', message: 'no referral of yours of this case has this id' }],
        });
      }
      partOf = parent.id;
    }

    const id = randomUUID();
    const acknowledgeDue = new Date(at.getTime() + program.sla.acknowledgeHours * HOUR_MS);
    const decideDue = new Date(at.getTime() + program.sla.decideHours * HOUR_MS);
    const requestReason: RequestReason = partOf ? 'sub_referral' : o.requestReason;
    const actor = o.actor;
    try {
      await tx.query(
        `INSERT INTO referral (id, case_id, program_id, partner_id, pathway, covered_person_ids, part_of, suggestion_id, status, status_reason, channels,
           acknowledge_due_at, decide_due_at, referring_node, referring_partner_id, requested_by_client)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $10, $11, $12, $13, $14, $15)`,
        [
          id,
          caseId,
          program.id,
          partner.id,
          program.pathway,
          covered,
          partOf,
          o.suggestionId ?? null,
          requestReason,
          partner.delivery.channels,
          acknowledgeDue,
          decideDue,
          this.config.PUENTE_NODE,
          o.referringPartnerId,
          actor.clientId,
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error, 'referral_one_open_per_case_program')) {
        throw new ProblemException(409, ReferralProblemTypes.REFERRAL_ALREADY_OPEN, 'Referral already open', 'This case already has an open referral to this program.', { reason: 'referral-already-open' });
      }
      throw error;
    }
    await tx.query(
      `INSERT INTO referral_transition (referral_id, action, from_status, to_status, reason, actor_role, actor_client, actor_partner, at)
       VALUES ($1, 'request', NULL, 'requested', $2, $3, $4, $5, $6)`,
      [id, requestReason, actor.role, actor.clientId, actor.partnerId, at],
    );
    await this.outbox.append(tx, {
      topic: Topics.referral.name,
      key: caseId,
      type: ReferralRequestedSchema.typeName,
      payload: encodeEvent(ReferralRequestedSchema, {
        referralId: id,
        caseId,
        programId: program.id,
        partnerId: partner.id,
        pathway: PATHWAY_ENUM[program.pathway] ?? Pathway.UNSPECIFIED,
        coveredPersonIds: covered,
        reason: reasonEnum(requestReason),
        partOfReferralId: partOf ?? '',
        acknowledgeDueAt: toTimestamp(acknowledgeDue),
        decideDueAt: toTimestamp(decideDue),
        channels: partner.delivery.channels.map(channelEnum),
        requestedAt: toTimestamp(at),
        requestedBy: { clientId: actor.clientId, partnerId: actor.partnerId, node: this.config.PUENTE_NODE },
      }),
      traceparent: actor.traceparent,
      time: at,
    });
    const r = await tx.getRepository(ReferralEntity).findOneByOrFail({ id });
    if (program.node !== this.config.PUENTE_NODE) {
      // The program runs on another node: the referral goes there sealed, and that node's routing delivers it.
      await this.crossBorder.sendRequest(tx, r, { hostNode: program.node, facts, consented: consentedFields(consents), agreementFields: agreement.fields, actor });
      return r;
    }
    return this.deliverToPartner(tx, r, partner, minimize(referralCaseView(facts, r.coveredPersonIds), agreement.fields, consentedFields(consents)), at, actor.traceparent);
  }

  /**
   * A new referral reaches its partner: Kafka and REST pull with this commit, a webhook-only
   * partner's once delivered (then it is sent). `caseView` is already minimized for the partner.
   * The Kafka and REST-pull deliveries are in the delivery ledger from this commit (the webhook's
   * once it succeeded): each covered person, with the case fields the partner got.
   */
  async deliverToPartner(tx: EntityManager, referral: ReferralEntity, partner: PartnerRecord, caseView: Record<string, unknown>, at: Date, traceparent?: string): Promise<ReferralEntity> {
    let r = referral;
    if (partner.delivery.kafka) r = (await this.lifecycle.apply(tx, r, { action: 'send', reason: 'kafka_published' }, SYSTEM, { channel: 'kafka' })).referral;
    else if (partner.delivery.restPull) r = (await this.lifecycle.apply(tx, r, { action: 'send', reason: 'available_for_pull' }, SYSTEM, { channel: 'rest_pull' })).referral;
    await this.queue.enqueue(tx, partner, { type: 'referral.requested', referralId: r.id, caseId: r.caseId, at, data: { referral: { ...toDto(r, 'partner'), allowedActions: undefined }, case: caseView } }, traceparent);
    const channels = [...(partner.delivery.kafka ? ['kafka'] : []), ...(partner.delivery.restPull ? ['pull'] : [])];
    await recordDeliveries(
      tx,
      channels.flatMap((channel) => r.coveredPersonIds.map((personId) => ({ receiverType: 'partner' as const, receiver: partner.id, channel, caseId: r.caseId, personId, fields: Object.keys(caseView).sort() }))),
      at,
    );
    return r;
  }

  /**
   * The partner's own topic exists before its first record enters the outbox. A broker that is down
   * does not stop the referral: the relay keeps the record and publishes it once the topic is there.
   */
  private async ensurePartnerTopic(programId: string): Promise<void> {
    const program = await this.directory.findProgram(programId);
    if (!program?.partner.delivery.kafka) return;
    try {
      await this.partnerTopics.ensure(program.partner.delivery.kafkaTopic);
    } catch (error) {
      this.logger.warn({ err: serializeError(error), partnerId: program.partner.id }, 'partner topic not ensured; its records wait in the outbox');
    }
  }

  /** A program's rule against the case; a stored rule that no longer compiles admits no one. */
  private eligibility(rule: unknown, facts: CaseFacts, at: Date): EligibilityResult {
    if (rule === null || rule === undefined) return { eligible: true, reasons: [], failedRules: [] };
    const compiled = compileEligibility(rule);
    if (!compiled.expr) return { eligible: false, reasons: [], failedRules: [{ rule: 'eligibility', condition: rule, decidedBy: [] }] };
    return checkEligibility(compiled.expr, facts.profile, at.toISOString().slice(0, 10));
  }

  /** The case of a referral as its partner may see it now (consents and agreement as they stand today). */
  private async caseForPartner(manager: EntityManager, r: ReferralEntity, partner: PartnerRecord | undefined): Promise<Record<string, unknown>> {
    // A referral from another node: the case as that node sent it (routing here has no case of its own).
    if (r.referringNode !== this.config.PUENTE_NODE) return (await this.crossBorder.caseViewOf(manager, r.id)) ?? { caseId: r.caseId };
    const facts = await this.cases.find(manager, r.caseId);
    if (!facts || facts.erased || !partner) return { caseId: r.caseId };
    const at = new Date();
    const [consents, agreement] = await Promise.all([this.cases.consentsFor(manager, r.caseId, partner, at), this.directory.agreementInForce(partner.id, 'referral', at, manager)]);
    return minimize(referralCaseView(facts, r.coveredPersonIds), agreement?.fields ?? [], consentedFields(consents));
  }

  private async detail(manager: EntityManager, r: ReferralEntity, role: ReferralRole): Promise<ReferralDetailDto> {
    const history = await manager.getRepository(ReferralTransitionEntity).find({ where: { referralId: r.id }, order: { id: 'ASC' } });
    return {
      ...toDto(r, role),
      history: history.map((t) => ({
        action: t.action,
        fromStatus: t.fromStatus,
        toStatus: t.toStatus,
        reason: t.reason,
        businessStatus: t.businessStatus,
        actorRole: t.actorRole,
        actorClient: t.actorClient,
        actorPartner: t.actorPartner,
        at: t.at.toISOString(),
      })),
    };
  }

  private async partnerView(manager: EntityManager, r: ReferralEntity): Promise<PartnerReferralDto> {
    const partner = await this.directory.findPartner(r.partnerId, manager);
    return { ...(await this.detail(manager, r, 'partner')), case: await this.caseForPartner(manager, r, partner) };
  }

  async get(caller: Caller, side: Side, id: string): Promise<ReferralDetailDto | PartnerReferralDto> {
    const r = await this.visible(this.dataSource.manager, id, caller, side);
    return side === 'partner' ? this.partnerView(this.dataSource.manager, r) : this.detail(this.dataSource.manager, r, 'referrer');
  }

  /** The caller's referrals on `side`, newest first. */
  async list(caller: Caller, side: Side, q: ListReferralsQueryDto): Promise<Page<ReferralEntity>> {
    const column = side === 'referrer' ? 'r.referring_partner_id' : 'r.partner_id';
    const qb = this.dataSource.getRepository(ReferralEntity).createQueryBuilder('r').where(`${column} = :party`, { party: caller.principal.partnerId });
    if (side === 'partner') qb.andWhere(`NOT EXISTS (SELECT 1 FROM cross_border_referral x WHERE x.referral_id = r.id AND x.direction = 'outbound')`);
    if (q.status) qb.andWhere('r.status = :status', { status: q.status });
    if (q.caseId) qb.andWhere('r.case_id = :caseId', { caseId: q.caseId.toLowerCase() });
    return paginate(qb, {
      limit: q.limit,
      cursor: q.cursor,
      sort: [
        { column: 'r.created_at', key: 't', type: 'timestamp' },
        { column: 'r.id', key: 'id', type: 'uuid' },
      ],
      direction: 'desc',
      scope: `${side}/referrals?status=${q.status ?? ''}&caseId=${q.caseId ?? ''}`,
    });
  }

  /** One transition by the caller's side; If-Match, when sent, must be the current ETag. */
  async act(caller: Caller, side: Side, id: string, action: ReferralAction, body: TransitionDto, request: FastifyRequest): Promise<{ dto: ReferralDetailDto | PartnerReferralDto; changed: boolean }> {
    return this.dataSource.transaction(async (tx) => {
      const r = await this.visible(tx, id, caller, side, true);
      if (request.headers['if-match'] !== undefined) assertIfMatch(request, etagOf(r));
      const { referral, changed } = await this.lifecycle.apply(tx, r, { action, reason: body.reason, milestone: body.milestone, outcome: body.outcome }, actingParty(caller, side));
      return { dto: side === 'partner' ? await this.partnerView(tx, referral) : await this.detail(tx, referral, 'referrer'), changed };
    });
  }

  async postMessage(caller: Caller, side: Side, id: string, dto: PostMessageDto): Promise<ReferralMessageDto> {
    return this.dataSource.transaction(async (tx) => {
      const r = await this.visible(tx, id, caller, side, true);
      if (r.status === 'entered_in_error') {
        throw new ProblemException(409, ReferralProblemTypes.ILLEGAL_TRANSITION, 'Referral entered in error', 'No messages on a referral entered in error.', { referralStatus: r.status });
      }
      if (dto.inReplyTo) {
        const original = await tx.getRepository(ReferralMessageEntity).findOneBy({ id: dto.inReplyTo.toLowerCase(), referralId: r.id });
        if (!original) {
          throw new ProblemException(422, ReferralProblemTypes.INVALID_REFERRAL, 'Invalid message', 'inReplyTo must be a message of this referral.', {
            errors: [{ field: 'inReplyTo', code: 'unknownMessage', message: 'no message of this referral has this id' }],
          });
        }
      }
      const messageId = randomUUID();
      const at = new Date();
      await tx.query(
        `INSERT INTO referral_message (id, referral_id, author, kind, body, in_reply_to, posted_by_client, posted_by_partner, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [messageId, r.id, side, dto.kind, dto.body, dto.inReplyTo?.toLowerCase() ?? null, caller.principal.clientId, caller.principal.partnerId, at],
      );
      await this.outbox.append(tx, {
        topic: Topics.referral.name,
        key: r.caseId,
        type: ReferralMessagePostedSchema.typeName,
        payload: encodeEvent(ReferralMessagePostedSchema, {
          referralId: r.id,
          caseId: r.caseId,
          messageId,
          partnerId: r.partnerId,
          author: side === 'referrer' ? MessageAuthor.REFERRER : MessageAuthor.PARTNER,
          kind: enumOf(MessageKindEnum, dto.kind),
          inReplyTo: dto.inReplyTo?.toLowerCase() ?? '',
          postedAt: toTimestamp(at),
          postedBy: { clientId: caller.principal.clientId, partnerId: caller.principal.partnerId, node: this.config.PUENTE_NODE },
        }),
        traceparent: caller.traceparent,
        time: at,
      });
      if (side === 'referrer') {
        // The partner's system hears that a message waits (ids only); it reads the text over REST.
        const partner = await this.directory.findPartner(r.partnerId, tx);
        if (partner) {
          await this.queue.enqueue(tx, partner, { type: 'referral.message_posted', referralId: r.id, caseId: r.caseId, at, data: { referralId: r.id, messageId, kind: dto.kind } }, caller.traceparent);
        }
      }
      return toMessageDto(await tx.getRepository(ReferralMessageEntity).findOneByOrFail({ id: messageId }));
    });
  }

  async messages(caller: Caller, side: Side, id: string, page: { limit: number; cursor?: string }): Promise<Page<ReferralMessageDto>> {
    const r = await this.visible(this.dataSource.manager, id, caller, side);
    const qb = this.dataSource.getRepository(ReferralMessageEntity).createQueryBuilder('m').where('m.referral_id = :id', { id: r.id });
    const result = await paginate(qb, {
      limit: page.limit,
      cursor: page.cursor,
      sort: [
        { column: 'm.created_at', key: 't', type: 'timestamp' },
        { column: 'm.id', key: 'id', type: 'uuid' },
      ],
      scope: `referrals/${r.id}/messages`,
    });
    return mapPage(result, toMessageDto);
  }
}
