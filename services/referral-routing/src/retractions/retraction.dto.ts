import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RetractionNoticeDto } from '@puente/federation';
import { IsUUID } from 'class-validator';

/** `:id` of a person or a notice. */
export class IdParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

/** A notice as the partner it is addressed to reads it on its feed. */
export class PartnerRetractionNoticeDto extends RetractionNoticeDto {
  @ApiProperty({ format: 'uuid', description: 'The person whose data you must stop processing and delete (as the referral named them)' })
  personId: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  caseId: string | null;

  @ApiProperty({ example: '/v1/partner/retraction-notices/0b8e…/receipt', description: 'POST here once done' })
  receiptPath: string;
}

export class PartnerRetractionFeedDto {
  @ApiProperty({ type: [PartnerRetractionNoticeDto], description: 'Notices addressed to you without your receipt yet, oldest first (at most 100)' })
  items: PartnerRetractionNoticeDto[];
}
