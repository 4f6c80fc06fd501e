import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerContract, QueryRunner } from 'typeorm';
import { sqlStateOf } from './database-errors';

/**
 * Sends TypeORM's messages to the application logger. Query parameters are never
 * logged (they may hold personal data).
 */
export class TypeOrmPlatformLogger implements TypeOrmLoggerContract {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    this.logger.debug?.(query);
  }

  /**
   * Debug only: a failing query is often an expected outcome (a unique violation the caller
   * gets as 409) and the error reaches whoever decides what it means (the problem filter
   * logs what needs a human at error). SQLSTATE and SQL only: PostgreSQL's message can quote
   * values (`Key (x)=(...)`, `invalid input syntax ...: "..."`).
   */
  logQueryError(error: string | Error, query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    this.logger.debug?.(`Query failed (SQLSTATE ${sqlStateOf(error) ?? 'none'}): ${query}`);
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
