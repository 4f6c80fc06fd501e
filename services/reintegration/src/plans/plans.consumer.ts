import { Controller, Logger, type OnModuleInit } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ProgramStatus, Topics } from '@puente/contracts';
import { type ConsumedEvent, decodeOrPoison, type EventContext, NonRetryableError, requireUuid, timeOf } from '@puente/messaging';
import { PersonRegistry } from '../registry/registry.service';
import { PlansService } from './plans.service';

/**
 * What plans react to: reception's check-ins (a draft plan once a reintegration_support consent
 * is in force), referral-routing's programs (which programs a plan may be assigned), and through
 * the registry, consents recorded or ended and erasures.
 */
@Controller()
export class PlansConsumer implements OnModuleInit {
  private readonly logger = new Logger('Plans');

  constructor(
    private readonly plans: PlansService,
    private readonly registry: PersonRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.onConsentRecorded(async (tx, e) => {
      if (await this.plans.openFromCheckIn(tx, e.caseId, e.personId, e.at, e.traceparent)) this.logger.log('plan opened from a check-in once consent was recorded');
    });
    this.registry.onConsentEnded((tx, e) => this.plans.consentEnded(tx, e.caseId, e.personId, e.at, e.traceparent));
    this.registry.onPersonErased((tx, e) => this.plans.erasePerson(tx, e.personId, e.at, e.traceparent));
    this.registry.onPersonSeenAgain((tx, e) => this.plans.flagRemigration(tx, e));
  }

  @EventPattern(Topics.receptionArrival.name, { types: ['puente.reception.v1.PersonCheckedIn'] })
  async onCheckIn(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    const m = decodeOrPoison(event);
    if (m.$typeName !== 'puente.reception.v1.PersonCheckedIn') return;
    const caseId = requireUuid(m.caseId, 'case_id');
    const personId = requireUuid(m.personId, 'person_id');
    const at = timeOf(m.checkedInAt, 'checked_in_at', event.time);
    if (!/^[A-Z]{2}(?:-[A-Z0-9]{1,16}){1,4}$/.test(m.centerCode)) throw new NonRetryableError('center_code is not a center code');
    await tx.query(
      `INSERT INTO check_in (arrival_id, case_id, person_id, center_code, checked_in_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (arrival_id) DO NOTHING`,
      [requireUuid(m.arrivalId, 'arrival_id'), caseId, personId, m.centerCode, at],
    );
    if (await this.registry.isErased(tx, personId)) return;
    const planId = await this.plans.openFromCheckIn(tx, caseId, personId, at, event.traceparent);
    this.logger.log(planId ? 'check-in: plan opened or joined' : 'check-in: waiting for a reintegration_support consent');
  }

  @EventPattern(Topics.directory.name, { types: ['puente.referral.v1.ProgramChanged'] })
  async onProgram(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    const m = decodeOrPoison(event);
    if (m.$typeName !== 'puente.referral.v1.ProgramChanged') return;
    const programId = requireUuid(m.programId, 'program_id');
    const status = m.status === ProgramStatus.ACTIVE ? 'active' : 'inactive';
    // The newest version wins; an older or equal one is a redelivery or out of order.
    await tx.query(
      `INSERT INTO program_record (program_id, partner_id, pathway, status, node, version) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (program_id) DO UPDATE SET partner_id = EXCLUDED.partner_id, pathway = EXCLUDED.pathway, status = EXCLUDED.status,
         node = EXCLUDED.node, version = EXCLUDED.version, updated_at = clock_timestamp()
       WHERE program_record.version < EXCLUDED.version`,
      [programId, m.partnerId, String(m.pathway), status, m.node, m.version],
    );
  }
}
