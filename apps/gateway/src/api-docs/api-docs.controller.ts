import { join } from 'node:path';

import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
// The package's index would load the whole browser bundle into the process; this only finds its folder.
import getAbsoluteFSPath = require('swagger-ui-dist/absolute-path.js');
import { ApiDocsService } from './api-docs.service';

/** The Swagger UI files served from the swagger-ui-dist package (no CDN). */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>NodeAngularFullStack API Documentation</title>
  <link rel="stylesheet" type="text/css" href="/api-docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api-docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api-docs/swagger-ui-bundle.js"></script>
  <script src="/api-docs/swagger-initializer.js"></script>
</body>
</html>
`;

// A file, not an inline script, so a strict Content-Security-Policy (script-src 'self') allows it.
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/api-docs/swagger.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis],
    // BaseLayout: no top bar, as the legacy page had it hidden.
    layout: 'BaseLayout',
  });
};
`;

/** `/api-docs`: Swagger UI over the merged document of the three services (legacy-api.md 3.4). */
@ApiExcludeController()
@Controller('api-docs')
export class ApiDocsController {
  constructor(private readonly docs: ApiDocsService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('swagger.json')
  document() {
    return this.docs.merged();
  }

  @Get('swagger-initializer.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  initializer(): string {
    return INITIALIZER;
  }

  @Get(':asset')
  asset(@Param('asset') asset: string, @Res() res: Response): void {
    if (!ASSETS.has(asset)) throw new NotFoundException();
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.sendFile(join(getAbsoluteFSPath(), asset));
  }
}
