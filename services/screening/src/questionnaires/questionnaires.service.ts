import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  assertIfMatch,
  canonicalHash,
  computeEtag,
  type FieldError,
  type Page,
  paginate,
  ProblemException,
  ProblemTypes,
} from '@puente/platform';
import type { FastifyRequest } from 'fastify';
import { DataSource, type EntityManager } from 'typeorm';
import { invalidQuestionnaireProblem, ScreeningProblemTypes } from '../problems';
import { loadDefaultQuestionnaires } from './default-content';
import { compileQuestionnaire, type CompiledQuestionnaire, type Issue, KEY_PATTERN, MAX_DEFINITION_DEPTH, unstorablePart } from './definition';
import { QuestionnaireVersionEntity } from './questionnaire-version.entity';
import { currentVersion, draftConflict, nextVersionNumber, transition, type VersionAction, VersioningError, type VersionStatus } from './versioning';

/** Who changes a questionnaire (the OAuth client id of an admin, or `system`). */
export type Changer = string;

export function etagOf(v: QuestionnaireVersionEntity): string {
  return computeEtag({ id: v.id, version: v.rowVersion });
}

export function toFieldErrors(issues: readonly Issue[]): FieldError[] {
  return issues.map((i) => ({ field: i.path, code: i.code, message: i.message }));
}

function notFound(): ProblemException {
  return new ProblemException(404, ProblemTypes.NOT_FOUND, 'Questionnaire version not found', 'No questionnaire version with this key and number.');
}

function versioningProblem(error: VersioningError): ProblemException {
  if (error.code === 'draft-exists') return new ProblemException(409, ScreeningProblemTypes.QUESTIONNAIRE_DRAFT_EXISTS, 'A draft already exists', error.message);
  return new ProblemException(409, ScreeningProblemTypes.QUESTIONNAIRE_NOT_EDITABLE, 'Questionnaire version not editable', error.message, { versionStatus: error.status });
}

/** Refuses text PostgreSQL cannot store (NUL, lone surrogates) and absurd nesting, naming where. */
function assertStorable(definition: Record<string, unknown>): void {
  const part = unstorablePart(definition, 'definition');
  if (part === undefined) return;
  const message = part.code === 'invalid-text' ? 'Text must be valid Unicode without NUL characters.' : `A definition is nested at most ${MAX_DEFINITION_DEPTH} levels deep.`;
  throw invalidQuestionnaireProblem([{ field: part.path, code: part.code, message }]);
}

function lockKey(manager: EntityManager, key: string): Promise<unknown> {
  return manager.query(`SELECT pg_advisory_xact_lock(hashtext('puente.screening.questionnaire'), hashtext($1))`, [key]);
}

/**
 * Questionnaire versions: drafts, validation, publication, retirement (versioning.ts), the
 * default content loaded at start, and compiled questionnaires for screenings.
 */
