import { ServiceConfig } from '@puente/platform';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, Matches, Max, MaxLength, Min, registerDecorator } from 'class-validator';
import { parseTopicList } from '../timeline/timeline-topics';

const AGREEMENT_KEY = '[A-Za-z0-9][A-Za-z0-9._-]{0,63}:[A-Za-z0-9+/_-]{43,}={0,2}';

/** A comma-separated topic list that parseTopicList accepts (names, partition counts, no DLQs). */
function IsTimelineTopicList(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimelineTopicList',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => {
          try {
            return typeof value === 'string' && parseTopicList(value).length > 0;
          } catch {
            return false;
          }
        },
        defaultMessage: () =>
          'INTAKE_TIMELINE_TOPICS must be a comma-separated list of topic names (not dead-letter topics), each optionally followed by :partitions (1-1000)',
      },
    });
}

/**
 * Intake's configuration: the platform's variables plus the match-key agreements, the
 * duplicate threshold and the extra topics the case timeline listens to.
 */
export class IntakeConfig extends ServiceConfig {
  /**
   * Data-sharing agreement keys for cross-border match keys: `kid:base64` (32+ random bytes),
   * comma-separated. Match keys are computed under every key listed; a partner's keys compare
   * only under the same kid. Required in production; development uses a public dev key.
   */
  @IsOptional()
  @MaxLength(8192)
  @Matches(new RegExp(`^${AGREEMENT_KEY}(,${AGREEMENT_KEY})*$`), {
    message: 'MATCH_AGREEMENT_KEYS must be a comma-separated list of kid:base64 (each secret at least 32 bytes)',
  })
  MATCH_AGREEMENT_KEYS?: string;

  /** Lowest score (0..1) at which a match is reported as a possible duplicate (default 0.6). */
  @IsOptional()
  @Type(() => Number)
  @IsNumber({}, { message: 'DUPLICATE_SCORE_THRESHOLD must be a number between 0.05 and 1' })
  @Min(0.05, { message: 'DUPLICATE_SCORE_THRESHOLD must be a number between 0.05 and 1' })
  @Max(1, { message: 'DUPLICATE_SCORE_THRESHOLD must be a number between 0.05 and 1' })
  DUPLICATE_SCORE_THRESHOLD: number = 0.6;

  /**
   * Topics the case timeline reads in addition to every catalogued topic keyed by case id:
   * `name[:partitions]`, comma-separated (e.g. a partner context not yet in the catalog).
   */
  @IsOptional()
  @MaxLength(8192)
  @IsTimelineTopicList()
  INTAKE_TIMELINE_TOPICS?: string;
}
