import { Module } from '@nestjs/common';

import { TemplatesController } from './templates.controller';
import { TemplatesRepository } from './templates.repository';
import { TemplatesService } from './templates.service';

/** Form templates (forms-extras.md 2.1): public list/get, authenticated apply, admin create/update/delete. */
@Module({ controllers: [TemplatesController], providers: [TemplatesRepository, TemplatesService] })
export class TemplatesModule {}
