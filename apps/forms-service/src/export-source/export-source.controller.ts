import {
  type FormExportSource,
  type FormExportSourceRequest,
  FORMS_PATTERNS,
  type FormsPingResponse,
  type ThemeAssetChunk,
  type ThemeExportSource,
  type ThemeExportSourceRequest,
} from '@nafs/contracts';
import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';

import { ExportSourceService, rpcError } from './export-source.service';

const field = <T>(payload: unknown, name: keyof T): unknown =>
  typeof payload === 'object' && payload !== null ? (payload as T)[name] : undefined;

/** forms' answers to web's export jobs over the Redis transport. Read-only by design. */
@Controller()
export class ExportSourceController {
  private readonly logger = new Logger('ExportSourceController');

  constructor(private readonly source: ExportSourceService) {}

  private async answer<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof RpcException) throw error;
      this.logger.error(`export source failed: ${(error as Error).message}`);
      throw rpcError('UNAVAILABLE', 'forms-service failed to read its database');
    }
  }

  @MessagePattern(FORMS_PATTERNS.ping)
  ping(): FormsPingResponse {
    return { service: 'forms-service', uptime: Math.floor(process.uptime()), timestamp: new Date().toISOString() };
  }

  @MessagePattern(FORMS_PATTERNS.formExportSource)
  formSource(@Payload() payload: unknown): Promise<FormExportSource> {
    return this.answer(() => this.source.formSource(field<FormExportSourceRequest>(payload, 'formSchemaId')));
  }

  @MessagePattern(FORMS_PATTERNS.themeExportSource)
  themeSource(@Payload() payload: unknown): Promise<ThemeExportSource> {
    return this.answer(() => this.source.themeSource(field<ThemeExportSourceRequest>(payload, 'themeId')));
  }

  @MessagePattern(FORMS_PATTERNS.themeAssetChunk)
  themeAssetChunk(@Payload() payload: unknown): Promise<ThemeAssetChunk> {
    return this.answer(() => this.source.themeAssetChunk(payload));
  }
}
