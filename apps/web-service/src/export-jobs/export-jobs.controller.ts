import { AuthGuard, CurrentUser } from '@nafs/auth-client';
import type { AuthenticatedUser } from '@nafs/contracts';
import { Idempotent } from '@nafs/http';
import { Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';

import { JobIdParamsDto, ToolIdParamsDto } from './dto/export-jobs.dto';
import { ExportJobsService } from './export-jobs.service';

const NO_CACHE = { 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', Expires: '0' };

/**
 * `/api/v1/tool-registry` (W25–W31, #41): E4 errors, V1 for the params. Successes are the raw
 * legacy objects; W27, W28 and W30 also carry `data`, which the web app reads (frontend-contract #36–#38).
 */
@Controller('api/v1/tool-registry')
@UseGuards(AuthGuard)
export class ExportJobsController {
  constructor(private readonly exports: ExportJobsService) {}

  @Get('export-jobs')
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: Record<string, unknown>) {
    return this.exports.list(user, query);
  }

  @Post('tools/:toolId/export/validate')
  @HttpCode(HttpStatus.OK)
  async validate(@Param() { toolId }: ToolIdParamsDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.exports.validate(toolId);
    if (!result.success) res.status(HttpStatus.UNPROCESSABLE_ENTITY);
    return result;
  }

  @Post('tools/:toolId/export')
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  start(@CurrentUser() user: AuthenticatedUser, @Param() { toolId }: ToolIdParamsDto) {
    return this.exports.start(user, toolId);
  }

  @Get('export-jobs/:jobId')
  async status(@CurrentUser() user: AuthenticatedUser, @Param() { jobId }: JobIdParamsDto, @Res({ passthrough: true }) res: Response) {
    const body = await this.exports.status(user, jobId);
    res.set(NO_CACHE);
    return body;
  }

  @Get('export-jobs/:jobId/checksum')
  async checksum(@CurrentUser() user: AuthenticatedUser, @Param() { jobId }: JobIdParamsDto, @Res({ passthrough: true }) res: Response) {
    const body = await this.exports.checksum(user, jobId);
    res.set('Cache-Control', 'public, max-age=31536000, immutable');
    return body;
  }

  @Post('export-jobs/:jobId/cancel')
  @HttpCode(HttpStatus.OK)
  cancel(@CurrentUser() user: AuthenticatedUser, @Param() { jobId }: JobIdParamsDto) {
    return this.exports.cancel(user, jobId);
  }

  @Get('export-jobs/:jobId/download')
  async download(
    @CurrentUser() user: AuthenticatedUser,
    @Param() { jobId }: JobIdParamsDto,
    @Headers('range') range: string | undefined,
    @Res() res: Response,
  ) {
    const file = await this.exports.download(user, jobId, range);
    res.status(file.status).set(file.headers);
    file.body.on('error', () => res.destroy());
    res.on('finish', () => void file.onComplete().catch(() => undefined));
    res.on('close', () => file.body.destroy());
    file.body.pipe(res);
  }

  @Delete('export-jobs/:jobId')
  remove(@CurrentUser() user: AuthenticatedUser, @Param() { jobId }: JobIdParamsDto) {
    return this.exports.remove(user, jobId);
  }
}
