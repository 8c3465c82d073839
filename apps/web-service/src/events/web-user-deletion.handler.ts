import { UserDeletionHandler } from '@nafs/events';
import { Injectable } from '@nestjs/common';

/**
 * The legacy ON DELETE rules of web's former foreign keys to users: drawing_projects.user_id
 * CASCADE; tool_registry.created_by and export_jobs.user_id SET NULL.
 */
@Injectable()
export class WebUserDeletionHandler extends UserDeletionHandler {
  constructor() {
    super('web');
  }
}
