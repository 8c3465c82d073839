import { etagMatches } from '@nafs/http';
import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ToolLookupParamsDto, ToolSlugParamsDto } from './dto/tool.dto';
import { ToolsService } from './tools.service';

const PUBLIC_CACHE = 'public, max-age=300';

/**
 * `/api/v1/tools` (W16–W18): no authentication (a Bearer token is ignored, as in legacy, and
 * never costs an identity lookup), active tools only, E8, from the Redis-cached public list. The registry's routes under `/api/v1/tools/registry` and `/api/v1/tools/search`
 * are registered before these (ToolRegistryModule comes first in AppModule).
 */
@Controller('api/v1/tools')
export class PublicToolsController {
  constructor(private readonly tools: ToolsService) {}

  /** W16. Polled every 60 s by every open dashboard tab: a matching If-None-Match costs one Redis read. */
  @Get()
  async list(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', PUBLIC_CACHE);
    if (ifNoneMatch) {
      const etag = await this.tools.publicEtag();
      if (etagMatches(ifNoneMatch, etag)) {
        res.setHeader('ETag', etag);
        res.status(304).end();
        return;
      }
    }
    const list = await this.tools.publicList();
    res.setHeader('ETag', list.etag);
    res.type('application/json').send(`{"success":true,"data":${list.body}}`);
  }

  /** W17. */
  @Get('slug/:slug')
  async bySlug(@Param() { slug }: ToolSlugParamsDto, @Res({ passthrough: true }) res: Response) {
    const { tool, etag } = await this.tools.publicTool({ slug });
    res.setHeader('Cache-Control', PUBLIC_CACHE).setHeader('ETag', etag);
    return { success: true, data: { tool } };
  }

  /** W18. */
  @Get(':key')
  async byKey(@Param() { key }: ToolLookupParamsDto, @Res({ passthrough: true }) res: Response) {
    const { tool, etag } = await this.tools.publicTool({ key });
    res.setHeader('Cache-Control', PUBLIC_CACHE).setHeader('ETag', etag);
    return { success: true, data: { tool } };
  }
}
