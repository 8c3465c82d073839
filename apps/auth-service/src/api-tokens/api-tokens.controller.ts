import { BadRequestError, createZodDto, e2Ok, Idempotent } from '@nafs/http';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';

import { Auth, LocalRoles } from '../access/auth.guard';
import { Identity, type RequestIdentity } from '../access/request-identity';
import { createTokenSchema, rangeQuerySchema, tokenIdParamSchema, updateTokenSchema, usageQuerySchema } from './api-tokens.schemas';
import { ApiTokensService, type DateRange } from './api-tokens.service';

class CreateTokenDto extends createZodDto(createTokenSchema) {}
class UpdateTokenDto extends createZodDto(updateTokenSchema) {}
class TokenIdParamsDto extends createZodDto(tokenIdParamSchema) {}
class RangeQueryDto extends createZodDto(rangeQuerySchema) {}
class UsageQueryDto extends createZodDto(usageQuerySchema) {}

// PostgreSQL's timestamptz and JavaScript dates meet in years 1-9999; outside them is no date.
const MIN_DATE = Date.parse('0001-01-01T00:00:00Z');
const MAX_DATE = Date.parse('9999-12-31T23:59:59.999Z');

function parseDate(value: string | undefined, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getTime() < MIN_DATE || date.getTime() > MAX_DATE)
    throw new BadRequestError('INVALID_DATE', `Invalid ${name} date`);
  return date;
}

function parseRange(query: { from?: string; to?: string }): DateRange {
  return { from: parseDate(query.from, 'from'), to: parseDate(query.to, 'to') };
}

function parseStatuses(value: string | undefined): number[] {
  if (!value) return [];
  const codes = value.split(',').map((part) => Number(part.trim()));
  if (codes.some((code) => !Number.isInteger(code) || code < 100 || code > 599))
    throw new BadRequestError('INVALID_STATUS', 'status must be a comma-separated list of HTTP status codes');
  return codes;
}

/** /api/v1/tokens (legacy-api.md 3.1 T1-T8), E2 envelopes, V2 validation; scopes enforced by the guard. */
@Controller('api/v1/tokens')
@Auth()
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  // The replayed answer holds the plaintext token: kept 10 minutes, not 24 h.
  @Idempotent({ ttlSeconds: 600 })
  @HttpCode(201)
  async create(@Identity() identity: RequestIdentity, @Body() body: CreateTokenDto) {
    return e2Ok(await this.tokens.create(identity, body));
  }

  @Get()
  async list(@Identity() identity: RequestIdentity) {
    const items = await this.tokens.list(identity);
    return e2Ok(items, undefined, { meta: { total: items.length } });
  }

  /** Not legacy: the legacy API tokens never presented since the move (issue 17.1); before `:id`. */
  @Get('admin/legacy-unseen')
  @LocalRoles('admin')
  async legacyUnseen() {
    const report = await this.tokens.legacyUnseen();
    return e2Ok(report, undefined, { meta: { total: report.tokens.length } });
  }

  @Get(':id/usage/stats')
  async stats(@Identity() identity: RequestIdentity, @Param() { id }: TokenIdParamsDto, @Query() range: RangeQueryDto) {
    return e2Ok(await this.tokens.stats(identity, id, parseRange(range)));
  }

  @Get(':id/usage/timeseries')
  async timeseries(@Identity() identity: RequestIdentity, @Param() { id }: TokenIdParamsDto, @Query() range: RangeQueryDto) {
    const period = range.period ?? 'day';
    if (period !== 'hour' && period !== 'day') throw new BadRequestError('INVALID_PERIOD', 'period must be hour or day');
    return e2Ok(await this.tokens.timeseries(identity, id, period, parseRange(range)));
  }

  @Get(':id/usage')
  async usage(@Identity() identity: RequestIdentity, @Param() { id }: TokenIdParamsDto, @Query() input: UsageQueryDto) {
    return e2Ok(await this.tokens.usage(identity, id, input, parseRange(input), parseStatuses(input.status)));
  }

  @Get(':id')
  async get(@Identity() identity: RequestIdentity, @Param() { id }: TokenIdParamsDto) {
    return e2Ok(await this.tokens.get(identity, id));
  }

  @Patch(':id')
  async update(@Identity() identity: RequestIdentity, @Param() { id }: TokenIdParamsDto, @Body() body: UpdateTokenDto) {
    return e2Ok(await this.tokens.update(identity, id, body));
  }

  @Delete(':id')
  async remove(@Identity() identity: RequestIdentity, @Param() { id }: TokenIdParamsDto) {
    await this.tokens.remove(identity, id);
    return e2Ok({ message: 'Token revoked successfully' });
  }
}
