import type { DrawingProjectEntity } from '../drawing-project.entity';
import type { V1Detail } from '../drawing-project.errors';

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

export interface CreateDrawingProjectInput {
  name: string;
  description?: string;
  templateData: Record<string, unknown>;
  thumbnail?: string;
}

export interface UpdateDrawingProjectInput {
  name?: string;
  description?: string;
  templateData?: Record<string, unknown>;
  thumbnail?: string;
  isActive?: boolean;
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

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkName(body: Record<string, unknown>, details: V1Detail[], required: boolean): string | undefined {
  const value = body.name;
  if (value === undefined) {
    if (required) details.push({ field: 'name', message: 'Project name is required', value });
    return undefined;
  }
  if (typeof value !== 'string') {
    details.push({ field: 'name', message: 'Project name must be a string', value });
    return undefined;
  }
  const name = value.trim();
  if (name.length < 1 || name.length > 255) {
    details.push({ field: 'name', message: 'Project name must be between 1 and 255 characters', value });
    return undefined;
  }
  return name;
}

function checkOptionalString(body: Record<string, unknown>, field: 'description' | 'thumbnail', label: string, details: V1Detail[]): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    details.push({ field, message: `${label} must be a string`, value });
    return undefined;
  }
  return value;
}

function checkTemplateData(body: Record<string, unknown>, details: V1Detail[], required: boolean): Record<string, unknown> | undefined {
  const value = body.templateData;
  if (value === undefined) {
    if (required) details.push({ field: 'templateData', message: 'Template data is required', value });
    return undefined;
  }
  if (!isObject(value)) {
    details.push({ field: 'templateData', message: 'Template data must be an object', value });
    return undefined;
  }
  let ok = true;
  if (typeof value.version !== 'string') {
    details.push({ field: 'templateData.version', message: 'Template data must contain a version string', value: value.version });
    ok = false;
  }
  if (!Array.isArray(value.shapes)) {
    details.push({ field: 'templateData.shapes', message: 'Template data must contain a shapes array', value: value.shapes });
    ok = false;
  }
  return ok ? value : undefined;
}

/** W34 body rules (legacy-api.md 3.2); returns the V1 details when anything is wrong. */
export function parseCreateDrawingProject(body: unknown): { input?: CreateDrawingProjectInput; details: V1Detail[] } {
  const details: V1Detail[] = [];
  if (!isObject(body)) return { details: [{ field: 'body', message: 'Request body must be a JSON object', value: body }] };
  const name = checkName(body, details, true);
  const description = checkOptionalString(body, 'description', 'Description', details);
  const templateData = checkTemplateData(body, details, true);
  const thumbnail = checkOptionalString(body, 'thumbnail', 'Thumbnail', details);
  if (details.length || name === undefined || templateData === undefined) return { details };
  return { input: { name, description, templateData, thumbnail }, details };
}

/** W35 body rules: every field optional, each checked when present. */
export function parseUpdateDrawingProject(body: unknown): { input?: UpdateDrawingProjectInput; details: V1Detail[] } {
  const details: V1Detail[] = [];
  if (!isObject(body)) return { details: [{ field: 'body', message: 'Request body must be a JSON object', value: body }] };
  const input: UpdateDrawingProjectInput = {
    name: checkName(body, details, false),
    description: checkOptionalString(body, 'description', 'Description', details),
    templateData: checkTemplateData(body, details, false),
    thumbnail: checkOptionalString(body, 'thumbnail', 'Thumbnail', details),
  };
  if (body.isActive !== undefined) {
    if (typeof body.isActive !== 'boolean') details.push({ field: 'isActive', message: 'isActive must be a boolean', value: body.isActive });
    else input.isActive = body.isActive;
  }
  return details.length ? { details } : { input, details };
}
