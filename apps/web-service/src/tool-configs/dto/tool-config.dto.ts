import { createZodDto, zJson, zText } from '@nafs/http';
import { z } from 'zod';

import { zExistingToolKey } from '../../tools/dto/tool.dto';
import type { ToolConfigEntity } from '../../tools/tool-config.entity';

export const DISPLAY_MODES = ['standard', 'full-width', 'compact', 'modal', 'embedded'] as const;

const zVersion = zText(20, { message: 'Version must be in semver format (e.g., 1.0.0)' }).refine(
  (v) => /^\d+\.\d+\.\d+$/.test(v),
  'Version must be in semver format (e.g., 1.0.0)',
);
const zDisplayMode = z.enum(DISPLAY_MODES, `Display mode must be one of: ${DISPLAY_MODES.join(', ')}`);
const cssValue = (name: string) => zText(200, { message: `${name} must be a string` }).optional();
const zLayoutSettings = zJson(
  z.looseObject({
    maxWidth: cssValue('maxWidth'),
    padding: cssValue('padding'),
    margin: cssValue('margin'),
    backgroundColor: cssValue('backgroundColor'),
    borderRadius: cssValue('borderRadius'),
    customClasses: z.array(zText(200), 'customClasses must be an array').max(100).optional(),
  }),
  { maxBytes: 20_000, maxDepth: 8 },
);

export const createToolConfigSchema = z.object({
  version: zVersion,
  displayMode: zDisplayMode,
  layoutSettings: zLayoutSettings.optional(),
  isActive: z.boolean('isActive must be a boolean').optional(),
});
export class CreateToolConfigDto extends createZodDto(createToolConfigSchema) {}

export const updateToolConfigSchema = createToolConfigSchema
  .partial()
  .refine((input) => Object.values(input).some((value) => value !== undefined), 'At least one field must be provided');
export class UpdateToolConfigDto extends createZodDto(updateToolConfigSchema) {}

// Legacy required kebab-case; the legacy data also holds older keys (`tool.json-formatter_5`).
const zToolKey = zExistingToolKey;
const zConfigId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i, 'Config ID must be a valid UUID');

export class ToolKeyParamsDto extends createZodDto(z.object({ toolKey: zToolKey })) {}
export class ConfigParamsDto extends createZodDto(z.object({ toolKey: zToolKey, configId: zConfigId })) {}

export function toToolConfigDto(config: ToolConfigEntity) {
  return {
    id: config.id,
    toolId: config.toolId,
    version: config.version,
    displayMode: config.displayMode,
    layoutSettings: config.layoutSettings,
    isActive: config.isActive,
    createdAt: config.createdAt,
    updatedAt: config.updatedAt,
  };
}
