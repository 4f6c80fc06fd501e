import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { OutboxWriter } from '@puente/messaging';
import { ServiceConfig } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { agreementChanged, type DirectoryActor, partnerChanged, programChanged } from '../directory-events';
import { AgreementEntity, LocationEntity, PartnerEntity, ProgramEntity, ProgramLocationEntity } from '../directory.entities';
import { SEED_AGREEMENTS_FROM, SEED_LOCATIONS, SEED_PARTNERS, SEED_PROGRAMS, SEED_VERSION, seedAgreement, seedId } from './seed-directory';

/**
 * Loads the starting directory the first time a node starts (a bootstrap step after the
 * migrations): one transaction under an advisory lock, so replicas starting together load it
 * once; a marker row makes every later start a no-op, even after admins changed or removed seeded
 * entries. Partners that an admin created before (same id) are kept as they are. Each seeded
 * partner, program and agreement is announced on the directory topic like any other change.
 */
@Injectable()
export class DirectorySeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DirectorySeed');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ServiceConfig,
    private readonly outbox: OutboxWriter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const loaded = await this.load();
    if (loaded) this.logger.log(loaded, 'directory seed loaded');
  }

  /** Loads the seed unless this node already has it; returns what was loaded, or null. */
  async load(): Promise<{ partners: number; programs: number; agreements: number } | null> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('puente/directory-seed'))`);
      if ((await tx.query(`SELECT 1 FROM directory_seed WHERE seed = $1`, [SEED_VERSION])).length > 0) return null;
      const loaded = await this.insert(tx);
      await tx.query(`INSERT INTO directory_seed (seed, partners, programs) VALUES ($1, $2, $3)`, [SEED_VERSION, loaded.partners, loaded.programs]);
      return loaded;
    });
  }

  private async insert(tx: EntityManager): Promise<{ partners: number; programs: number; agreements: number }> {
    const node = this.config.PUENTE_NODE;
    const actor: DirectoryActor = { clientId: 'system', partnerId: '', node };
    const now = new Date();
    const seeded = new Set<string>();
    for (const p of SEED_PARTNERS) {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(PartnerEntity)
        .values({
          id: p.id,
          name: p.name,
          alternateName: p.alternateName ?? null,
          kind: p.kind,
          partnerType: p.partnerType,
          description: p.description,
          country: p.country,
          node: p.node,
          website: p.website ?? null,
          email: null,
          status: 'active',
          deliveryChannels: p.channels,
          webhookUrl: null,
          lastVerifiedOn: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        })
        .orIgnore()
        .returning('id')
        .execute();
      if (inserted.raw.length === 0) continue;
      seeded.add(p.id);
      await this.outbox.append(tx, partnerChanged(await tx.findOneByOrFail(PartnerEntity, { id: p.id }), true, actor));
      const agreement = seedAgreement(p, node);
      const agreementId = seedId(`agreement/${node}/${p.id}`);
      await tx.insert(AgreementEntity, {
        id: agreementId,
        partnerId: p.id,
        node,
        reference: `Puente starting agreement ${node}–${p.id} (to be replaced by the signed instrument)`,
        purposes: agreement.purposes,
        fieldsByPurpose: agreement.fieldsByPurpose,
        validFrom: SEED_AGREEMENTS_FROM,
        validUntil: null,
        terminatedAt: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      } as never);
      await this.outbox.append(tx, agreementChanged(await tx.findOneByOrFail(AgreementEntity, { id: agreementId }), true, actor));
    }
    for (const l of SEED_LOCATIONS.filter((x) => seeded.has(x.partnerId))) {
      await tx.insert(LocationEntity, {
        id: seedId(`location/${l.key}`),
        partnerId: l.partnerId,
        name: l.name,
        siteCode: l.siteCode ?? null,
        country: l.country,
        subdivision: l.subdivision ?? null,
        city: l.city,
        address: l.address ?? null,
        latitude: l.latitude ?? null,
        longitude: l.longitude ?? null,
        accessibility: l.accessibility ?? [],
        openingHours: l.openingHours ?? [],
        version: 1,
        createdAt: now,
        updatedAt: now,
      } as never);
    }
    const programs = SEED_PROGRAMS.filter((x) => seeded.has(x.partnerId));
    for (const [i, p] of programs.entries()) {
      const id = seedId(`program/${p.key}`);
      const partner = SEED_PARTNERS.find((x) => x.id === p.partnerId);
      await tx.insert(ProgramEntity, {
        id,
        partnerId: p.partnerId,
        name: p.name,
        alternateName: p.alternateName ?? null,
        description: p.description,
        pathway: p.pathway,
        status: 'active',
        taxonomyCode: p.taxonomyCode ?? null,
        node: partner?.node ?? node,
        languages: p.languages,
        serviceAreas: p.serviceAreas,
        requiredDocuments: p.requiredDocuments ?? [],
        fees: p.fees ?? { free: true },
        applicationProcess: p.applicationProcess ?? null,
        eligibilityDescription: p.eligibilityDescription,
        eligibilityRule: p.eligibilityRule,
        totalSlots: p.totalSlots,
        openSlots: p.totalSlots,
        waitlist: 0,
        slaAcknowledgeHours: p.slaAcknowledgeHours,
        slaDecideHours: p.slaDecideHours,
        autoReferOnProtectionAlert: p.autoReferOnProtectionAlert ?? false,
        lastVerifiedOn: null,
        version: 1,
        // Distinct instants keep the seed's order in listings (sorted by creation time).
        createdAt: new Date(now.getTime() + i),
        updatedAt: now,
      } as never);
      if (p.locations.length) await tx.insert(ProgramLocationEntity, p.locations.map((key) => ({ programId: id, locationId: seedId(`location/${key}`) })));
      await this.outbox.append(tx, programChanged(await tx.findOneByOrFail(ProgramEntity, { id }), true, actor));
    }
    return { partners: seeded.size, programs: programs.length, agreements: seeded.size };
  }
}
