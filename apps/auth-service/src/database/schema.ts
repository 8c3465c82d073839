import type { SchemaDefinition } from '@nafs/database';

import { AUTH_ENTITIES } from './entities';
import { AUTH_MIGRATIONS } from './migrations';

export const AUTH_SCHEMA: SchemaDefinition = { entities: AUTH_ENTITIES, migrations: AUTH_MIGRATIONS };
