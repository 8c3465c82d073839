import { createZodDto, zJson, zText, zUuidWith } from '@nafs/http';
import { z } from 'zod';

import type { DrawingProjectEntity } from '../drawing-project.entity';

/** What the Angular SVG drawing tool reads (frontend-contract.md #42-#46). */
export interface DrawingProjectDto {
  id: string;
  userId: string;
  name: string;
  description: string | null;
  templateData: unknown;
  thumbnail: string | null;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
}

const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString());

export function toDrawingProjectDto(row: DrawingProjectEntity): DrawingProjectDto {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    description: row.description,
    templateData: row.templateData,
    thumbnail: row.thumbnail,
    isActive: row.isActive,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

// W34/W35 rules (legacy-api.md 3.2) with the legacy messages. The JSON body limit (10 MB) bounds
// templateData and the base64 thumbnail; descriptions are bounded here.
const name = zText(255, {
  min: 1,
  trim: true,
  message: 'Project name must be between 1 and 255 characters',
  invalidType: 'Project name must be a string',
  required: 'Project name is required',
});
const description = zText(50_000, { invalidType: 'Description must be a string', message: 'Description must be at most 50000 characters' });
const thumbnail = zText(10 * 1024 * 1024, { invalidType: 'Thumbnail must be a string', message: 'Thumbnail is too large' });
const templateData = zJson(
  z.looseObject(
    {
      version: z.string('Template data must contain a version string'),
      shapes: z.array(z.unknown(), 'Template data must contain a shapes array'),
    },
    { error: (issue) => (issue.input === undefined ? 'Template data is required' : 'Template data must be an object') },
  ),
  { maxBytes: 10 * 1024 * 1024, maxDepth: 64 },
);

export const createDrawingProjectSchema = z.object({
  name,
  description: description.optional(),
  templateData,
  thumbnail: thumbnail.optional(),
});

export const updateDrawingProjectSchema = z.object({
  name: name.optional(),
  description: description.optional(),
  templateData: templateData.optional(),
  thumbnail: thumbnail.optional(),
  isActive: z.boolean('isActive must be a boolean').optional(),
});

export class CreateDrawingProjectDto extends createZodDto(createDrawingProjectSchema) {}
export class UpdateDrawingProjectDto extends createZodDto(updateDrawingProjectSchema) {}
export class DrawingProjectIdParamsDto extends createZodDto(z.object({ id: zUuidWith('Invalid project ID format') })) {}
/** `activeOnly=true` lists active projects only; any other value lists all (legacy). */
export class ListDrawingProjectsQueryDto extends createZodDto(z.object({ activeOnly: z.unknown().optional() })) {}

export type CreateDrawingProjectInput = z.output<typeof createDrawingProjectSchema>;
export type UpdateDrawingProjectInput = z.output<typeof updateDrawingProjectSchema>;
