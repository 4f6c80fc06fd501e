import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerContract, QueryRunner } from 'typeorm';

/**
 * Sends TypeORM's messages to the application logger. Query parameters are never
 * logged (they may hold personal data); failing queries are logged without them.
 */
export class TypeOrmPlatformLogger implements TypeOrmLoggerContract {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    this.logger.debug?.(query);
  }

  logQueryError(error: string | Error, query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    const message = error instanceof Error ? error.message : error;
    this.logger.error(`Query failed: ${message} -- ${query}`);
  }

  logQuerySlow(time: number, query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    this.logger.warn(`Slow query (${time} ms): ${query}`);
  }

  logSchemaBuild(message: string, _queryRunner?: QueryRunner): void {
    this.logger.debug?.(message);
  }

  logMigration(message: string, _queryRunner?: QueryRunner): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown, _queryRunner?: QueryRunner): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.log(String(message));
  }
}
