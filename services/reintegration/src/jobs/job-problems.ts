import { ProblemException } from '@puente/platform';

/** Problem types of openings and placements (`https://puente.dev/problems/<slug>`). */
export const JobProblemTypes = {
  OPENING_NOT_FOUND: 'opening-not-found',
  OPENING_NOT_OPEN: 'opening-not-open',
  OPENING_FULL: 'opening-full',
  PLACEMENT_NOT_FOUND: 'placement-not-found',
  PLACEMENT_EXISTS: 'placement-exists',
  PLACEMENT_ALREADY_CONFIRMED: 'placement-already-confirmed',
  PLACEMENT_INVALID_TRANSITION: 'invalid-transition',
  NOT_YOUR_OPENING: 'not-your-opening',
  SKILLS_PROFILE_REQUIRED: 'skills-profile-required',
} as const;

export const openingNotFound = () =>
  new ProblemException(404, JobProblemTypes.OPENING_NOT_FOUND, 'No such opening', 'No job opening with this id.', { errors: [{ field: 'openingId', message: 'no such opening', code: 'notFound' }] });

export const placementNotFound = () =>
  new ProblemException(404, JobProblemTypes.PLACEMENT_NOT_FOUND, 'No such placement', 'No placement with this id.', { errors: [{ field: 'id', message: 'no such placement', code: 'notFound' }] });

export const openingNotOpen = (reason: 'filled' | 'withdrawn' | 'not-yet-open' | 'closed') =>
  new ProblemException(409, JobProblemTypes.OPENING_NOT_OPEN, 'Opening not open', `The opening takes no placements now (${reason}).`, { reason });

export const openingFull = () => new ProblemException(409, JobProblemTypes.OPENING_FULL, 'No slot left', 'Every slot of the opening is taken; nothing was changed.');
