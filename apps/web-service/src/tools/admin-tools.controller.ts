import { AuthGuard, CurrentUser, Roles } from '@nafs/auth-client';
import type { AuthenticatedUser } from '@nafs/contracts';
import { clientIp, e2Ok, etagMatches, Idempotent, userAgent } from '@nafs/http';
import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';

import { XssScreenGuard } from './admin-security';
import {
  CreateToolDto,
  ExistingToolKeyParamsDto,
  ToolKeyParamsDto,
  ToolLookupParamsDto,
  ToolSlugParamsDto,
  toToolDto,
  UpdateToolStatusDto,
} from './dto/tool.dto';
import { type AuditContext, ToolsService } from './tools.service';

const auditContext = (user: AuthenticatedUser, req: Request): AuditContext => ({
  userId: user.id,
  tenantId: user.tenantId,
  ipAddress: clientIp(req),
  userAgent: userAgent(req),
});

/**
 * `/api/v1/admin/tools` (W1–W5, W12–W15): admins only, E2/V2, behind the XSS screen; the security
 * headers come from AdminSecurityHeadersMiddleware. The configs routes (W6–W11) live in tool-configs/.
 */
@Controller('api/v1/admin/tools')
@UseGuards(AuthGuard, XssScreenGuard)
@Roles('admin')
export class AdminToolsController {
  constructor(private readonly tools: ToolsService) {}

  /** W1. A matching If-None-Match is answered from Redis alone: no database query. */
  @Get()
  async list(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'private, max-age=300');
    if (ifNoneMatch) {
      const etag = await this.tools.adminEtag();
      if (etagMatches(ifNoneMatch, etag)) {
        res.setHeader('ETag', etag);
        res.status(304).end();
        return;
      }
    }
    const list = await this.tools.adminList();
    res.setHeader('ETag', list.etag);
    if (etagMatches(ifNoneMatch, list.etag)) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(`{"success":true,"data":${list.body},"timestamp":${JSON.stringify(new Date().toISOString())}}`);
  }

  /** W2. */
  @Get('active')
  async active() {
    return e2Ok({ tools: (await this.tools.listActive()).map(toToolDto) });
  }

  /** W3: top-level `available`, no `data`. */
  @Get('validate-key/:key')
  async validateKey(@Param() { key }: ToolKeyParamsDto) {
    const available = await this.tools.isKeyAvailable(key);
    return {
      success: true,
      available,
      message: available ? 'Tool key is available' : 'Tool key is already taken',
      timestamp: new Date().toISOString(),
    };
  }

  /**
   * W4. Legacy looked for the Angular component folder on the server's disk; a deployed
   * web-service has no Angular source tree, so the answer is always `exists: false`, with why.
   */
  @Get('check-component/:slug')
  checkComponent(@Param() { slug }: ToolSlugParamsDto) {
    return e2Ok({
      exists: false,
      componentPath: `apps/web/src/app/features/tools/components/${slug}`,
      reason: 'web-service is deployed without the Angular source tree; component scaffolding is a development-time concern of the web app',
    });
  }

  /** W5. */
  @Get('slug/:slug')
  async bySlug(@Param() { slug }: ToolSlugParamsDto) {
    return e2Ok({ tool: toToolDto(await this.tools.getBySlug(slug)) });
  }

  /** W12. */
  @Get(':key')
  async byKey(@Param() { key }: ToolLookupParamsDto) {
    return e2Ok({ tool: toToolDto(await this.tools.getByKey(key)) });
  }

  /** W13. */
  @Post()
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  async create(@CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Body() body: CreateToolDto) {
    const tool = await this.tools.create(body, auditContext(user, req));
    return e2Ok({ tool: toToolDto(tool) }, 'Tool created successfully');
  }

  /** W14. */
  @Patch(':key')
  async setActive(
    @CurrentUser() user: AuthenticatedUser,
    @Req() req: Request,
    @Param() { key }: ExistingToolKeyParamsDto,
    @Body() body: UpdateToolStatusDto,
  ) {
    const tool = await this.tools.setActive(key, body.active, auditContext(user, req));
    return e2Ok({ tool: toToolDto(tool) }, `Tool ${tool.active ? 'enabled' : 'disabled'} successfully`);
  }

  /** W15. */
  @Delete(':key')
  async remove(@CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Param() { key }: ExistingToolKeyParamsDto) {
    await this.tools.remove(key, auditContext(user, req));
    return { success: true, message: `Tool '${key}' deleted successfully`, timestamp: new Date().toISOString() };
  }
}
