// Test entrypoint (not production code): the reintegration service as `main.ts` runs it, but on a
// clock a test in another process moves: REINTEGRATION_CLOCK_FILE holds an ISO instant (the
// system time while the file is absent or empty). End-to-end tests use it to reach the 12-month
// follow-up without waiting a year.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { bootstrapService, SERVICE_PORTS } from '@puente/platform';
import { reintegrationAppModule, SERVICE } from '../app.module';
import { Clock } from '../common/clock';

class FileClock extends Clock {
  constructor(private readonly file: string) {
    super();
  }

  now(): Date {
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8').trim();
    } catch {
      /* no file yet: the system time */
    }
    const at = text ? new Date(text) : new Date();
    if (Number.isNaN(at.getTime())) throw new Error(`REINTEGRATION_CLOCK_FILE does not hold an ISO instant`);
    return at;
  }
}

const file = process.env.REINTEGRATION_CLOCK_FILE;
if (!file) throw new Error('REINTEGRATION_CLOCK_FILE is required by this test entrypoint');

@Module({ imports: [reintegrationAppModule({ clock: new FileClock(file) })] })
class ReintegrationOnFileClockModule {}

void bootstrapService({
  service: SERVICE.name,
  module: ReintegrationOnFileClockModule,
  port: SERVICE_PORTS['reintegration'],
  title: SERVICE.title,
  description: SERVICE.description,
});
