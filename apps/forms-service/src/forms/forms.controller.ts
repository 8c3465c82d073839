import { AuthGuard, CurrentUser } from '@nafs/auth-client';
import type { AuthenticatedUser } from '@nafs/contracts';
import { Idempotent } from '@nafs/http';
import {
  Body,
  type CanActivate,
  Controller,
  Delete,
  type ExecutionContext,
  Get,
  HttpCode,
  HttpStatus,
  Injectable,
  Param,
  Post,
  Put,
  Query,
  Res,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';

import {
  CreateFormDto,
  ExportSubmissionsQueryDto,
  FormIdParamsDto,
  ListFormsQueryDto,
  ListSubmissionsQueryDto,
  PublishFormDto,
  UpdateFormDto,
  UploadImageParamsDto,
} from './dto/form.dto';
import { toFormDto, toSchemaDto, toSubmissionDto } from './dto/form-response.dto';
import { assertSchemaRules, sanitizeSchemaHtml, screenXss } from './dto/form-schema.rules';
import { FormOwners } from './form-owners';
import { FormsService, type SchemaInput, type UploadedImage } from './forms.service';
import { FormsExport } from './forms-export';

const now = () => new Date().toISOString();
const ok = (message: string, data: unknown, extra: Record<string, unknown> = {}) => ({
  success: true,
  message,
  data,
  ...extra,
  timestamp: now(),
});
/** Multer's own limit (legacy 6 MB); storage's 5 MB check answers the files between. */
const MULTER_LIMITS = { fileSize: 6 * 1024 * 1024, files: 1 };

/** The forms XSS screen: a guard, so it runs on the raw body before validation (legacy middleware order). */
@Injectable()
export class XssScreenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    screenXss(context.switchToHttp().getRequest<Request>().body);
    return true;
  }
}

/** After validation: custom HTML sanitised, then the schema and step rules (V6). */
function prepareSchema(schema: SchemaInput | undefined): void {
  if (!schema) return;
  sanitizeSchemaHtml(schema);
  assertSchemaRules(schema);
}

/** `/api/v1/forms` (F1–F12): all authenticated; errors E3, validation V5 (schema rules V6, XSS as legacy). */
@Controller('api/v1/forms')
@UseGuards(AuthGuard)
export class FormsController {
  constructor(
    private readonly forms: FormsService,
    private readonly owners: FormOwners,
    private readonly exporter: FormsExport,
  ) {}

  @Post('upload-background')
  @HttpCode(HttpStatus.OK)
  @UseInterceptors(FileInterceptor('backgroundImage', { limits: MULTER_LIMITS }))
  async uploadBackground(@CurrentUser() user: AuthenticatedUser, @UploadedFile() file?: UploadedImage) {
    return ok('Background image uploaded successfully', await this.forms.uploadBackground(user, file));
  }

  @Post(':formId/upload-image')
  @HttpCode(HttpStatus.OK)
  @UseInterceptors(FileInterceptor('image', { limits: MULTER_LIMITS }))
  async uploadImage(
    @CurrentUser() user: AuthenticatedUser,
    @Param() { formId }: UploadImageParamsDto,
    @UploadedFile() file?: UploadedImage,
  ) {
    return ok('Image uploaded successfully', await this.forms.uploadImage(user, formId, file));
  }

  @Post()
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  @UseGuards(XssScreenGuard)
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateFormDto) {
    prepareSchema(body.schema as SchemaInput | undefined);
    const { form, schema, theme } = await this.forms.create(user, body as CreateFormDto & { schema?: SchemaInput });
    return ok('Form created successfully', toFormDto(form, { schema, theme }));
  }

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser, @Query() { page, limit }: ListFormsQueryDto) {
    const { rows, total } = await this.forms.list(user, page, limit);
    const owners = await this.owners.byIds(rows.map((row) => row.form.userId));
    const data = rows.map((row) =>
      toFormDto(row.form, { schema: row.schema, shortCode: row.shortCode, owner: owners.get(row.form.userId.toLowerCase()) }),
    );
    const totalPages = Math.ceil(total / limit);
    return ok('Forms retrieved successfully', data, { pagination: { page, limit, total, totalItems: total, totalPages } });
  }

  @Get(':id/tokens/status')
  async tokenStatus(@CurrentUser() user: AuthenticatedUser, @Param() { id }: FormIdParamsDto) {
    return ok('Token status retrieved successfully', await this.forms.tokenStatus(user, id));
  }

  @Get(':id/submissions/export')
  async export(
    @CurrentUser() user: AuthenticatedUser,
    @Param() { id }: FormIdParamsDto,
    @Query() query: ExportSubmissionsQueryDto,
    @Res() res: Response,
  ) {
    const plan = await this.forms.exportPlan(user, id, query);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${encodeURIComponent(plan.fileName).replace(/%20/g, '-')}"`);
    try {
      await this.exporter.write(res, plan.filter, plan.columns);
    } catch (error) {
      // Headers are gone: the only honest signal left is an aborted body.
      res.destroy(error as Error);
    }
  }

  @Get(':id/submissions')
  async submissions(
    @CurrentUser() user: AuthenticatedUser,
    @Param() { id }: FormIdParamsDto,
    @Query() { page, limit }: ListSubmissionsQueryDto,
  ) {
    const { rows, total } = await this.forms.submissions(user, id, page, limit);
    const totalPages = Math.ceil(total / limit);
    return ok('Submissions retrieved successfully', rows.map(toSubmissionDto), {
      pagination: { page, limit, total, totalItems: total, totalPages },
    });
  }

  @Post(':id/publish')
  @HttpCode(HttpStatus.OK)
  async publish(@CurrentUser() user: AuthenticatedUser, @Param() { id }: FormIdParamsDto, @Body() body: PublishFormDto) {
    const result = await this.forms.publish(user, id, body);
    const formSchema = toSchemaDto(result.schema, result.theme);
    if (body.iframeEmbedOptions) formSchema.iframeEmbedOptions = body.iframeEmbedOptions;
    return ok('Form published successfully', {
      form: toFormDto(result.form, { schema: result.schema, theme: result.theme, shortCode: result.shortCode || null }),
      formSchema,
      renderUrl: result.renderUrl,
      shortUrl: result.shortUrl,
      shortCode: result.shortCode,
      qrCodeUrl: result.qrCodeUrl ?? undefined,
      qrCodeGenerated: result.qrCodeGenerated,
    });
  }

  @Post(':id/unpublish')
  @HttpCode(HttpStatus.OK)
  async unpublish(@CurrentUser() user: AuthenticatedUser, @Param() { id }: FormIdParamsDto) {
    return ok('Form unpublished successfully', toFormDto(await this.forms.unpublish(user, id)));
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthenticatedUser, @Param() { id }: FormIdParamsDto) {
    const { form, schema, theme, shortCode } = await this.forms.get(user, id);
    return ok('Form retrieved successfully', toFormDto(form, { schema, theme, shortCode }));
  }

  @Put(':id')
  @UseGuards(XssScreenGuard)
  async update(@CurrentUser() user: AuthenticatedUser, @Param() { id }: FormIdParamsDto, @Body() body: UpdateFormDto) {
    prepareSchema(body.schema as SchemaInput | undefined);
    const { form, schema, theme } = await this.forms.update(user, id, body as UpdateFormDto & { schema?: SchemaInput });
    return ok('Form updated successfully', toFormDto(form, { schema, theme }));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@CurrentUser() user: AuthenticatedUser, @Param() { id }: FormIdParamsDto): Promise<void> {
    await this.forms.remove(user, id);
  }
}
