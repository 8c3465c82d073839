import { AuthGuard, CurrentUser } from '@nafs/auth-client';
import type { AuthenticatedUser } from '@nafs/contracts';
import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';

import { AnalyticsService } from './analytics.service';
import { AnalyticsParamsDto, AnalyticsQueryDto } from './dto/analytics.dto';

/** Category analytics (X7/X8, frontend #73), the same handler at `/api/v1/analytics` and the unversioned `/api/analytics`. */
@Controller()
@UseGuards(AuthGuard)
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get(['api/v1/analytics/:formId/category-metrics', 'api/analytics/:formId/category-metrics'])
  async categoryMetrics(
    @CurrentUser() user: AuthenticatedUser,
    @Param() { formId }: AnalyticsParamsDto,
    @Query() query: AnalyticsQueryDto,
  ) {
    const data = await this.analytics.categoryMetrics(user, formId, query);
    return { success: true, message: 'Analytics retrieved successfully', data, timestamp: new Date().toISOString() };
  }
}
