import { createZodDto, zDateTime, zJson, zText } from '@nafs/http';
import { z } from 'zod';

import type { ToolRegistryEntryEntity } from '../tool-registry-entry.entity';

export const REGISTRY_STATUSES = ['beta', 'active', 'deprecated'] as const;
export type RegistryStatus = (typeof REGISTRY_STATUSES)[number];

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

const zVersion = zText(20, { message: 'Version must be valid semver (e.g., 1.0.0)' }).refine(
  (v) => SEMVER.test(v),
  'Version must be valid semver (e.g., 1.0.0)',
);
// The DB CHECK accepts only these; legacy let `alpha` through to a 500.
const zStatus = z.enum(REGISTRY_STATUSES, `Status must be one of: ${REGISTRY_STATUSES.join(', ')}`);
const zManifest = zJson(z.record(z.string(), z.unknown(), 'manifestJson must be an object'), { maxBytes: 200_000, maxDepth: 16 });
const zPermissions = z.array(zText(100, { min: 1 }), 'permissions must be an array').max(100);

export const registerToolSchema = z.object({
  toolId: zText(100, { min: 1, message: 'toolId is required' }).refine(
    (id) => /^[a-z][a-z0-9-]*$/.test(id),
    'toolId must start with a letter and contain only lowercase letters, numbers, and hyphens',
  ),
  name: zText(255, { min: 3, trim: true, message: 'Name must be between 3 and 255 characters' }),
  version: zVersion,
  route: zText(255, { min: 1, message: 'route is required' }),
  apiBase: zText(255, { min: 1, message: 'apiBase is required' }),
  description: zText(500, { min: 1, message: 'Description must be between 1 and 500 characters' }).optional(),
  icon: zText(50, { message: 'icon must be a string of at most 50 characters' }).optional(),
  permissions: zPermissions.optional(),
  status: zStatus.optional(),
  manifestJson: zManifest,
  // Read but not stored, as in legacy (a tool is exported by an export job, not by registering).
  isExported: z.boolean().optional(),
});
export type RegisterToolInput = z.infer<typeof registerToolSchema>;
export class RegisterToolDto extends createZodDto(registerToolSchema) {}

export const updateRegistrySchema = z.object({
  name: zText(255, { min: 3, trim: true, message: 'Name must be between 3 and 255 characters' }).optional(),
  description: zText(500, { min: 1, message: 'Description must be between 1 and 500 characters' }).optional(),
  version: zVersion.optional(),
  icon: zText(50).optional(),
  status: zStatus.optional(),
  route: zText(255, { min: 1 }).optional(),
  apiBase: zText(255, { min: 1 }).optional(),
  permissions: zPermissions.optional(),
  isExported: z.boolean('isExported must be a boolean').optional(),
  exportedAt: zDateTime.nullable().optional(),
  serviceUrl: zText(255).nullable().optional(),
  databaseName: zText(100).nullable().optional(),
  manifestJson: zManifest.optional(),
});
export type UpdateRegistryInput = z.infer<typeof updateRegistrySchema>;
export class UpdateRegistryDto extends createZodDto(updateRegistrySchema) {}

export class RegistryIdParamsDto extends createZodDto(z.object({ id: zText(100, { min: 1 }) })) {}
export class RegistryToolIdParamsDto extends createZodDto(z.object({ toolId: zText(100, { min: 1 }) })) {}
export class RegistrySearchQueryDto extends createZodDto(z.object({ q: zText(200).optional() })) {}

const asObject = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/** The legacy ToolRegistryRecord: snake_case, plus `toolType` and `toolMetadata` from the manifest. */
export function toRegistryRecord(entry: ToolRegistryEntryEntity) {
  const manifest = asObject(entry.manifestJson);
  return {
    id: entry.id,
    tool_id: entry.toolId,
    name: entry.name,
    description: entry.description,
    version: entry.version,
    icon: entry.icon,
    route: entry.route,
    api_base: entry.apiBase,
    permissions: entry.permissions,
    status: entry.status,
    toolType: typeof manifest?.toolType === 'string' ? manifest.toolType : null,
    toolMetadata: asObject(manifest?.toolMetadata) ?? {},
    is_exported: entry.isExported,
    exported_at: entry.exportedAt,
    service_url: entry.serviceUrl,
    database_name: entry.databaseName,
    manifest_json: entry.manifestJson,
    created_at: entry.createdAt,
    updated_at: entry.updatedAt,
    created_by: entry.createdBy,
  };
}
