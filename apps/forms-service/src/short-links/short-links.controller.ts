import { AuthGuard, CurrentUser } from '@nafs/auth-client';
import type { AuthenticatedUser } from '@nafs/contracts';
import { BadRequestError, DomainError, e2Ok, Idempotent, LegacyFamily, LegacyHttpException } from '@nafs/http';
import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';

import { RateLimit, RateLimitGuard } from '../public-forms/public-rate-limits';
import { CreateShortLinkDto, ListShortLinksQueryDto, PreviewDto } from './dto/short-links.dto';
import { isValidCode } from './short-link-codes';
import { ShortLinksService, toShortLinkDto } from './short-links.service';

const INVALID_CODE = 'Invalid short code format';

/** `/api/v1/tools/short-links` (F24–F28): family E2, validation V2. */
@Controller('api/v1/tools/short-links')
export class ShortLinksController {
  constructor(private readonly links: ShortLinksService) {}

  @Post()
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  @RateLimit('shortLinkCreate')
  @UseGuards(RateLimitGuard, AuthGuard)
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateShortLinkDto) {
    return e2Ok(await this.links.create(user.id, body));
  }

  @Get()
  @UseGuards(AuthGuard)
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: ListShortLinksQueryDto) {
    return e2Ok(await this.links.list(user.id, query.limit, query.offset));
  }

  @Get('check-availability/:customName')
  @RateLimit('shortLinkRead')
  @UseGuards(RateLimitGuard, AuthGuard)
  async checkAvailability(@Param('customName') name: string) {
    return e2Ok(await this.links.checkAvailability(name.slice(0, 200)));
  }

  @Post('preview')
  @HttpCode(HttpStatus.OK)
  @RateLimit('shortLinkPreview')
  @UseGuards(RateLimitGuard)
  preview(@Body() body: PreviewDto) {
    return e2Ok(this.links.preview(body.url));
  }

  /** F27: public; its 404/410 are the flat `{ success, message, code, details, timestamp }`. */
  @Get(':code')
  @RateLimit('shortLinkRead')
  @UseGuards(RateLimitGuard)
  async resolve(@Param('code') code: string) {
    if (!isValidCode(code)) {
      throw new BadRequestError('VALIDATION_ERROR', 'Invalid input data', [
        { type: 'field', value: code.slice(0, 200), msg: INVALID_CODE, path: 'code', location: 'params' },
      ]);
    }
    try {
      const link = await this.links.resolve(code);
      return e2Ok({ shortLink: toShortLinkDto(link), originalUrl: link.originalUrl });
    } catch (error) {
      if (error instanceof DomainError && (error.status === 404 || error.status === 410)) {
        throw new LegacyHttpException(error.status, { success: false, message: error.message, code: error.code, details: error.details });
      }
      throw error;
    }
  }
}

/** `GET /s/:code` (F29): 302 to the target; errors nested E2 (`INVALID_CODE`, `LINK_NOT_FOUND`, `LINK_EXPIRED`). */
@Controller('s')
@LegacyFamily({ errors: 'E2', validation: 'V2' })
export class ShortLinkRedirectController {
  constructor(private readonly links: ShortLinksService) {}

  @Get(':code')
  async redirect(@Param('code') code: string, @Res() response: Response) {
    if (!isValidCode(code)) throw new BadRequestError('INVALID_CODE', INVALID_CODE, { code: code.slice(0, 200) });
    const link = await this.links.resolve(code, { expired: 'This short link has expired' });
    response.redirect(302, link.originalUrl);
  }
}
