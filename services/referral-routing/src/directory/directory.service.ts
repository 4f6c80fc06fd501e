import { Injectable } from '@nestjs/common';
import { ServiceConfig } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { AgreementEntity, PartnerEntity, ProgramEntity } from './directory.entities';
import { WebhookSecrets } from './webhook-secrets';
import { type AgreementPurpose, type DeliveryChannel, partnerKafkaTopic } from './vocabulary';

/** Where and how a partner's system receives referrals. The webhook secret is not here (see webhookSecretOf). */
export interface PartnerDelivery {
  channels: DeliveryChannel[];
  restPull: boolean;
  webhookUrl: string | null;
  /** `puente.partner.<partnerId in lower case>.v1`, whether or not the partner uses it. */
  kafkaTopic: string;
  kafka: boolean;
}

export interface PartnerRecord {
  id: string;
  name: string;
  kind: PartnerEntity['kind'];
  partnerType: PartnerEntity['partnerType'];
  country: string;
  node: string;
  /** True when the partner's programs are on this node (no border to cross). */
  hostedHere: boolean;
  status: PartnerEntity['status'];
  delivery: PartnerDelivery;
  version: number;
}

export interface ProgramRecord {
  id: string;
  name: string;
  pathway: ProgramEntity['pathway'];
  status: ProgramEntity['status'];
  /** Node hosting the program (ISO 3166-1 alpha-2). */
  node: string;
  hostedHere: boolean;
  partner: PartnerRecord;
  capacity: { totalSlots: number; openSlots: number; waitlist: number };
  sla: { acknowledgeHours: number; decideHours: number };
  /** Rule JSON in the shared rule language (libs/rules), or null: everyone is eligible. */
  eligibilityRule: unknown;
  autoReferOnProtectionAlert: boolean;
  version: number;
}

export interface AgreementRecord {
  id: string;
  partnerId: string;
  node: string;
  reference: string;
  purposes: AgreementPurpose[];
  /** Fields the partner may receive for the purpose asked about (dotted paths for libs/privacy `minimize`). */
  fields: string[];
  fieldsByPurpose: Partial<Record<AgreementPurpose, string[]>>;
  validFrom: string;
  validUntil: string | null;
}

/** `YYYY-MM-DD` of an instant, in UTC (agreements are valid by calendar day). */
function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * The directory as the rest of referral routing reads it: programs with their partner, capacity,
 * SLA and eligibility; partners with their delivery endpoints; the agreement in force for a
 * purpose. Every method takes an optional EntityManager so it can run inside the caller's
 * transaction (e.g. next to the capacity reservation of an accept).
 */
