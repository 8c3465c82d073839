import type { SchemaDefinition } from '@nafs/database';

import { WEB_ENTITIES } from './entities';
import { WEB_MIGRATIONS } from './migrations';

export const WEB_SCHEMA: SchemaDefinition = { entities: WEB_ENTITIES, migrations: WEB_MIGRATIONS };
