import { type FieldError, ProblemException } from '@puente/platform';

/** Problem `type` slugs of the screening service (`https://puente.dev/problems/<slug>`). */
export const ScreeningProblemTypes = {
  INVALID_QUESTIONNAIRE: 'invalid-questionnaire',
  QUESTIONNAIRE_DRAFT_EXISTS: 'questionnaire-draft-exists',
  QUESTIONNAIRE_NOT_EDITABLE: 'questionnaire-not-editable',
  NO_PUBLISHED_QUESTIONNAIRE: 'no-published-questionnaire',
  SCREENING_NOT_ALLOWED: 'screening-not-allowed',
  SCREENING_ALREADY_OPEN: 'screening-already-open',
  SCREENING_NOT_EDITABLE: 'screening-not-editable',
  SCREENING_NOT_COMPLETED: 'screening-not-completed',
  INVALID_ANSWERS: 'invalid-answers',
  SCREENING_INCOMPLETE: 'screening-incomplete',
} as const;

/** 422 with one field error per problem, e.g. `definition.sections[0].questions[2].visibleWhen.var`. */
export function invalidQuestionnaireProblem(errors: FieldError[]): ProblemException {
  return new ProblemException(
    422,
    ScreeningProblemTypes.INVALID_QUESTIONNAIRE,
    'Invalid questionnaire',
    `The questionnaire definition has ${errors.length} problem${errors.length === 1 ? '' : 's'}.`,
    { errors },
  );
}

/** 422 for answers: unknown questions, wrong types, hidden questions (`answers.<questionId>`). */
export function invalidAnswersProblem(errors: FieldError[]): ProblemException {
  return new ProblemException(
    422,
    ScreeningProblemTypes.INVALID_ANSWERS,
    'Invalid answers',
    `${errors.length} answer${errors.length === 1 ? ' was' : 's were'} refused; nothing was saved.`,
    { errors },
  );
}

/** 422 when completing with required (shown) questions unanswered. */
export function incompleteProblem(errors: FieldError[]): ProblemException {
  return new ProblemException(
    422,
    ScreeningProblemTypes.SCREENING_INCOMPLETE,
    'Screening incomplete',
    `${errors.length} required question${errors.length === 1 ? ' is' : 's are'} not answered.`,
    { errors },
  );
}

/** Why a screening cannot be started or continued for a case. */
export const NOT_ALLOWED_REASONS = {
  'case-unknown': 'No case with this id is known to screening in your jurisdictions (intake may not have published it yet).',
  'case-closed': 'The case is closed.',
  'person-erased': "The person's data was erased.",
  'person-unknown': 'No such person on this case is known to screening (intake may not have published their registration yet).',
  'no-screening-consent': 'The person has not given consent to screening on this case.',
  'consent-withdrawn': 'The person withdrew their consent to screening.',
  'consent-expired': 'The consent to screening has expired.',
  'consent-not-yet-valid': 'The consent to screening is not valid yet.',
} as const;
export type NotAllowedReason = keyof typeof NOT_ALLOWED_REASONS;

export function screeningNotAllowedProblem(reason: NotAllowedReason): ProblemException {
  return new ProblemException(409, ScreeningProblemTypes.SCREENING_NOT_ALLOWED, 'Screening not allowed', NOT_ALLOWED_REASONS[reason], { reason });
}
