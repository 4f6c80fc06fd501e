import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { AuditLog, type Caller } from '@puente/audit';
import { ServiceNotAnsweringError } from '@puente/auth';
import { recordDeliveries } from '@puente/federation';
import { ProblemException } from '@puente/platform';
import { DataSource } from 'typeorm';
import { PersonalDataFetcher } from '../delivery/personal-data';
import type { PartnerReferralDto } from '../referrals/referral.dto';
import { ReferralProblemTypes } from '../referrals/referral-problems';
import { FINAL_STATUSES } from '../referrals/referral-state-machine';
import { ReferralsService } from '../referrals/referrals.service';

export class DisclosedPersonDto {
  @ApiProperty({ format: 'uuid', example: '8d2f3c1a-6b7e-4f90-a1b2-c3d4e5f60718' })
  personId: string;

  @ApiProperty({ required: false, example: 'María José' })
  givenNames?: string;

  @ApiProperty({ required: false, example: 'Pérez Gómez' })
  familyNames?: string;

  @ApiProperty({ required: false, example: '1994-08-21' })
  birthDate?: string;
}

export class ReferralPersonsDto {
  @ApiProperty({ format: 'uuid', example: '5b9e2d4f-1c3a-4e6b-8f70-9a1b2c3d4e5f' })
  referralId: string;

  @ApiProperty({
    type: [DisclosedPersonDto],
    description: 'Each covered person whose consents allow it, with the `person.*` fields of your referral agreement they allow (other fields the agreement names may appear, e.g. documents); empty when the agreement names no identity field.',
  })
  persons: DisclosedPersonDto[];
}

/**
 * A REST-pull partner's way to the identity data a webhook would carry: asked of intake at this
 * moment (agreement ∩ consent, intake decides and audits), answered and forgotten; routing never
 * stores it. Only while the referral is open: a closed one gives nothing more.
 */
@Injectable()
export class PartnerPersons {
  constructor(
    private readonly referrals: ReferralsService,
    private readonly personalData: PersonalDataFetcher,
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async read(caller: Caller, referralId: string): Promise<ReferralPersonsDto> {
    // The partner's own referral or a 404, as for every partner route.
    const referral = (await this.referrals.get(caller, 'partner', referralId)) as PartnerReferralDto;
    if (FINAL_STATUSES.includes(referral.status)) {
      throw new ProblemException(409, ReferralProblemTypes.REFERRAL_CLOSED, 'Referral closed', `A referral that is ${referral.status} no longer gives access to the persons it covered.`, { referralStatus: referral.status });
    }
    let persons: DisclosedPersonDto[];
    try {
      persons = (await this.personalData.forReferral(this.dataSource.manager, referralId, caller.principal.partnerId)) ?? [];
    } catch (error) {
      if (!(error instanceof ServiceNotAnsweringError)) throw error;
      throw new ProblemException(503, ReferralProblemTypes.INTAKE_UNAVAILABLE, 'Personal data unavailable', 'Intake, which holds the persons’ data, did not answer; nothing was disclosed. Try again shortly.', { reason: error.reason }, { headers: { 'retry-after': '5' } });
    }
    if (persons.length > 0) {
      await this.dataSource.transaction(async (tx) => {
        for (const p of persons) {
          await this.audit.append(tx, { action: 'person.deliver', objectType: 'person', objectId: p.personId, purpose: 'referral', actor: caller.auditActor, requestId: caller.requestId, traceparent: caller.traceparent });
        }
        // Each read is a delivery of the identity fields it carried (retraction notices go where these went).
        await recordDeliveries(
          tx,
          persons.map((p) => ({
            receiverType: 'partner' as const,
            receiver: caller.principal.partnerId,
            channel: 'pull',
            caseId: referral.caseId,
            personId: p.personId,
            fields: Object.keys(p).filter((f) => f !== 'personId').map((f) => `person.${f}`).sort(),
          })),
        );
      });
    }
    return { referralId, persons };
  }
}
