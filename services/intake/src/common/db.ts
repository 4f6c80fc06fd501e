import { QueryFailedError } from 'typeorm';

/** True for a PostgreSQL unique violation (23505), optionally on one constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driver = (error as QueryFailedError & { driverError?: { code?: string; constraint?: string } }).driverError;
  return driver?.code === '23505' && (constraint === undefined || driver.constraint === constraint);
}
