import type { SchemaDefinition } from '@nafs/database';

import { FORMS_ENTITIES } from './entities';
import { FORMS_MIGRATIONS } from './migrations';

export const FORMS_SCHEMA: SchemaDefinition = { entities: FORMS_ENTITIES, migrations: FORMS_MIGRATIONS };
