import { createZodDto, e2Ok, Idempotent, NotFoundError } from '@nafs/http';
import { LocalDiskStorage, type ObjectStorage } from '@nafs/storage';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';

import { Auth } from '../access/auth.guard';
import { Identity, type RequestIdentity } from '../access/request-identity';
import { clientMeta } from '../common/client-meta';
import { TenantsService } from '../tenants/tenants.service';
import { AvatarsService, OBJECT_STORAGE, type UploadedImage } from './avatars.service';
import { UserAdminService } from './user-admin.service';
import { createUserSchema, listUsersQuerySchema, patchUserSchema, replaceUserSchema, userIdParamSchema } from './users.schemas';
import { UsersService } from './users.service';
import { screened } from './xss-screen';

// The legacy XSS screen (400 SECURITY_ERROR) and protected-field drop run before the schema.
class CreateUserDto extends createZodDto(screened(createUserSchema)) {}
class ReplaceUserDto extends createZodDto(screened(replaceUserSchema)) {}
class PatchUserDto extends createZodDto(screened(patchUserSchema)) {}
class ListUsersQueryDto extends createZodDto(listUsersQuerySchema) {}
class UserIdParamsDto extends createZodDto(userIdParamSchema) {}

/** Multer's limit is above the 5 MB rule so an oversize image gets the storage's clear 400. */
const AVATAR_UPLOAD = FileInterceptor('avatar', { limits: { fileSize: 6 * 1024 * 1024, files: 1 } });

/**
 * /api/v1/users (legacy-api.md 3.1 U1-U9), E2 envelopes, V2 validation. The fixed paths come
 * before `/:id`, so `DELETE /users/avatar` is reachable (legacy 6.5).
 */
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly admin: UserAdminService,
    private readonly avatars: AvatarsService,
    private readonly users: UsersService,
    private readonly tenants: TenantsService,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
  ) {}

  @Post('avatar')
  @HttpCode(200)
  @Auth()
  @UseInterceptors(AVATAR_UPLOAD)
  async uploadAvatar(@Identity() identity: RequestIdentity, @UploadedFile() file: UploadedImage | undefined) {
    return e2Ok(await this.avatars.upload(identity, file), 'Avatar uploaded successfully');
  }

  @Delete('avatar')
  @Auth()
  async deleteAvatar(@Identity() identity: RequestIdentity) {
    return e2Ok(await this.avatars.remove(identity), 'Avatar deleted successfully');
  }

  @Get('me/tenants')
  @Auth()
  async myTenants(@Identity() identity: RequestIdentity) {
    const user = await this.users.findById(identity.id);
    return e2Ok(user ? await this.tenants.memberships(user) : []);
  }

  /** Files of local-disk storage (UPLOADS_DIR); with S3 the URLs point at the bucket instead. */
  @Get('uploads/*key')
  async upload(@Param('key') key: string | string[], @Res() response: Response) {
    const file = this.storage instanceof LocalDiskStorage ? await this.storage.read(Array.isArray(key) ? key.join('/') : key) : null;
    if (!file) throw new NotFoundError('NOT_FOUND', 'File not found');
    response.setHeader('Content-Type', file.contentType);
    response.setHeader('Cache-Control', 'public, max-age=86400');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.send(file.body);
  }

  @Post()
  @Idempotent()
  @HttpCode(201)
  @Auth('admin')
  async create(@Identity() identity: RequestIdentity, @Body() input: CreateUserDto, @Req() request: Request) {
    return e2Ok(await this.admin.create(identity, input, clientMeta(request)), 'User created successfully');
  }

  @Get()
  @Auth('admin')
  async list(@Identity() identity: RequestIdentity, @Query() input: ListUsersQueryDto) {
    return e2Ok(await this.admin.list(identity, input), 'Users retrieved successfully');
  }

  @Get(':id')
  @Auth()
  async get(@Identity() identity: RequestIdentity, @Param() { id }: UserIdParamsDto) {
    return e2Ok(await this.admin.get(identity, id), 'User retrieved successfully');
  }

  @Put(':id')
  @Auth('admin')
  async replace(
    @Identity() identity: RequestIdentity,
    @Param() { id }: UserIdParamsDto,
    @Body() input: ReplaceUserDto,
    @Req() request: Request,
  ) {
    return e2Ok(await this.admin.replace(identity, id, input, clientMeta(request)), 'User updated successfully');
  }

  @Patch(':id')
  @Auth()
  async patch(
    @Identity() identity: RequestIdentity,
    @Param() { id }: UserIdParamsDto,
    @Body() input: PatchUserDto,
    @Req() request: Request,
  ) {
    return e2Ok(await this.admin.patch(identity, id, input, clientMeta(request)), 'User updated successfully');
  }

  @Delete(':id/permanent')
  @HttpCode(204)
  @Auth('admin')
  async erase(@Identity() identity: RequestIdentity, @Param() { id }: UserIdParamsDto, @Req() request: Request): Promise<void> {
    await this.admin.erase(identity, id, clientMeta(request));
  }

  @Delete(':id')
  @HttpCode(204)
  @Auth('admin')
  async remove(@Identity() identity: RequestIdentity, @Param() { id }: UserIdParamsDto, @Req() request: Request): Promise<void> {
    await this.admin.remove(identity, id, clientMeta(request));
  }
}