@Injectable()
export class DirectoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ServiceConfig,
    private readonly secrets: WebhookSecrets,
  ) {}

  /** This node's code (ISO 3166-1 alpha-2). */
  get node(): string {
    return this.config.PUENTE_NODE;
  }

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  toPartnerRecord(p: PartnerEntity): PartnerRecord {
    return {
      id: p.id,
      name: p.name,
      kind: p.kind,
      partnerType: p.partnerType,
      country: p.country,
      node: p.node,
      hostedHere: p.node === this.node,
      status: p.status,
      delivery: {
        channels: [...p.deliveryChannels],
        restPull: p.deliveryChannels.includes('rest_pull'),
        webhookUrl: p.deliveryChannels.includes('webhook') ? p.webhookUrl : null,
        kafkaTopic: partnerKafkaTopic(p.id),
        kafka: p.deliveryChannels.includes('kafka'),
      },
      version: p.version,
    };
  }

  toProgramRecord(program: ProgramEntity, partner: PartnerEntity): ProgramRecord {
    return {
      id: program.id,
      name: program.name,
      pathway: program.pathway,
      status: program.status,
      node: program.node,
      hostedHere: program.node === this.node,
      partner: this.toPartnerRecord(partner),
      capacity: { totalSlots: program.totalSlots, openSlots: program.openSlots, waitlist: program.waitlist },
      sla: { acknowledgeHours: program.slaAcknowledgeHours, decideHours: program.slaDecideHours },
      eligibilityRule: program.eligibilityRule ?? null,
      autoReferOnProtectionAlert: program.autoReferOnProtectionAlert,
      version: program.version,
    };
  }

  async findPartner(partnerId: string, manager?: EntityManager): Promise<PartnerRecord | undefined> {
    const p = await this.manager(manager).getRepository(PartnerEntity).findOneBy({ id: partnerId });
    return p ? this.toPartnerRecord(p) : undefined;
  }

  /** A program with its partner, or undefined when unknown (or the id is not a UUID). */
  async findProgram(programId: string, manager?: EntityManager): Promise<ProgramRecord | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(programId)) return undefined;
    const m = this.manager(manager);
    const program = await m.getRepository(ProgramEntity).findOneBy({ id: programId.toLowerCase() });
    if (!program) return undefined;
    const partner = await m.getRepository(PartnerEntity).findOneByOrFail({ id: program.partnerId });
    return this.toProgramRecord(program, partner);
  }

  /** Every active program of an active partner: what routing may suggest. */
  async activePrograms(manager?: EntityManager): Promise<ProgramRecord[]> {
    const m = this.manager(manager);
    const programs = await m
      .getRepository(ProgramEntity)
      .createQueryBuilder('p')
      .innerJoin(PartnerEntity, 'o', 'o.id = p.partner_id')
      .where(`p.status = 'active' AND o.status = 'active'`)
      .orderBy('p.created_at')
      .addOrderBy('p.id')
      .getMany();
    const partnerIds = [...new Set(programs.map((p) => p.partnerId))];
    const partners = new Map(
      (partnerIds.length ? await m.getRepository(PartnerEntity).createQueryBuilder('o').where('o.id IN (:...ids)', { ids: partnerIds }).getMany() : []).map((o) => [o.id, o]),
    );
    return programs.flatMap((p) => {
      const partner = partners.get(p.partnerId);
      return partner ? [this.toProgramRecord(p, partner)] : [];
    });
  }

  /**
   * The plaintext webhook signing secret of a partner (Standard Webhooks `whsec_…`), for signing
   * deliveries only; undefined when it has none. Never put it in a response, a log or an event.
   */
  async webhookSecretOf(partnerId: string, manager?: EntityManager): Promise<string | undefined> {
    const row = await this.manager(manager)
      .getRepository(PartnerEntity)
      .createQueryBuilder('o')
      .addSelect(['o.webhookSecretId', 'o.webhookSecretKekId', 'o.webhookSecretWrappedKey', 'o.webhookSecretCiphertext'])
      .where('o.id = :id', { id: partnerId })
      .getOne();
    if (!row?.webhookSecretId || !row.webhookSecretKekId || !row.webhookSecretWrappedKey || !row.webhookSecretCiphertext) return undefined;
    return this.secrets.open({ secretId: row.webhookSecretId, kekId: row.webhookSecretKekId, wrappedKey: row.webhookSecretWrappedKey, ciphertext: row.webhookSecretCiphertext });
  }

  /**
   * The data-sharing agreement between this node and the partner that covers `purpose` on the day
   * of `at` (not terminated, valid_from ≤ day ≤ valid_until); the most recent one when several do.
   */
  async agreementInForce(partnerId: string, purpose: AgreementPurpose, at: Date = new Date(), manager?: EntityManager): Promise<AgreementRecord | undefined> {
    const day = utcDay(at);
    const a = await this.manager(manager)
      .getRepository(AgreementEntity)
      .createQueryBuilder('a')
      .where('a.partner_id = :partnerId AND a.node = :node AND :purpose = ANY (a.purposes)', { partnerId, node: this.node, purpose })
      .andWhere('a.valid_from <= :day AND (a.valid_until IS NULL OR a.valid_until >= :day)', { day })
      .andWhere('(a.terminated_at IS NULL OR a.terminated_at > :at)', { at })
      .orderBy('a.valid_from', 'DESC')
      .addOrderBy('a.created_at', 'DESC')
      .getOne();
    if (!a) return undefined;
    return {
      id: a.id,
      partnerId: a.partnerId,
      node: a.node,
      reference: a.reference,
      purposes: [...a.purposes],
      fields: [...(a.fieldsByPurpose[purpose] ?? [])],
      fieldsByPurpose: a.fieldsByPurpose,
      validFrom: a.validFrom,
      validUntil: a.validUntil,
    };
  }
}
