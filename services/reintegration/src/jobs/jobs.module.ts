import { Module } from '@nestjs/common';
import { JobsController } from './jobs.controller';
import { Openings } from './openings.service';
import { Placements } from './placements.service';

/** Job openings of employer partners and placements into them. */
@Module({
  controllers: [JobsController],
  providers: [Openings, Placements],
  exports: [Openings],
})
export class JobsModule {}
