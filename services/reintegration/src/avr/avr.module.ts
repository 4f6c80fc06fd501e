import { Module } from '@nestjs/common';
import { AvrController } from './avr.controller';
import { AvrExchangeLink } from './avr-exchange';
import { AvrService } from './avr.service';

/** Assisted voluntary return packages tracked stage by stage, on this node or between the host and origin nodes. */
@Module({ controllers: [AvrController], providers: [AvrService, AvrExchangeLink] })
export class AvrModule {}
