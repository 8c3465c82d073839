import { routeFor, type ServiceName } from '@nafs/contracts';

/** The parts of an OpenAPI 3 document the merge touches; everything else is carried as is. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown> | undefined>;
  tags?: { name: string; description?: string }[];
  [key: string]: unknown;
}

export interface ServiceDocument {
  /** `auth`, `web`, `forms`, or `gateway` for the gateway's own routes. */
  source: ServiceName | 'gateway';
  document: OpenApiDocument;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

interface Parameter {
  name: string;
  in: string;
}

/**
 * Declares the path parameters a template has but the operation does not (Nest documents a
 * `*path` wildcard as `{path}` without one); Swagger UI stops rendering at such an operation.
 */
function withPathParameters(path: string, operation: { parameters?: Parameter[] }): unknown {
  const declared = new Set((operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name));
  const missing = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).filter((name) => !declared.has(name));
  if (!missing.length) return operation;
  const added = missing.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  return { ...operation, parameters: [...(operation.parameters ?? []), ...added] };
}

const capitalise = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);

/** Replaces `#/components/<kind>/<name>` references by the renamed ones, everywhere in `value`. */
function rewriteRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renames));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof item === 'string' && renames.has(item) ? renames.get(item) : rewriteRefs(item, renames);
  }
  return out;
}

/**
 * One document for the gateway's origin. A service's path is kept only when the gateway routes it
 * to that service (its health routes, say, are the gateway's own there); each operation is tagged
 * with its service unless it has tags, and marked with `x-service`. Components of the same name and content are shared; names
 * that collide with different content get the service as a prefix (`AuthErrorDto`), and that
 * service's references follow the rename.
 */
export function mergeOpenApiDocuments(documents: ServiceDocument[], unavailable: ServiceName[] = []): OpenApiDocument {
  const merged: OpenApiDocument = {
    openapi: '3.0.0',
    info: {
      title: 'NodeAngularFullStack API',
      version: '1.0.0',
      description:
        'All routes of auth-service, web-service and forms-service as the gateway serves them.' +
        (unavailable.length ? ` Not included (service not answering): ${unavailable.map((s) => `${s}-service`).join(', ')}.` : ''),
    },
    paths: {},
    components: {},
    tags: [],
    'x-unavailable': unavailable,
  };
  const owners = new Map<string, { source: string; json: string }>();
  const components = merged.components as Record<string, Record<string, unknown>>;

  for (const { source, document } of documents) {
    const renames = new Map<string, string>();
    for (const [kind, entries] of Object.entries(document.components ?? {})) {
      for (const [name, definition] of Object.entries(entries ?? {})) {
        const key = `${kind}/${name}`;
        const json = JSON.stringify(definition);
        const owner = owners.get(key);
        if (!owner) owners.set(key, { source, json });
        else if (owner.json !== json) renames.set(`#/components/${key}`, `#/components/${kind}/${capitalise(source)}${name}`);
      }
    }
    const doc = rewriteRefs(document, renames) as OpenApiDocument;
    for (const [kind, entries] of Object.entries(doc.components ?? {})) {
      components[kind] ??= {};
      for (const [name, definition] of Object.entries(entries ?? {})) {
        const renamed = renames.get(`#/components/${kind}/${name}`);
        components[kind][renamed ? (renamed.split('/').pop() ?? name) : name] = definition;
      }
    }
    const tag = source === 'gateway' ? 'gateway' : `${source}-service`;
    let tagged = false;
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      const openApiPath = path;
      const expressPath = path.replace(/\{([^}]+)\}/g, ':$1');
      if (source !== 'gateway' && routeFor(expressPath) !== source) continue;
      if (source === 'gateway' && routeFor(expressPath)) continue;
      const operations: Record<string, unknown> = {};
      for (const [method, operation] of Object.entries(item)) {
        if (!METHODS.has(method) || operation === null || typeof operation !== 'object') {
          operations[method] = operation;
          continue;
        }
        const op = withPathParameters(path, operation as { parameters?: Parameter[] }) as { tags?: string[] };
        // x-service: which process answers the operation (scripts/routes-doc.js reads it).
        operations[method] = { ...op, tags: op.tags?.length ? op.tags : [tag], 'x-service': source };
        tagged ||= !op.tags?.length;
      }
      merged.paths[openApiPath] = { ...(merged.paths[openApiPath] ?? {}), ...operations };
    }
    for (const declared of doc.tags ?? []) if (!merged.tags?.some((t) => t.name === declared.name)) merged.tags?.push(declared);
    if (tagged && !merged.tags?.some((t) => t.name === tag)) merged.tags?.push({ name: tag });
  }
  merged.paths = Object.fromEntries(Object.entries(merged.paths).sort(([a], [b]) => a.localeCompare(b)));
  return merged;
}
