import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { NoticeStatus, RetractionNoticeRow } from './retractions';

// What a caseworker is shown of the retraction notices about a person (intake's and referral
// routing's GET /v1/persons/{id}/retractions), and a receiver's receipt: ids and codes only.

export class RetractionNoticeDto {
  @ApiProperty({ format: 'uuid' })
  noticeId: string;

  @ApiProperty({ enum: ['partner', 'node'], example: 'node' })
  receiverType: 'partner' | 'node';

  @ApiProperty({ example: 'MX', description: 'The partner id or node code that received the data' })
  receiver: string;

  @ApiProperty({ enum: ['consent-withdrawn', 'person-erased'] })
  cause: 'consent-withdrawn' | 'person-erased';

  @ApiPropertyOptional({ example: 'referral', nullable: true, type: String, description: 'The withdrawn consent purpose (null for an erasure)' })
  purpose: string | null;

  @ApiProperty({ isArray: true, type: String, example: ['match-keys'], description: 'The delivery channels the notice retracts (e.g. disclosure, match-keys, referral, webhook, kafka, pull)' })
  channels: string[];

  @ApiProperty({ format: 'date-time' })
  sentAt: string;

  @ApiProperty({ format: 'date-time', description: 'The receipt is overdue after this instant' })
  dueAt: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  receiptedAt: string | null;

  @ApiProperty({ enum: ['receipted', 'waiting', 'overdue'] })
  status: NoticeStatus;
}

export class RetractionNoticeListDto {
  @ApiProperty({ type: [RetractionNoticeDto] })
  items: RetractionNoticeDto[];

  @ApiProperty({ description: 'Notices without a receipt (waiting or overdue)', example: 0 })
  missingReceipts: number;
}

export class RetractionReceiptDto {
  @ApiProperty({ format: 'uuid' })
  noticeId: string;

  @ApiProperty({ format: 'date-time' })
  receiptedAt: string;
}

export function toNoticeDto(row: RetractionNoticeRow, status: NoticeStatus): RetractionNoticeDto {
  return {
    noticeId: row.noticeId,
    receiverType: row.receiverType,
    receiver: row.receiver,
    cause: row.cause,
    purpose: row.purpose,
    channels: row.channels,
    sentAt: new Date(row.sentAt).toISOString(),
    dueAt: new Date(row.dueAt).toISOString(),
    receiptedAt: row.receiptedAt ? new Date(row.receiptedAt).toISOString() : null,
    status,
  };
}
