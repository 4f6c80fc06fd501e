/** ISO 8601 week, `YYYY-Www` (e.g. 2026-W07): the time unit of every report. */
export const ISO_WEEK = /^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$/;

/** Monday 00:00 UTC of ISO week 1 of `year` (the week holding 4 January). */
function weekOneMonday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const day = new Date(jan4).getUTCDay() || 7;
  return jan4 - (day - 1) * 86_400_000;
}

/** The Monday 00:00 UTC that starts `week`; null when it is not a week of its year (W53 of a 52-week year). */
export function weekStart(week: string): Date | null {
  const m = ISO_WEEK.exec(week);
  if (!m) return null;
  const year = Number(m[1]);
  const start = weekOneMonday(year) + (Number(m[2]) - 1) * 7 * 86_400_000;
  return start < weekOneMonday(year + 1) ? new Date(start) : null;
}

/** The ISO week holding `date` (UTC). */
export function isoWeekOf(date: Date): string {
  const day = date.getUTCDay() || 7;
  // The Thursday of the same week decides the ISO year.
  const thursday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 4 - day));
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - weekOneMonday(year)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The SQL expression of the ISO week of a timestamptz column, as `YYYY-Www` (UTC). */
export function sqlIsoWeek(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'IYYY-"W"IW')`;
}
