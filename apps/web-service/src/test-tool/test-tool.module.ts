import { Module } from '@nestjs/common';

import { TestToolController } from './test-tool.controller';

/** The retired test tool (W37–W41): a documented 410. */
@Module({ controllers: [TestToolController] })
export class TestToolModule {}
