/** The three services that each own one database. */
export const SERVICE_NAMES = ['auth', 'web', 'forms'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceDescriptor {
  /** Nx project and container name. */
  app: string;
  /** Default HTTP port (env `PORT` overrides). */
  defaultPort: number;
  /** Prefix of the database environment variables: `<prefix>_DB_HOST`, `<prefix>_DB_URL`, ... */
  dbEnvPrefix: string;
  /** Default database name. */
  defaultDatabase: string;
  /** Default login role created by the migration tool and the compose init script. */
  defaultRole: string;
}

export const SERVICES: Record<ServiceName, ServiceDescriptor> = {
  auth: {
    app: 'auth-service',
    defaultPort: 3001,
    dbEnvPrefix: 'AUTH',
    defaultDatabase: 'nodeangularfullstack_auth',
    defaultRole: 'auth_service',
  },
  web: {
    app: 'web-service',
    defaultPort: 3002,
    dbEnvPrefix: 'WEB',
    defaultDatabase: 'nodeangularfullstack_web',
    defaultRole: 'web_service',
  },
  forms: {
    app: 'forms-service',
    defaultPort: 3003,
    dbEnvPrefix: 'FORMS',
    defaultDatabase: 'nodeangularfullstack_forms',
    defaultRole: 'forms_service',
  },
};

export const GATEWAY_DEFAULT_PORT = 3000;
