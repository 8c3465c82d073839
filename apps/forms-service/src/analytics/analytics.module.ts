import { Module } from '@nestjs/common';

import { FormsModule } from '../forms/forms.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsRepository } from './analytics.repository';
import { AnalyticsService } from './analytics.service';

/** Category analytics (forms-extras.md 2.2, 4). */
@Module({ imports: [FormsModule], controllers: [AnalyticsController], providers: [AnalyticsRepository, AnalyticsService] })
export class AnalyticsModule {}
