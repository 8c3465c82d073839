import { Body, Controller, Get, Header, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';

import { toThemeDto } from '../themes/dto/theme.dto';
import { SubmitFormDto } from './dto/public-forms.dto';
import { PublicFormsService } from './public-forms.service';
import { PublicRateLimits } from './public-rate-limits';
import { visitorOf } from './visitor';

const timestamp = () => new Date().toISOString();
const MAX_TOKEN = 4096;

/** The iframe-friendly headers of the render routes (legacy-api.md 3.3). */
function iframeHeaders(): MethodDecorator {
  return (target, key, descriptor) => {
    Header('X-Frame-Options', 'ALLOWALL')(target, key, descriptor);
    Header('Content-Security-Policy', "frame-ancestors 'self' *")(target, key, descriptor);
    Header('X-Content-Type-Options', 'nosniff')(target, key, descriptor);
    Header('Referrer-Policy', 'strict-origin-when-cross-origin')(target, key, descriptor);
  };
}

/**
 * `/api/v1/public/forms` (F21–F23, X13, X14): no authentication at all, so a stale or invalid
 * Bearer token is ignored (never a 401). Family E3, field errors V7.
 */
@Controller('api/v1/public/forms')
export class PublicFormsController {
  constructor(
    private readonly forms: PublicFormsService,
    private readonly limits: PublicRateLimits,
  ) {}

  @Get('render/:token')
  @iframeHeaders()
  async render(@Param('token') token: string, @Req() request: Request) {
    await this.limits.consumeApi(visitorOf(request).ip);
    const data = await this.forms.renderByToken(token.slice(0, MAX_TOKEN));
    const theme = data.theme ? toThemeDto(data.theme) : null;
    return {
      success: true,
      message: 'Form schema retrieved successfully',
      data: { schema: { ...data.schema, ...(theme ? { theme } : {}) }, settings: data.settings, theme },
      timestamp: timestamp(),
    };
  }

  @Post('submit/:token')
  @HttpCode(HttpStatus.CREATED)
  async submit(@Param('token') token: string, @Body() body: SubmitFormDto, @Req() request: Request) {
    const visitor = visitorOf(request);
    await this.limits.consumeApi(visitor.ip);
    const data = await this.forms.submit(token.slice(0, MAX_TOKEN), body.values, visitor);
    return { success: true, message: 'Form submitted successfully', data, timestamp: timestamp() };
  }

  @Get(':shortCode/available-slots')
  async availableSlots(
    @Param('shortCode') code: string,
    @Query('startDate') startDate: unknown,
    @Query('endDate') endDate: unknown,
    @Req() request: Request,
  ) {
    await this.limits.consumeApi(visitorOf(request).ip);
    const data = await this.forms.availableSlots(code, startDate, endDate);
    return { success: true, message: 'Available slots retrieved successfully', data, timestamp: timestamp() };
  }

  @Get(':shortCode/poll-results')
  async pollResults(@Param('shortCode') code: string, @Req() request: Request) {
    await this.limits.consumeApi(visitorOf(request).ip);
    const data = await this.forms.pollResults(code);
    return { success: true, message: 'Poll results retrieved successfully', data, timestamp: timestamp() };
  }

  @Get(':shortCode')
  @iframeHeaders()
  async renderByShortCode(@Param('shortCode') code: string, @Req() request: Request) {
    await this.limits.consumeApi(visitorOf(request).ip);
    const form = await this.forms.renderByShortCode(code);
    return {
      success: true,
      message: 'Form schema retrieved successfully',
      form: { ...form, theme: form.theme ? toThemeDto(form.theme) : null },
      timestamp: timestamp(),
    };
  }
}
