import { type DynamicModule, Global, Module } from '@nestjs/common';

/**
 * What time it is, for everything time decides in reintegration (activation, due dates, overdue
 * follow-ups). Injected, so tests move time with a clock of their own instead of waiting.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** Provides the Clock to every feature: the system clock unless the app is built with another. */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = new SystemClock()): DynamicModule {
    return { module: ClockModule, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}
