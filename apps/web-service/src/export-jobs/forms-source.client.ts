import { createHash } from 'node:crypto';

import {
  type FormExportSource,
  FORMS_PATTERNS,
  type FormsPingResponse,
  isRpcErrorEnvelope,
  THEME_ASSET_CHUNK_MAX_CHARS,
  type ThemeAssetChunk,
  type ThemeAssetRef,
  type ThemeExportSource,
} from '@nafs/contracts';
import { CircuitState, ResilientRpc, RpcUnavailableError } from '@nafs/rpc';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';

import { EXPORT_JOBS_OPTIONS, type ExportJobsOptions, FORMS_RPC_CLIENT } from './export-jobs.config';

/** forms answered that the thing does not exist or the request is malformed: never retried. */
export class FormsSourceError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'INVALID_ARGUMENT',
    message: string,
  ) {
    super(message);
    this.name = 'FormsSourceError';
  }
}

/** forms-service could not be asked (down, timeout, circuit open). Retryable. */
export class FormsUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`forms-service is unavailable: ${reason}`);
    this.name = 'FormsUnavailableError';
  }
}

function toDefinitive(error: unknown): FormsSourceError | undefined {
  if (isRpcErrorEnvelope(error) && (error.code === 'NOT_FOUND' || error.code === 'INVALID_ARGUMENT'))
    return new FormsSourceError(error.code, error.message);
  return undefined;
}

/**
 * web's client of forms' export-source patterns, through the same policy as the identity client
 * (`ResilientRpc` of @nafs/rpc: per-attempt timeout, retries, circuit breaker, deadline).
 */
@Injectable()
export class FormsSourceClient implements OnApplicationShutdown {
  private readonly logger = new Logger('FormsSourceClient');
  private readonly rpc: ResilientRpc;

  constructor(
    @Inject(FORMS_RPC_CLIENT) private readonly client: ClientProxy,
    @Inject(EXPORT_JOBS_OPTIONS) options: ExportJobsOptions,
  ) {
    this.rpc = new ResilientRpc(client, options.formsRpc, {
      definitive: toDefinitive,
      onBreakerState: (state) => {
        if (state === CircuitState.Open) this.logger.warn('forms RPC circuit opened: forms-service is not answering');
        if (state === CircuitState.Closed) this.logger.log('forms RPC circuit closed: forms-service answers again');
      },
    });
  }

  private async call<T>(pattern: string, data: unknown): Promise<T> {
    try {
      return await this.rpc.call<T>(pattern, data);
    } catch (error) {
      if (error instanceof RpcUnavailableError) throw new FormsUnavailableError(error.reason);
      throw error;
    }
  }

  ping(): Promise<FormsPingResponse> {
    return this.call(FORMS_PATTERNS.ping, {});
  }

  formSource(formSchemaId: string): Promise<FormExportSource> {
    return this.call(FORMS_PATTERNS.formExportSource, { formSchemaId });
  }

  themeSource(themeId: string): Promise<ThemeExportSource> {
    return this.call(FORMS_PATTERNS.themeExportSource, { themeId });
  }

  /**
   * The bytes of the asset `ref` stands for, decoded chunk by chunk as forms sends slices of its
   * base64 text (a multiple of 4 characters each): at most one slice is in memory at a time.
   */
  async *themeAsset(themeId: string, ref: ThemeAssetRef, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const { column, path, header, length, sha256 } = ref.$themeAsset;
    const end = header.length + length;
    const hash = createHash('sha256');
    const changed = () => new Error(`The asset ${path.join('.')} of theme ${themeId} changed while it was read; start the export again`);
    for (let offset = header.length; offset < end;) {
      signal?.throwIfAborted();
      const request = { themeId, column, path, offset, length: Math.min(THEME_ASSET_CHUNK_MAX_CHARS, end - offset) };
      const chunk = await this.call<ThemeAssetChunk>(FORMS_PATTERNS.themeAssetChunk, request);
      if (chunk.total !== end || chunk.data.length !== request.length) throw changed();
      hash.update(chunk.data);
      offset += chunk.data.length;
      yield Buffer.from(chunk.data, 'base64');
    }
    if (hash.digest('hex') !== sha256) throw changed();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
