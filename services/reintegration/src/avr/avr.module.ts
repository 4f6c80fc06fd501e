import { Module } from '@nestjs/common';
import { AvrController } from './avr.controller';
import { AvrService } from './avr.service';

/** Assisted voluntary return packages tracked stage by stage on this node. */
@Module({ controllers: [AvrController], providers: [AvrService] })
export class AvrModule {}