@Injectable()
export class QuestionnairesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Questionnaires');
  /** Compiled definitions by content hash: a hash always denotes the same content. */
  private readonly compiled = new Map<string, CompiledQuestionnaire>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Loads the shipped questionnaires: each key that has no version yet gets it as version 1, published. */
  async onApplicationBootstrap(): Promise<void> {
    for (const q of loadDefaultQuestionnaires()) {
      const inserted = await this.dataSource.transaction(async (tx) => {
        await lockKey(tx, q.key);
        const [{ count }] = await tx.query(`SELECT count(*)::int AS count FROM questionnaire_version WHERE questionnaire_key = $1`, [q.key]);
        if (count > 0) return false;
        await tx.query(
          `INSERT INTO questionnaire_version (id, questionnaire_key, version, status, definition, definition_sha256, source, created_by, published_at, published_by)
           VALUES ($1, $2, 1, 'published', $3, $4, 'default', 'system', clock_timestamp(), 'system')`,
          [randomUUID(), q.key, JSON.stringify(q.definition), canonicalHash(q.definition)],
        );
        return true;
      });
      if (inserted) this.logger.log({ key: q.key }, 'default questionnaire published as version 1');
    }
  }

  /** Compiles a stored version (cached by content hash). Stored published versions always compile. */
  compile(v: Pick<QuestionnaireVersionEntity, 'definition' | 'definitionSha256'>): { questionnaire?: CompiledQuestionnaire; issues: Issue[] } {
    const cached = this.compiled.get(v.definitionSha256);
    if (cached) return { questionnaire: cached, issues: [] };
    const result = compileQuestionnaire(v.definition, 'definition');
    if (result.questionnaire) this.compiled.set(v.definitionSha256, result.questionnaire);
    return result;
  }

  /** The compiled questionnaire of a published (or retired) version; throws if it does not compile. */
  compiledOf(v: QuestionnaireVersionEntity): CompiledQuestionnaire {
    const { questionnaire } = this.compile(v);
    if (!questionnaire) throw new Error(`stored questionnaire ${v.key} v${v.version} does not compile`);
    return questionnaire;
  }

  async byId(manager: EntityManager, id: string): Promise<QuestionnaireVersionEntity> {
    return manager.getRepository(QuestionnaireVersionEntity).findOneByOrFail({ id });
  }

  /** The version new screenings of `key` use (the highest published), if any. */
  async current(key: string, manager: EntityManager = this.dataSource.manager): Promise<QuestionnaireVersionEntity | undefined> {
    const versions = await manager.getRepository(QuestionnaireVersionEntity).find({ where: { key }, select: ['id', 'version', 'status'] });
    const current = currentVersion(versions);
    return current ? this.byId(manager, current.id) : undefined;
  }

  async get(key: string, version: number, manager: EntityManager = this.dataSource.manager, lock = false): Promise<QuestionnaireVersionEntity> {
    const found = await manager.getRepository(QuestionnaireVersionEntity).findOne({
      where: { key, version },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!found) throw notFound();
    return found;
  }

  async list(filter: { key?: string; status?: VersionStatus }, page: { limit: number; cursor?: string }): Promise<Page<QuestionnaireVersionEntity>> {
    const qb = this.dataSource.getRepository(QuestionnaireVersionEntity).createQueryBuilder('q');
    if (filter.key) qb.andWhere('q.questionnaire_key = :key', { key: filter.key });
    if (filter.status) qb.andWhere('q.status = :status', { status: filter.status });
    return paginate(qb, {
      limit: page.limit,
      cursor: page.cursor,
      sort: [
        { column: 'q.created_at', key: 't', type: 'timestamp' },
        { column: 'q.id', key: 'id', type: 'uuid' },
      ],
      scope: `questionnaires?key=${filter.key ?? ''}&status=${filter.status ?? ''}`,
    });
  }

  /** Creates a draft (next version number of its key). Drafts may be incomplete; publishing validates. */
  async createDraft(definition: Record<string, unknown>, by: Changer): Promise<{ draft: QuestionnaireVersionEntity; issues: Issue[] }> {
    assertStorable(definition);
    const key = definition.key;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw invalidQuestionnaireProblem([
        { field: 'definition.key', code: 'invalid-key', message: 'A draft needs a key of lower-case letters, digits and "-" (3 to 64), starting with a letter.' },
      ]);
    }
    const draft = await this.dataSource.transaction(async (tx) => {
      await lockKey(tx, key);
      const versions = await tx.getRepository(QuestionnaireVersionEntity).find({ where: { key }, select: ['id', 'version', 'status'] });
      const conflict = draftConflict(versions);
      if (conflict) throw versioningProblem(conflict);
      const id = randomUUID();
      await tx.query(
        `INSERT INTO questionnaire_version (id, questionnaire_key, version, status, definition, definition_sha256, source, created_by)
         VALUES ($1, $2, $3, 'draft', $4, $5, 'admin', $6)`,
        [id, key, nextVersionNumber(versions), JSON.stringify(definition), canonicalHash(definition), by],
      );
      return this.byId(tx, id);
    });
    return { draft, issues: this.compile(draft).issues };
  }

  private async change(
    key: string,
    version: number,
    action: VersionAction,
    request: FastifyRequest | undefined,
    apply: (tx: EntityManager, v: QuestionnaireVersionEntity) => Promise<void>,
  ): Promise<QuestionnaireVersionEntity | undefined> {
    return this.dataSource.transaction(async (tx) => {
      const v = await this.get(key, version, tx, true);
      if (request) assertIfMatch(request, etagOf(v));
      const next = transition(v.status, action);
      if (next instanceof VersioningError) throw versioningProblem(next);
      await apply(tx, v);
      return action === 'discard' ? undefined : this.byId(tx, v.id);
    });
  }

  /** Replaces a draft's definition (If-Match on the draft's ETag). */
  async updateDraft(key: string, version: number, definition: Record<string, unknown>, request: FastifyRequest): Promise<{ draft: QuestionnaireVersionEntity; issues: Issue[] }> {
    assertStorable(definition);
    if (definition.key !== key) {
      throw invalidQuestionnaireProblem([{ field: 'definition.key', code: 'key-mismatch', message: `The definition's key must stay "${key}".` }]);
    }
    const draft = (await this.change(key, version, 'edit', request, async (tx, v) => {
      await tx.query(
        `UPDATE questionnaire_version SET definition = $2, definition_sha256 = $3, updated_at = clock_timestamp(), row_version = row_version + 1 WHERE id = $1`,
        [v.id, JSON.stringify(definition), canonicalHash(definition)],
      );
    })) as QuestionnaireVersionEntity;
    return { draft, issues: this.compile(draft).issues };
  }

  async discardDraft(key: string, version: number, request: FastifyRequest): Promise<void> {
    await this.change(key, version, 'discard', request, async (tx, v) => {
      await tx.query(`DELETE FROM questionnaire_version WHERE id = $1`, [v.id]);
    });
  }

  /** Publishes a draft after validating it (422 with every problem and its path otherwise). */
  async publish(key: string, version: number, by: Changer): Promise<QuestionnaireVersionEntity> {
    return (await this.change(key, version, 'publish', undefined, async (tx, v) => {
      const { issues } = this.compile(v);
      if (issues.length > 0) throw invalidQuestionnaireProblem(toFieldErrors(issues));
      await tx.query(
        `UPDATE questionnaire_version SET status = 'published', published_at = clock_timestamp(), published_by = $2, updated_at = clock_timestamp(), row_version = row_version + 1 WHERE id = $1`,
        [v.id, by],
      );
    })) as QuestionnaireVersionEntity;
  }

  /** Retires a published version: no new screenings start on it; running ones may finish. */
  async retire(key: string, version: number, by: Changer): Promise<QuestionnaireVersionEntity> {
    return (await this.change(key, version, 'retire', undefined, async (tx, v) => {
      await tx.query(
        `UPDATE questionnaire_version SET status = 'retired', retired_at = clock_timestamp(), retired_by = $2, updated_at = clock_timestamp(), row_version = row_version + 1 WHERE id = $1`,
        [v.id, by],
      );
    })) as QuestionnaireVersionEntity;
  }
}
