import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LegacyExceptionFilter } from './legacy-exception.filter';

/** Legacy error envelopes for every HTTP route, body-parser failures and unknown paths included. */
@Module({ providers: [{ provide: APP_FILTER, useClass: LegacyExceptionFilter }] })
export class HttpSetupModule {}
