import { DrawingProjectEntity } from '../drawing-projects/drawing-project.entity';
import { ExportJobEntity } from '../export-jobs/export-job.entity';
import { ToolRegistryEntryEntity } from '../tool-registry/tool-registry-entry.entity';
import { ToolEntity } from '../tools/tool.entity';
import { ToolConfigEntity } from '../tools/tool-config.entity';

/** Every entity of web-service, one per table it owns. */
export const WEB_ENTITIES = [ToolEntity, ToolConfigEntity, ToolRegistryEntryEntity, ExportJobEntity, DrawingProjectEntity];
