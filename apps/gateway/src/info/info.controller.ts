import { Controller, Get } from '@nestjs/common';

/** The legacy info routes (legacy-api.md 3.4). */
@Controller()
export class InfoController {
  @Get()
  root() {
    return { message: 'NodeAngularFullStack API', version: '1.0.0', status: 'running', docs: '/api-docs', api: '/api' };
  }

  @Get('api')
  api() {
    return {
      message: 'NodeAngularFullStack API',
      version: '1.0.0',
      environment: process.env.NODE_ENV ?? 'development',
      timestamp: new Date().toISOString(),
      documentation: '/api-docs',
    };
  }
}
