import { Injectable } from '@nestjs/common';
import { ServiceConfig } from '@puente/platform';
import { DataSource } from 'typeorm';
import { LocationEntity, PartnerEntity, ProgramEntity, ProgramLocationEntity } from './directory.entities';

/** HSDS version the export follows. */
export const HSDS_VERSION = '3.0';

/** An HSDS schedule from an opening-hours entry (weekly RRULE, RFC 5545). */
function schedule(h: { byDay: string[]; opensAt: string; closesAt: string; description?: string }, owner: Record<string, string>) {
  return { ...owner, freq: 'WEEKLY', byday: h.byDay.join(','), opens_at: h.opensAt, closes_at: h.closesAt, description: h.description ?? null };
}

/**
 * The directory as an Open Referral HSDS 3.0 dataset: one array per HSDS object (organizations,
 * services, locations, service_at_locations), snake_case fields, ids kept. Partner delivery
 * settings, secrets and agreements are Puente's, not HSDS, and never exported.
 */
@Injectable()
export class HsdsExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ServiceConfig,
  ) {}

  async export(): Promise<Record<string, unknown>> {
    const m = this.dataSource.manager;
    const [partners, programs, locations, links] = await Promise.all([
      m.getRepository(PartnerEntity).find({ order: { id: 'ASC' } }),
      m.getRepository(ProgramEntity).find({ order: { partnerId: 'ASC', name: 'ASC', id: 'ASC' } }),
      m.getRepository(LocationEntity).find({ order: { partnerId: 'ASC', name: 'ASC', id: 'ASC' } }),
      m.getRepository(ProgramLocationEntity).find({ order: { programId: 'ASC', locationId: 'ASC' } }),
    ]);
    return {
      hsds_version: HSDS_VERSION,
      generated_at: new Date().toISOString(),
      publisher: { node: this.config.PUENTE_NODE, name: `Puente ${this.config.PUENTE_NODE} program directory` },
      organizations: partners.map((o) => ({
        id: o.id,
        name: o.name,
        alternate_name: o.alternateName,
        description: o.description,
        email: o.email,
        website: o.website,
        legal_status: o.kind,
        attributes: [{ taxonomy_term: { code: o.partnerType, vocabulary: 'puente-partner-type' } }],
        status: o.status,
        assured_date: o.lastVerifiedOn,
      })),
      services: programs.map((p) => ({
        id: p.id,
        organization_id: p.partnerId,
        name: p.name,
        alternate_name: p.alternateName,
        description: p.description,
        status: p.status.replace('_', ' '),
        eligibility_description: p.eligibilityDescription,
        application_process: p.applicationProcess,
        fees_description: p.fees.description ?? (p.fees.free ? 'Free' : null),
        cost_options: p.fees.free ? [] : [{ option: p.fees.description ?? 'Fee', currency: null, amount: null }],
        assured_date: p.lastVerifiedOn,
        languages: p.languages.map((code) => ({ code })),
        service_areas: p.serviceAreas.map((a) => ({
          name: a.description ?? a.country,
          extent_type: 'country',
          extent: [a.country, ...(a.subdivisions ?? [])].join(','),
        })),
        required_documents: p.requiredDocuments.map((d) => ({ document: d.document, uri: d.uri ?? null })),
        capacities: [{ unit: 'slots', available: p.openSlots, maximum: p.totalSlots, waitlist: p.waitlist, updated: p.updatedAt.toISOString() }],
        attributes: [
          ...(p.taxonomyCode ? [{ taxonomy_term: { code: p.taxonomyCode, vocabulary: 'open-eligibility' } }] : []),
          { taxonomy_term: { code: p.pathway, vocabulary: 'puente-pathway' } },
        ],
        eligibility_rule: p.eligibilityRule ?? null,
        sla: { acknowledge_hours: p.slaAcknowledgeHours, decide_hours: p.slaDecideHours },
        hosting_node: p.node,
      })),
      locations: locations.map((l) => ({
        id: l.id,
        organization_id: l.partnerId,
        name: l.name,
        location_type: 'physical',
        external_identifier: l.siteCode,
        latitude: l.latitude,
        longitude: l.longitude,
        addresses: [{ address_1: l.address, city: l.city, state_province: l.subdivision, country: l.country, address_type: 'physical' }],
        accessibility: l.accessibility.map((a) => ({ description: a.description, details: a.details ?? null })),
        schedules: l.openingHours.map((h) => schedule(h, { location_id: l.id })),
      })),
      service_at_locations: links.map((x) => ({ id: `${x.programId}:${x.locationId}`, service_id: x.programId, location_id: x.locationId })),
    };
  }
}
