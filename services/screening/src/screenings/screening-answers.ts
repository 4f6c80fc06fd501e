import { Injectable } from '@nestjs/common';
import { PersonVault } from '@puente/privacy';
import type { EntityManager } from 'typeorm';
import type { Answers } from '../questionnaires/engine';
import type { ScreeningEntity } from './screening.entity';

/** A screening's answers as read: readable, or gone with the person's data key. */
export type OpenedAnswers = { erased: false; answers: Answers } | { erased: true; answers: Answers; erasedAt: Date };

/**
 * Screening answers are personal data (disclosures of violence, trafficking, free-text notes):
 * stored as one ciphertext under the screened person's data key (libs/privacy envelope
 * encryption, this service's own `person_data_key`, wrapped by the node KEK). The field name
 * binds each ciphertext to its screening, so it cannot be moved to another one. Erasing the
 * person shreds the key: every copy of the ciphertext becomes unreadable.
 */
@Injectable()
export class ScreeningAnswers {
  constructor(private readonly vault: PersonVault) {}

  /** The ciphertext of `answers` (null when there are none). Throws PersonErasedError after erasure. */
  async seal(tx: EntityManager, s: Pick<ScreeningEntity, 'id'>, personId: string, answers: Answers): Promise<string | null> {
    if (Object.keys(answers).length === 0) return null;
    const sealed = await this.vault.encryptFields(personId, { [fieldOf(s)]: JSON.stringify(answers) }, tx);
    return sealed[fieldOf(s)] as string;
  }

  /** The answers of a screening; empty and `erased` once the person's data key was shredded. */
  async open(db: EntityManager, s: Pick<ScreeningEntity, 'id' | 'personId' | 'answersEnc' | 'answersErasedAt'>): Promise<OpenedAnswers> {
    if (s.answersErasedAt) return { erased: true, answers: {}, erasedAt: s.answersErasedAt };
    if (!s.personId || !s.answersEnc) return { erased: false, answers: {} };
    const opened = await this.vault.decryptFields(s.personId, { [fieldOf(s)]: s.answersEnc }, db);
    if (opened.erased) return { erased: true, answers: {}, erasedAt: opened.erasedAt };
    return { erased: false, answers: JSON.parse(opened.fields[fieldOf(s)] as string) as Answers };
  }
}

function fieldOf(s: Pick<ScreeningEntity, 'id'>): string {
  return `screening.${s.id}.answers`;
}
