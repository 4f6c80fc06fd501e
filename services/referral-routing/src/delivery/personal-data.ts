import { Injectable } from '@nestjs/common';
import { ServiceClient, ServiceNotAnsweringError } from '@puente/auth';
import type { EntityManager } from 'typeorm';
import { DirectoryService } from '../directory/directory.service';
import { ReferralRoutingConfig } from './delivery.config';

/** The identity fields an agreement may name (`person.*`): only intake holds them, routing never stores them. */
export function personFieldsOf(agreementFields: readonly string[]): string[] {
  return [...new Set(agreementFields.filter((f) => /^person\.[A-Za-z]+(\.[A-Za-z]+)*$/.test(f)))].sort();
}

/** One covered person's identity fields as intake disclosed them for this partner (in memory only). */
export type DisclosedPerson = { personId: string } & Record<string, unknown>;

const isConsentRequired = (body: unknown): boolean => typeof (body as { type?: unknown })?.type === 'string' && (body as { type: string }).type.endsWith('/consent-required');

/** Intake's answers that settle a person (disclosed, or not to be disclosed): anything else is tried again later. */
const SETTLED = [200, 403, 404, 410];

/**
 * Fetches, at delivery time, the personal data a partner may receive with a referral: for each
 * covered person, the `person.*` fields of the partner's referral agreement that the person's
 * consents in force allow, as intake decides and audits it (POST /v1/persons/{id}/disclosures with
 * routing's service token, scope persons:disclose). The answer lives only in the attempt's memory:
 * it is never written to routing's database, an event or a log.
 */
@Injectable()
export class PersonalDataFetcher {
  private readonly intake: ServiceClient;

  constructor(
    config: ReferralRoutingConfig,
    private readonly directory: DirectoryService,
  ) {
    this.intake = new ServiceClient({ baseUrl: config.INTAKE_URL, tokenFile: config.INTAKE_TOKEN_FILE, timeoutMs: config.WEBHOOK_TIMEOUT_MS });
  }

  /**
   * The persons' disclosed fields for a referral's notice, or undefined when the agreement names
   * no identity field (then intake is not asked). A person intake will not disclose (no consent
   * for this partner or its type, erased, unknown) is left out. Throws ServiceNotAnsweringError
   * when intake gives no usable answer: the delivery is tried again later.
   */
  async forReferral(manager: EntityManager, referralId: string, partnerId: string, at: Date = new Date()): Promise<DisclosedPerson[] | undefined> {
    const agreement = await this.directory.agreementInForce(partnerId, 'referral', at, manager);
    const fields = personFieldsOf(agreement?.fields ?? []);
    if (fields.length === 0) return undefined;
    const [referral] = (await manager.query(`SELECT covered_person_ids AS "personIds" FROM referral WHERE id = $1`, [referralId])) as { personIds: string[] }[];
    // Side by side, so the whole fetch stays within one call's deadline (the delivery's lease allows two).
    const answers = await Promise.all(
      (referral?.personIds ?? []).map(async (personId) => ({
        personId,
        answer: await this.intake.post<{ person?: Record<string, unknown> }>(`/v1/persons/${personId}/disclosures`, { partnerId, purpose: 'referral', fields }, { accept: SETTLED }),
      })),
    );
    const persons: DisclosedPerson[] = [];
    for (const { personId, answer } of answers) {
      // A 403 is settled only when it is the person's consent: a token without persons:disclose must not silently drop the data.
      if (answer.status === 403 && !isConsentRequired(answer.body)) throw new ServiceNotAnsweringError('http-403', 403);
      if (answer.status !== 200) continue;
      if (!answer.body?.person || typeof answer.body.person !== 'object') throw new ServiceNotAnsweringError('malformed-answer', answer.status);
      persons.push({ personId, ...answer.body.person });
    }
    return persons;
  }
}
