import type { ServiceName } from '@nafs/contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';

import { mergeOpenApiDocuments, type OpenApiDocument, type ServiceDocument } from './openapi-merge';

export const API_DOCS_UPSTREAMS = Symbol('API_DOCS_UPSTREAMS');

/** Where each service serves its document (libs/runtime OPENAPI_DOCUMENT_PATH). */
const SERVICE_DOCUMENT_PATH = '/api-docs/swagger.json';
const FETCH_TIMEOUT_MS = 5000;

/**
 * Fetches the three services' documents and merges them with the gateway's own. A service that
 * does not answer is left out (and named in the description); the next request asks it again.
 */
@Injectable()
export class ApiDocsService {
  private readonly logger = new Logger('ApiDocs');
  private gatewayDocument?: () => OpenApiDocument;

  constructor(@Inject(API_DOCS_UPSTREAMS) private readonly upstreams: Record<ServiceName, string>) {}

  /** The gateway's own routes (info, health), built by the app once it is initialised. */
  setGatewayDocument(build: () => OpenApiDocument): void {
    this.gatewayDocument = build;
  }

  async merged(): Promise<OpenApiDocument> {
    const services = Object.keys(this.upstreams) as ServiceName[];
    const fetched = await Promise.all(services.map((service) => this.fetchDocument(service)));
    const documents: ServiceDocument[] = [];
    const unavailable: ServiceName[] = [];
    fetched.forEach((document, index) => {
      if (document) documents.push({ source: services[index], document });
      else unavailable.push(services[index]);
    });
    if (this.gatewayDocument) documents.push({ source: 'gateway', document: this.gatewayDocument() });
    return mergeOpenApiDocuments(documents, unavailable);
  }

  private async fetchDocument(service: ServiceName): Promise<OpenApiDocument | undefined> {
    try {
      const res = await fetch(`${this.upstreams[service]}${SERVICE_DOCUMENT_PATH}`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`status ${res.status}`);
      const document = (await res.json()) as OpenApiDocument;
      if (typeof document?.paths !== 'object' || document.paths === null) throw new Error('not an OpenAPI document');
      return document;
    } catch (error) {
      this.logger.warn(`OpenAPI document of ${service}-service unavailable: ${(error as Error).message}`);
      return undefined;
    }
  }
}
