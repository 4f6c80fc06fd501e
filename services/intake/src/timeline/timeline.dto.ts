import { ApiProperty } from '@nestjs/swagger';
import type { TimelineEntry } from './timeline-entry.entity';

export class TimelineActorDto {
  @ApiProperty({ example: 'mrc-gt-tecun-uman-frontend' })
  clientId: string;

  @ApiProperty({ example: 'GT-MRC-01', nullable: true, type: String })
  partnerId: string | null;

  @ApiProperty({ example: 'GT', nullable: true, type: String })
  node: string | null;
}

export class TimelineEntryDto {
  @ApiProperty({ example: '0f6c2a51-93f1-4c4e-8a0e-4d2b7f9c1e3a', description: 'CloudEvents id' })
  eventId: string;

  @ApiProperty({ example: 'puente.intake.v1.CaseOpened', description: 'CloudEvents type (protobuf full name)' })
  type: string;

  @ApiProperty({ example: '/puente/gt/intake', description: 'CloudEvents source: node and service' })
  source: string;

  @ApiProperty({ format: 'date-time', description: 'When it happened (ce_time)' })
  occurredAt: string;

  @ApiProperty({ example: 'puente.intake.case.v1' })
  topic: string;

  @ApiProperty({ type: TimelineActorDto, nullable: true, description: 'Who caused it, when the event says' })
  actor: TimelineActorDto | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { caseId: '3f2b8c1e-7d4a-4e5f-9a6b-0c1d2e3f4a5b', reference: 'GT-2026-000123', siteCode: 'GT-MRC-01', priority: 'PRIORITY_HIGH' },
    description: 'The event as protobuf JSON when its type is known to this node (events carry no personal data)',
  })
  data: Record<string, unknown> | null;
}

export function toTimelineEntryDto(e: TimelineEntry): TimelineEntryDto {
  return {
    eventId: e.eventId,
    type: e.type,
    source: e.source,
    occurredAt: e.occurredAt.toISOString(),
    topic: e.topic,
    actor: e.actorClientId ? { clientId: e.actorClientId, partnerId: e.actorPartnerId, node: e.actorNode } : null,
    data: e.data,
  };
}
