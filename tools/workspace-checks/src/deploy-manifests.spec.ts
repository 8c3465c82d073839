import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import {
  GATEWAY_DEFAULT_PORT,
  GATEWAY_ROUTES,
  HEALTH_PATHS,
  JWT_SECRET_MIN_LENGTH,
  nodeOptionsOf,
  SERVICE_NAMES,
  type ServiceName,
  SERVICES,
} from '@nafs/contracts';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The deployment files (docker/, k8s/, .github/workflows/ci.yml) checked against what the services
 * really read and serve: ports and database names from SERVICES, probe paths from HEALTH_PATHS,
 * routes from GATEWAY_ROUTES, and environment variable names from the services' zod config schemas
 * (read as text: a tool may not import an app). Every check lists all its problems at once.
 */

const workspaceRoot = join(__dirname, '..', '..', '..');
const rel = (file: string) => relative(workspaceRoot, file);
const read = (path: string) => readFileSync(join(workspaceRoot, path), 'utf8');

// ---------------------------------------------------------------------------------------------
// Loose access to parsed YAML
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObj = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Json => (isObj(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const scalar = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((current, key) => (typeof key === 'number' ? list(current)[key] : obj(current)[key]), value);

interface Manifest {
  file: string;
  doc: Json;
}
const kindOf = (m: Manifest) => scalar(m.doc['kind']);
const nameOf = (m: Manifest) => scalar(at(m.doc, 'metadata', 'name'));
const where = (m: Manifest) => `${m.file} ${kindOf(m)}/${nameOf(m)}`;

function parseYamlDocuments(text: string, source: string): Json[] {
  return parseAllDocuments(text, { merge: true }).flatMap((document) => {
    if (document.errors.length) throw new Error(`${source}: YAML error: ${document.errors.map((e) => e.message).join('; ')}`);
    const value = document.toJS();
    if (value === null || value === undefined) return [];
    if (!isObj(value)) throw new Error(`${source}: a document is not a mapping`);
    return [value];
  });
}

function walk(dir: string, accept: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return walk(full, accept);
    return accept(full) ? [full] : [];
  });
}

const isYaml = (file: string) => /\.ya?ml$/.test(file);
const isKustomization = (file: string) => /(^|\/)kustomization\.ya?ml$/.test(file);
/** Plain Prometheus rule files and their promtool tests (k8s/monitoring) are not Kubernetes objects. */
const isPrometheusRules = (file: string) => /\.rules(\.test)?\.ya?ml$/.test(file);

// ---------------------------------------------------------------------------------------------
// Environment variable names each service's config schema knows, read from the schema sources
// ---------------------------------------------------------------------------------------------

/**
 * Secrets each service must receive. JWT_SECRET: auth signs access tokens, web and forms verify
 * them (libs/auth-client identityClientEnvShape); JWT_REFRESH_SECRET is auth's alone.
 */
const REQUIRED_SECRETS: Record<Target['key'], string[]> = {
  auth: ['JWT_SECRET', 'JWT_REFRESH_SECRET'],
  web: ['JWT_SECRET'],
  forms: ['JWT_SECRET'],
  gateway: [],
};

/**
 * Passed ahead of a schema that does not declare it yet (web and forms, until they spread the
 * identity client's env shape). Once every schema declares it, this list can go.
 */
const PLANNED_ENV = ['JWT_SECRET'];

/** Names that must never sit in a ConfigMap or a literal value. */
const SECRET_NAME = /SECRET|PASSWORD|PRIVATE_KEY|_TOKEN$/;

interface SchemaFacts {
  names: Set<string>;
  /** The `PORT: port(N)` default of the schema. */
  defaultPort: number | undefined;
  sources: string[];
}

/** Index just past the string literal or comment starting at `i`, or `i` when none starts there. */
function skipLiteral(source: string, i: number): number {
  const c = source[i];
  if (c === '/' && source[i + 1] === '/') {
    const end = source.indexOf('\n', i);
    return end === -1 ? source.length : end;
  }
  if (c === '/' && source[i + 1] === '*') {
    const end = source.indexOf('*/', i + 2);
    return end === -1 ? source.length : end + 2;
  }
  if (c === "'" || c === '"' || c === '`') {
    let j = i + 1;
    while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  return i;
}

/** `source` without comments (string literals kept, so `'http://...'` survives). */
function stripComments(source: string): string {
  let out = '';
  for (let i = 0; i < source.length;) {
    const next = skipLiteral(source, i);
    if (next === i) out += source[i++];
    else {
      if (source[i] !== '/') out += source.slice(i, next);
      i = next;
    }
  }
  return out;
}

/** The text between the brace at `open` and its matching closing brace. */
function braceBody(source: string, open: number): string {
  let depth = 0;
  for (let i = open; i < source.length;) {
    const next = skipLiteral(source, i);
    if (next !== i) {
      i = next;
      continue;
    }
    if (source[i] === '{') depth += 1;
    if (source[i] === '}' && --depth === 0) return source.slice(open + 1, i);
    i += 1;
  }
  throw new Error('unbalanced braces');
}

/** `body` with everything inside nested {...} and [...] blanked: what remains is the top level. */
function topLevel(body: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < body.length;) {
    const next = skipLiteral(body, i);
    if (next !== i) {
      out += depth === 0 ? body.slice(i, next) : '';
      i = next;
      continue;
    }
    const c = body[i++];
    if (c === '{' || c === '[') depth += 1;
    if (depth === 0 || c === '\n') out += c;
    if (c === '}' || c === ']') depth -= 1;
  }
  return out;
}

let librarySources: { file: string; text: string }[] | undefined;
/** Non-test TypeScript of every library, where shared env shapes (commonEnvShape, ...) live. */
function libraries() {
  librarySources ??= walk(
    join(workspaceRoot, 'libs'),
    (f) => f.endsWith('.ts') && !/\.(spec|test)\.ts$/.test(f) && f.includes('/src/'),
  ).map((f) => ({ file: rel(f), text: stripComments(readFileSync(f, 'utf8')) }));
  return librarySources;
}

/** The `*.config.ts` files of the app that `where` belongs to: a feature may keep its env shape beside it. */
function appConfigSources(where: string) {
  const app = /^apps\/([^/]+)\//.exec(where)?.[1];
  if (!app) return [];
  return walk(join(workspaceRoot, 'apps', app, 'src'), (f) => f.endsWith('.config.ts')).map((f) => ({
    file: rel(f),
    text: stripComments(readFileSync(f, 'utf8')),
  }));
}

/**
 * The variable names of a zod shape body: its own top-level keys plus, recursively, those of every
 * spread `...shape` (an object constant) or `...shapeFn('PREFIX')` (a function building
 * `${prefix}_NAME` keys), looked up in `localSource` and then in the libraries.
 */
function shapeNames(body: string, localSource: string, where: string, depth = 0): string[] {
  if (depth > 5) throw new Error(`${where}: env shapes nest too deep`);
  const top = topLevel(body);
  const names = [...top.matchAll(/^[ \t]*([A-Z][A-Z0-9_]*)\s*:/gm)].map((m) => m[1]);
  for (const [, shape, args] of top.matchAll(/\.\.\.\s*(\w+)(?:\(([^)]*)\))?/g)) {
    const sources = [{ file: where, text: localSource }, ...appConfigSources(where), ...libraries()];
    const asObject = new RegExp(`\\bconst\\s+${shape}\\b[^=]*=\\s*\\{`);
    const asFunction = new RegExp(`\\bfunction\\s+${shape}\\s*\\(\\s*(\\w+)`);
    const objectSource = sources.find((src) => asObject.test(src.text));
    const functionSource = sources.find((src) => asFunction.test(src.text));
    if (objectSource) {
      const match = asObject.exec(objectSource.text);
      const open = (match?.index ?? 0) + (match?.[0].length ?? 1) - 1;
      names.push(...shapeNames(braceBody(objectSource.text, open), objectSource.text, objectSource.file, depth + 1));
    } else if (functionSource) {
      const match = asFunction.exec(functionSource.text);
      const param = match?.[1] ?? '';
      const fnBody = braceBody(functionSource.text, functionSource.text.indexOf('{', match?.index ?? 0));
      const prefix = /^\s*'([^']*)'\s*$/.exec(args ?? '')?.[1];
      if (prefix === undefined)
        throw new Error(`${where}: ...${shape}(${args ?? ''}) needs one string literal argument to name its variables`);
      const suffixes = [...fnBody.matchAll(new RegExp(`\\[\`\\$\\{${param}\\}_([A-Z][A-Z0-9_]*)\`\\]`, 'g'))].map((m) => m[1]);
      if (!suffixes.length)
        throw new Error(`${functionSource.file}: ${shape}() builds no \`\${${param}}_NAME\` keys that deploy-manifests.spec.ts can read`);
      names.push(...suffixes.map((suffix) => `${prefix}_${suffix}`));
    } else {
      throw new Error(
        `${where}: spreads ${shape}, found neither there, in the app's *.config.ts files, nor in libs/*/src; deploy-manifests.spec.ts cannot list its variables`,
      );
    }
  }
  return names;
}

/** `port(3001)`, `port(GATEWAY_DEFAULT_PORT)` or `port(SERVICES.auth.defaultPort)` as a number. */
function portDefault(argument: string): number | undefined {
  const arg = argument.trim();
  if (/^\d+$/.test(arg)) return Number(arg);
  if (arg === 'GATEWAY_DEFAULT_PORT') return GATEWAY_DEFAULT_PORT;
  const service = /^SERVICES\.(\w+)\.defaultPort$/.exec(arg)?.[1];
  return service && service in SERVICES ? SERVICES[service as ServiceName].defaultPort : undefined;
}

/** What `apps/<app>/src/config/*.config.ts` declares: every `z.object({...})` there, spreads resolved. */
function schemaFacts(app: string): SchemaFacts {
  const configDir = `apps/${app}/src/config`;
  const files = existsSync(join(workspaceRoot, configDir))
    ? readdirSync(join(workspaceRoot, configDir)).filter((f) => f.endsWith('.config.ts'))
    : [];
  if (!files.length) throw new Error(`${configDir}/*.config.ts not found: no config schema to check ${app}'s environment against`);
  const names = new Set<string>();
  let defaultPort: number | undefined;
  for (const file of files) {
    const source = stripComments(read(`${configDir}/${file}`));
    for (const match of source.matchAll(/z\s*\.object\(\s*\{/g)) {
      const body = braceBody(source, (match.index ?? 0) + match[0].length - 1);
      shapeNames(body, source, `${configDir}/${file}`).forEach((name) => names.add(name));
      const port = /^\s*PORT:\s*port\(([^)]*)\)/m.exec(topLevel(body));
      if (port) defaultPort = portDefault(port[1]);
    }
  }
  if (!names.has('PORT')) throw new Error(`${configDir}: no PORT in the config schema (or deploy-manifests.spec.ts could not read it)`);
  return { names, defaultPort, sources: files.map((f) => `${configDir}/${f}`) };
}

// ---------------------------------------------------------------------------------------------
// What is deployed
// ---------------------------------------------------------------------------------------------

interface Target {
  key: ServiceName | 'gateway';
  app: string;
  port: number;
  dbPrefix?: string;
  database?: string;
  role?: string;
}

const serviceTargets: Target[] = SERVICE_NAMES.map((key) => ({
  key,
  app: SERVICES[key].app,
  port: SERVICES[key].defaultPort,
  dbPrefix: SERVICES[key].dbEnvPrefix,
  database: SERVICES[key].defaultDatabase,
  role: SERVICES[key].defaultRole,
}));
const gatewayTarget: Target = { key: 'gateway', app: 'gateway', port: GATEWAY_DEFAULT_PORT };

/** Everything deployed: the three services, and the gateway since apps/gateway exists. */
const deployedTargets: Target[] = existsSync(join(workspaceRoot, 'apps', gatewayTarget.app, 'project.json'))
  ? [...serviceTargets, gatewayTarget]
  : serviceTargets;

const knownEnvCache = new Map<string, Set<string>>();
/** Names the app's config schema knows, plus PLANNED_ENV for the three services. */
function knownEnv(target: Target): Set<string> {
  let known = knownEnvCache.get(target.app);
  if (!known) {
    // NODE_OPTIONS is read by node itself, not the config schema; its value is checked on its own.
    known = new Set([...schemaFacts(target.app).names, ...(target.key === 'gateway' ? [] : PLANNED_ENV), 'NODE_OPTIONS']);
    knownEnvCache.set(target.app, known);
  }
  return known;
}

/** The gateway's `<NAME>_SERVICE_URL` variables, per service. */
const upstreamVariable = (service: ServiceName) => `${service.toUpperCase()}_SERVICE_URL`;

function upstreamProblems(env: Map<string, string | undefined>, hostOf: (target: Target) => string, context: string): string[] {
  return serviceTargets.flatMap((target) => {
    const variable = upstreamVariable(target.key as ServiceName);
    const value = env.get(variable);
    let url: URL | undefined;
    try {
      url = value ? new URL(value) : undefined;
    } catch {
      url = undefined;
    }
    const host = hostOf(target);
    const ok = url && (url.hostname === host || url.hostname.startsWith(`${host}.`)) && Number(url.port || 80) === target.port;
    return ok ? [] : [`${context}: ${variable} is ${value ?? '(not set)'}; expected http://${host}:${target.port}`];
  });
}

function k8sManifests(): Manifest[] {
  return walk(join(workspaceRoot, 'k8s'), (f) => isYaml(f) && !isKustomization(f) && !isPrometheusRules(f)).flatMap((file) =>
    parseYamlDocuments(readFileSync(file, 'utf8'), rel(file)).map((doc) => ({ file: rel(file), doc })),
  );
}

// ---------------------------------------------------------------------------------------------
// Kubernetes workload checks, run on the base and on each rendered overlay
// ---------------------------------------------------------------------------------------------

interface EnvEntry {
  source: string;
  fromSecret: boolean;
  value?: string;
}

const labelsMatch = (selector: Json, labels: Json) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

function podSpecOf(workload: Json) {
  const template = at(workload, 'spec', 'template');
  return { labels: obj(at(template, 'metadata', 'labels')), spec: obj(at(template, 'spec')) };
}

/** The environment a container sees: envFrom ConfigMaps (resolved in `docs`) then env entries. */
function containerEnv(container: Json, docs: Manifest[], context: string, problems: string[]): Map<string, EnvEntry> {
  const env = new Map<string, EnvEntry>();
  for (const from of list(container['envFrom'])) {
    const configMap = scalar(at(from, 'configMapRef', 'name'));
    const secret = scalar(at(from, 'secretRef', 'name'));
    if (secret) {
      problems.push(`${context}: envFrom secretRef ${secret} hides which variables it sets; use env[].valueFrom.secretKeyRef`);
    }
    if (configMap) {
      const found = docs.find((m) => kindOf(m) === 'ConfigMap' && nameOf(m) === configMap);
      if (!found) {
        problems.push(`${context}: envFrom ConfigMap ${configMap} is not defined`);
        continue;
      }
      for (const [key, value] of Object.entries(obj(found.doc['data']))) {
        env.set(key, { source: `ConfigMap ${configMap}`, fromSecret: false, value: scalar(value) ?? '' });
      }
    }
  }
  for (const entry of list(container['env'])) {
    const name = scalar(at(entry, 'name'));
    if (!name) continue;
    const secretName = scalar(at(entry, 'valueFrom', 'secretKeyRef', 'name'));
    const configMapName = scalar(at(entry, 'valueFrom', 'configMapKeyRef', 'name'));
    if (secretName) {
      env.set(name, { source: `Secret ${secretName}/${scalar(at(entry, 'valueFrom', 'secretKeyRef', 'key'))}`, fromSecret: true });
    } else if (configMapName) {
      const key = scalar(at(entry, 'valueFrom', 'configMapKeyRef', 'key')) ?? '';
      const found = docs.find((m) => kindOf(m) === 'ConfigMap' && nameOf(m) === configMapName);
      env.set(name, { source: `ConfigMap ${configMapName}`, fromSecret: false, value: scalar(at(found?.doc, 'data', key)) });
    } else {
      env.set(name, { source: 'literal', fromSecret: false, value: scalar(entry && obj(entry)['value']) ?? '' });
    }
  }
  return env;
}

/** NODE_OPTIONS, where set, must be the image's default plus the app's V8 flags (nodeOptionsOf in libs/contracts). */
function nodeOptionsProblems(target: Target, actual: string | undefined, context: string): string[] {
  const expected = nodeOptionsOf(target.app);
  if (actual === expected) return [];
  return [`${context}: NODE_OPTIONS is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)} (libs/contracts v8-flags.json)`];
}

function checkEnv(target: Target, env: Map<string, EnvEntry>, context: string, problems: string[]) {
  problems.push(...nodeOptionsProblems(target, env.get('NODE_OPTIONS')?.value, context));
  const known = knownEnv(target);
  for (const [name, entry] of env) {
    if (!known.has(name)) {
      problems.push(`${context}: ${name} (from ${entry.source}) is not a variable of ${target.app}'s config schema`);
    }
    if ((SECRET_NAME.test(name) || PLANNED_ENV.includes(name)) && !entry.fromSecret) {
      problems.push(`${context}: ${name} comes from ${entry.source}; secrets must come from a Secret (secretKeyRef)`);
    }
  }
  const port = env.get('PORT')?.value;
  if (port !== undefined && Number(port) !== target.port) {
    problems.push(`${context}: PORT is ${port}, but ${target.app} listens on ${target.port} (SERVICES)`);
  }
  if (target.key === 'gateway' || !target.dbPrefix) {
    const values = new Map([...env].map(([name, entry]) => [name, entry.value]));
    problems.push(...upstreamProblems(values, (t) => t.app, context));
    return;
  }
  for (const name of REQUIRED_SECRETS[target.key])
    if (!env.has(name)) problems.push(`${context}: ${name} is not set (Secret reference expected)`);
  const p = target.dbPrefix;
  const url = env.get(`${p}_DB_URL`);
  const database = env.get(`${p}_DB_NAME`)?.value ?? (url?.value ? databaseOfUrl(url.value) : undefined);
  const user = env.get(`${p}_DB_USER`)?.value ?? (url?.value ? userOfUrl(url.value) : undefined);
  if (database !== target.database) {
    problems.push(`${context}: database is ${database ?? '(not set)'}; ${target.app} owns ${target.database} (set ${p}_DB_NAME)`);
  }
  if (user !== target.role) {
    problems.push(`${context}: database role is ${user ?? '(not set)'}; ${target.app} connects as ${target.role} (set ${p}_DB_USER)`);
  }
  const password = env.get(`${p}_DB_PASSWORD`);
  if (!password && !url?.fromSecret) problems.push(`${context}: ${p}_DB_PASSWORD is not set from a Secret`);
}

function databaseOfUrl(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || undefined;
  } catch {
    return undefined;
  }
}
function userOfUrl(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).username) || undefined;
  } catch {
    return undefined;
  }
}

function securityProblems(podSpec: Json, container: Json, context: string): string[] {
  const problems: string[] = [];
  const pod = obj(podSpec['securityContext']);
  const own = obj(container['securityContext']);
  if (pod['runAsNonRoot'] !== true && own['runAsNonRoot'] !== true) problems.push(`${context}: securityContext.runAsNonRoot is not true`);
  if (pod['runAsUser'] === 0 || own['runAsUser'] === 0) problems.push(`${context}: runs as uid 0`);
  if (own['allowPrivilegeEscalation'] !== false) problems.push(`${context}: allowPrivilegeEscalation is not false`);
  return problems;
}

function resourceProblems(container: Json, context: string): string[] {
  return ['requests', 'limits'].flatMap((kind) =>
    ['cpu', 'memory']
      .filter((resource) => scalar(at(container, 'resources', kind, resource)) === undefined)
      .map((resource) => `${context}: resources.${kind}.${resource} is not set`),
  );
}

/** Every per-service check on one set of documents (the base, or an overlay rendered by kubectl). */
function workloadProblems(target: Target, docs: Manifest[]): string[] {
  const problems: string[] = [];
  const deployment = docs.find((m) => kindOf(m) === 'Deployment' && nameOf(m) === target.app);
  if (!deployment) return [`no Deployment named ${target.app}`];
  const ctx = where(deployment);
  const { labels, spec } = podSpecOf(deployment.doc);
  const containers = list(spec['containers']).map(obj);
  const container = containers.find((c) => c['name'] === target.app) ?? containers[0];
  if (!container) return [`${ctx}: no containers`];

  // Ports and probes.
  const namedPorts = new Map<string, number>();
  const containerPorts = list(container['ports']).map(obj);
  for (const p of containerPorts) if (scalar(p['name'])) namedPorts.set(String(p['name']), Number(p['containerPort']));
  const numbers = containerPorts.map((p) => Number(p['containerPort']));
  if (numbers.length !== 1 || numbers[0] !== target.port) {
    problems.push(`${ctx}: containerPort ${numbers.join(', ') || '(none)'}; ${target.app} listens on ${target.port} (SERVICES)`);
  }
  const resolvePort = (port: unknown) => (typeof port === 'number' ? port : namedPorts.get(String(port)));
  const probes: [string, string, boolean][] = [
    ['livenessProbe', HEALTH_PATHS.live, true],
    ['readinessProbe', HEALTH_PATHS.ready, true],
    ['startupProbe', HEALTH_PATHS.live, false],
  ];
  for (const [probe, path, required] of probes) {
    const httpGet = at(container, probe, 'httpGet');
    if (!isObj(httpGet)) {
      if (required) problems.push(`${ctx}: ${probe} is not an httpGet probe`);
      continue;
    }
    if (httpGet['path'] !== path) problems.push(`${ctx}: ${probe} path is ${String(httpGet['path'])}, expected ${path}`);
    const port = resolvePort(httpGet['port']);
    if (port !== target.port)
      problems.push(`${ctx}: ${probe} port ${String(httpGet['port'])} is ${port ?? 'unknown'}, expected ${target.port}`);
  }
  problems.push(...resourceProblems(container, ctx), ...securityProblems(spec, container, ctx));

  // Environment.
  const env = containerEnv(container, docs, ctx, problems);
  checkEnv(target, env, ctx, problems);

  // Service.
  const service = docs.find((m) => kindOf(m) === 'Service' && nameOf(m) === target.app);
  if (!service) problems.push(`no Service named ${target.app}`);
  else {
    const sctx = where(service);
    if (!labelsMatch(obj(at(service.doc, 'spec', 'selector')), labels)) {
      problems.push(`${sctx}: selector does not match the Deployment's pod labels`);
    }
    const ports = list(at(service.doc, 'spec', 'ports')).map(obj);
    if (!ports.length) problems.push(`${sctx}: no ports`);
    for (const port of ports) {
      const targetPort = resolvePort(port['targetPort'] ?? port['port']);
      if (targetPort !== target.port) {
        problems.push(
          `${sctx}: port ${String(port['port'])} targets ${String(port['targetPort'])} (${targetPort ?? 'unknown'}), expected ${target.port}`,
        );
      }
    }
  }

  // Migration Job.
  const jobs = docs.filter((m) => {
    if (kindOf(m) !== 'Job') return false;
    return (
      list(podSpecOf(m.doc).spec['containers']).some((c) =>
        [...list(obj(c)['command']), ...list(obj(c)['args'])].map(String).join(' ').includes('main.js migrate'),
      ) && podSpecOf(m.doc).labels['app.kubernetes.io/name'] === target.app
    );
  });
  if (target.key !== 'gateway') {
    if (jobs.length !== 1) problems.push(`expected one migration Job (node main.js migrate) for ${target.app}, found ${jobs.length}`);
    for (const job of jobs) {
      const jctx = where(job);
      const pod = podSpecOf(job.doc);
      const jobContainer = obj(list(pod.spec['containers'])[0]);
      if (jobContainer['image'] !== container['image']) {
        problems.push(`${jctx}: image ${String(jobContainer['image'])} differs from the Deployment's ${String(container['image'])}`);
      }
      if (!['Never', 'OnFailure'].includes(String(pod.spec['restartPolicy'])))
        problems.push(`${jctx}: restartPolicy must be Never or OnFailure`);
      const jobEnv = containerEnv(jobContainer, docs, jctx, problems);
      checkEnv(target, jobEnv, jctx, problems);
      for (const name of env.keys()) {
        if (!jobEnv.has(name)) problems.push(`${jctx}: lacks ${name}, which the Deployment sets (migrate validates the same config)`);
      }
      if (service && labelsMatch(obj(at(service.doc, 'spec', 'selector')), pod.labels)) {
        problems.push(`${jctx}: its pod would be an endpoint of Service ${target.app}`);
      }
      problems.push(...resourceProblems(jobContainer, jctx), ...securityProblems(pod.spec, jobContainer, jctx));
    }
  }

  // HorizontalPodAutoscaler.
  const hpas = docs.filter((m) => kindOf(m) === 'HorizontalPodAutoscaler' && at(m.doc, 'spec', 'scaleTargetRef', 'name') === target.app);
  if (hpas.length !== 1) problems.push(`expected one HorizontalPodAutoscaler for Deployment ${target.app}, found ${hpas.length}`);
  for (const hpa of hpas) {
    const min = Number(at(hpa.doc, 'spec', 'minReplicas') ?? 1);
    const max = Number(at(hpa.doc, 'spec', 'maxReplicas'));
    if (at(hpa.doc, 'spec', 'scaleTargetRef', 'kind') !== 'Deployment') problems.push(`${where(hpa)}: scaleTargetRef is not a Deployment`);
    if (!(min >= 1 && max >= min)) problems.push(`${where(hpa)}: minReplicas ${min} / maxReplicas ${max} are inconsistent`);
  }

  // PodDisruptionBudget.
  const pdbs = docs.filter(
    (m) => kindOf(m) === 'PodDisruptionBudget' && labelsMatch(obj(at(m.doc, 'spec', 'selector', 'matchLabels')), labels),
  );
  if (pdbs.length !== 1) problems.push(`expected one PodDisruptionBudget selecting ${target.app}'s pods, found ${pdbs.length}`);

  // NetworkPolicy: reachable only from the gateway (ingress controller or gateway pods), egress
  // limited to DNS, PostgreSQL and Redis.
  const policies = docs.filter(
    (m) => kindOf(m) === 'NetworkPolicy' && labelsMatch(obj(at(m.doc, 'spec', 'podSelector', 'matchLabels')), labels),
  );
  if (!policies.length) problems.push(`no NetworkPolicy selects ${target.app}'s pods`);
  for (const policy of policies) {
    const pctx = where(policy);
    const types = list(at(policy.doc, 'spec', 'policyTypes')).map(String);
    if (!types.includes('Ingress')) problems.push(`${pctx}: policyTypes lacks Ingress`);
    const rules = list(at(policy.doc, 'spec', 'ingress')).map(obj);
    if (!rules.length) problems.push(`${pctx}: no ingress rule lets the gateway in`);
    for (const rule of rules) {
      const peers = list(rule['from']).map(obj);
      if (!peers.length) problems.push(`${pctx}: an ingress rule has no "from", so anyone may connect`);
      for (const peer of peers) {
        const fromGateway = at(peer, 'podSelector', 'matchLabels', 'app.kubernetes.io/name') === 'gateway';
        const fromController = isObj(peer['namespaceSelector']) && /ingress/.test(JSON.stringify(peer['namespaceSelector']));
        if (!fromGateway && !fromController)
          problems.push(`${pctx}: ingress peer ${JSON.stringify(peer)} is neither the gateway nor the ingress controller`);
      }
      const ports = list(rule['ports']).map((p) => resolvePort(obj(p)['port']));
      if (ports.length !== 1 || ports[0] !== target.port)
        problems.push(`${pctx}: ingress ports ${ports.join(', ') || '(all)'}, expected only ${target.port}`);
    }
    if (!types.includes('Egress')) problems.push(`${pctx}: policyTypes lacks Egress`);
    const egressPorts = list(at(policy.doc, 'spec', 'egress')).flatMap((rule) =>
      list(obj(rule)['ports']).map((p) => Number(obj(p)['port'])),
    );
    const needed: [number, string][] =
      target.key === 'gateway'
        ? [[53, 'DNS'], ...serviceTargets.map((t): [number, string] => [t.port, t.app])]
        : [
            [53, 'DNS'],
            [5432, 'PostgreSQL'],
            [6379, 'Redis'],
          ];
    for (const [port, what] of needed) {
      if (!egressPorts.includes(port)) problems.push(`${pctx}: egress does not allow ${what} (${port})`);
    }
  }
  return problems;
}

interface IngressPath {
  manifest: Manifest;
  path: string;
  pathType: unknown;
  service: string | undefined;
  port: unknown;
}

const splitList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .sort();

/**
 * The Ingress is the route table: each GATEWAY_ROUTES prefix, as a Prefix path, to its service's
 * Service and port; with the gateway deployed, "/" goes to the gateway (legacy health, info, 404s)
 * and the Ingress answers CORS for the same origins as the gateway. Nothing else.
 */
function ingressProblems(docs: Manifest[], targets: Target[]): string[] {
  const problems: string[] = [];
  const ingresses = docs.filter((m) => kindOf(m) === 'Ingress');
  const paths: IngressPath[] = ingresses.flatMap((manifest) =>
    list(at(manifest.doc, 'spec', 'rules')).flatMap((rule) =>
      list(at(rule, 'http', 'paths')).map((p) => ({
        manifest,
        path: String(at(p, 'path')),
        pathType: at(p, 'pathType'),
        service: scalar(at(p, 'backend', 'service', 'name')),
        port: at(p, 'backend', 'service', 'port', 'number') ?? at(p, 'backend', 'service', 'port', 'name'),
      })),
    ),
  );
  if (!paths.length) return ['no Ingress with paths'];
  const servicePort = (serviceName: string | undefined, port: unknown) => {
    const service = docs.find((m) => kindOf(m) === 'Service' && nameOf(m) === serviceName);
    const ports = list(at(service?.doc, 'spec', 'ports')).map(obj);
    return ports.find((p) => p['port'] === port || p['name'] === port);
  };
  const gatewayDeployed = targets.includes(gatewayTarget);
  const expectedPaths = [
    ...GATEWAY_ROUTES.map((route) => ({
      prefix: route.prefix,
      app: SERVICES[route.service].app,
      port: SERVICES[route.service].defaultPort,
    })),
    ...(gatewayDeployed ? [{ prefix: '/', app: gatewayTarget.app, port: gatewayTarget.port }] : []),
  ];
  for (const expected of expectedPaths) {
    const matches = paths.filter((p) => p.path === expected.prefix);
    if (!matches.length) {
      problems.push(`Ingress has no path ${expected.prefix} (GATEWAY_ROUTES sends it to ${expected.app}:${expected.port})`);
      continue;
    }
    for (const p of matches) {
      const ctx = `${where(p.manifest)} path ${p.path}`;
      if (p.pathType !== 'Prefix') problems.push(`${ctx}: pathType ${String(p.pathType)}, expected Prefix`);
      if (p.service !== expected.app) problems.push(`${ctx}: goes to ${p.service}, but GATEWAY_ROUTES sends it to ${expected.app}`);
      const port = servicePort(p.service, p.port);
      if (!port) problems.push(`${ctx}: Service ${p.service} has no port ${String(p.port)}`);
      else if (Number(port['port']) !== expected.port)
        problems.push(`${ctx}: Service port ${String(port['port'])}, expected ${expected.port}`);
    }
  }
  for (const p of paths) {
    if (!expectedPaths.some((e) => e.prefix === p.path)) problems.push(`${where(p.manifest)}: path ${p.path} is not in GATEWAY_ROUTES`);
  }
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p.path)) problems.push(`${where(p.manifest)}: path ${p.path} appears twice`);
    seen.add(p.path);
  }
  if (gatewayDeployed) {
    const gatewayConfig = docs.find((m) => kindOf(m) === 'ConfigMap' && nameOf(m) === 'gateway-config');
    const gatewayOrigins = splitList(scalar(at(gatewayConfig?.doc, 'data', 'CORS_ORIGINS')));
    for (const ingress of ingresses) {
      const origins = splitList(scalar(at(ingress.doc, 'metadata', 'annotations', 'nginx.ingress.kubernetes.io/cors-allow-origin')));
      if (origins.join(',') !== gatewayOrigins.join(',')) {
        problems.push(
          `${where(ingress)}: cors-allow-origin ${origins.join(',') || '(none)'} differs from the gateway's CORS_ORIGINS ${gatewayOrigins.join(',') || '(none)'}`,
        );
      }
    }
  }
  return problems;
}

function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('config schemas (the source of the allowed environment names)', () => {
  it.each(deployedTargets)('$app: the schema is readable and its PORT default equals SERVICES / GATEWAY_DEFAULT_PORT', (target) => {
    const facts = schemaFacts(target.app);
    expect({ app: target.app, defaultPort: facts.defaultPort }).toEqual({ app: target.app, defaultPort: target.port });
    const expected = target.dbPrefix
      ? ['PORT', 'REDIS_URL', `${target.dbPrefix}_DB_URL`, `${target.dbPrefix}_DB_NAME`]
      : ['PORT', 'NODE_ENV'];
    expect([...facts.names]).toEqual(expect.arrayContaining(expected));
  });
});

describe('Kubernetes manifests (k8s/)', () => {
  const manifests = k8sManifests();
  const base = manifests.filter((m) => m.file.startsWith('k8s/base/'));

  it('parses every YAML document and holds no secret values', () => {
    expect(manifests.length).toBeGreaterThan(0);
    const problems = manifests
      .filter((m) => (!kindOf(m) || !nameOf(m) ? true : kindOf(m) === 'Secret' && (m.doc['data'] || m.doc['stringData'])))
      .map((m) =>
        kindOf(m) === 'Secret'
          ? `${where(m)}: commits secret data; reference Secrets by name instead`
          : `${m.file}: a document without kind or metadata.name`,
      );
    expect(problems).toEqual([]);
  });

  it.each(deployedTargets)('base: $app runs on its port, with its probes, config, database and policies', (target) => {
    expect(workloadProblems(target, base)).toEqual([]);
  });

  it('every ConfigMap (base and overlay patches) holds only variables its consumers know', () => {
    const problems: string[] = [];
    const consumers = new Map<string, Target[]>();
    for (const target of deployedTargets) {
      const workloads = base.filter(
        (m) => ['Deployment', 'Job'].includes(kindOf(m) ?? '') && podSpecOf(m.doc).labels['app.kubernetes.io/name'] === target.app,
      );
      for (const workload of workloads) {
        for (const container of list(podSpecOf(workload.doc).spec['containers'])) {
          const names = [
            ...list(obj(container)['envFrom']).map((f) => scalar(at(f, 'configMapRef', 'name'))),
            ...list(obj(container)['env']).map((e) => scalar(at(e, 'valueFrom', 'configMapKeyRef', 'name'))),
          ];
          for (const name of names)
            if (name && !consumers.get(name)?.includes(target)) consumers.set(name, [...(consumers.get(name) ?? []), target]);
        }
      }
    }
    for (const configMap of manifests.filter((m) => kindOf(m) === 'ConfigMap')) {
      const users = consumers.get(nameOf(configMap) ?? '') ?? [];
      if (!users.length) problems.push(`${where(configMap)}: no Deployment or Job reads it`);
      for (const key of Object.keys(obj(configMap.doc['data']))) {
        for (const target of users) {
          const known = knownEnv(target);
          if (!known.has(key)) problems.push(`${where(configMap)}: ${key} is not a variable of ${target.app}'s config schema`);
          if (SECRET_NAME.test(key) || PLANNED_ENV.includes(key))
            problems.push(`${where(configMap)}: ${key} is a secret; put it in a Secret`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('base: the Ingress is the gateway route table (every GATEWAY_ROUTES prefix to its service, nothing else)', () => {
    expect(ingressProblems(base, deployedTargets)).toEqual([]);
  });

  it('kustomizations list resources and patches that exist, and every manifest is listed', () => {
    const problems: string[] = [];
    const kustomizations = walk(join(workspaceRoot, 'k8s'), isKustomization);
    const listed = new Set<string>();
    for (const file of kustomizations) {
      const dir = dirname(file);
      const k = obj(parse(readFileSync(file, 'utf8')));
      const refs: [string, string][] = [
        ...list(k['resources']).map((r): [string, string] => ['resources', String(r)]),
        ...list(k['components']).map((r): [string, string] => ['components', String(r)]),
        ...list(k['patchesStrategicMerge']).map((r): [string, string] => ['patchesStrategicMerge', String(r)]),
        ...list(k['patches']).flatMap((p): [string, string][] => (scalar(obj(p)['path']) ? [['patches', String(obj(p)['path'])]] : [])),
        ...list(k['patchesJson6902']).map((p): [string, string] => ['patchesJson6902', String(obj(p)['path'])]),
        ...[...list(k['configMapGenerator']), ...list(k['secretGenerator'])].flatMap((g) =>
          [...list(obj(g)['files']), ...list(obj(g)['envs'])].map((f): [string, string] => ['generator', String(f).replace(/^[^=]*=/, '')]),
        ),
      ];
      for (const [field, ref] of refs) {
        if (/^[a-z]+:\/\/|^github\.com\//.test(ref)) continue;
        const target = resolve(dir, ref);
        if (!existsSync(target)) {
          problems.push(`${rel(file)}: ${field} entry ${ref} does not exist`);
        } else if (statSync(target).isDirectory()) {
          if (!['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((n) => existsSync(join(target, n)))) {
            problems.push(`${rel(file)}: ${field} entry ${ref} is a folder without a kustomization.yaml`);
          }
        } else listed.add(target);
      }
    }
    for (const manifest of walk(join(workspaceRoot, 'k8s'), (f) => isYaml(f) && !isKustomization(f) && !isPrometheusRules(f))) {
      if (!listed.has(manifest)) problems.push(`${rel(manifest)} is in no kustomization.yaml (it would never be applied)`);
    }
    const baseKustomization = obj(parse(read('k8s/base/kustomization.yaml')));
    for (const target of deployedTargets) {
      if (!list(baseKustomization['resources']).includes(target.app))
        problems.push(`k8s/base/kustomization.yaml does not list ${target.app}`);
    }
    for (const overlay of ['dev']) {
      if (!existsSync(join(workspaceRoot, `k8s/overlays/${overlay}/kustomization.yaml`)))
        problems.push(`k8s/overlays/${overlay}/kustomization.yaml is missing`);
    }
    expect(problems).toEqual([]);
  });

  it('every Secret a manifest references is documented in k8s/README.md with its keys', () => {
    const readme = read('k8s/README.md').replace(/\\\n/g, ' ');
    const documented = new Map<string, Set<string>>();
    for (const [, name, rest] of readme.matchAll(/create secret generic ([a-z0-9-]+)([^\n]*)/g)) {
      const keys = documented.get(name) ?? new Set<string>();
      for (const [, key] of rest.matchAll(/--from-literal=([A-Za-z0-9_.-]+)=/g)) keys.add(key);
      documented.set(name, keys);
    }
    const problems: string[] = [];
    const references = JSON.stringify(manifests.map((m) => m.doc)).matchAll(/"secretKeyRef":\{"name":"([^"]+)","key":"([^"]+)"/g);
    let count = 0;
    for (const [, name, key] of references) {
      count += 1;
      if (!documented.get(name)?.has(key))
        problems.push(
          `Secret ${name} key ${key} is not in a "kubectl create secret generic ${name} --from-literal=${key}=..." line of k8s/README.md`,
        );
    }
    expect(count).toBeGreaterThan(0);
    expect([...new Set(problems)]).toEqual([]);
  });

  const overlays = readdirSync(join(workspaceRoot, 'k8s/overlays')).filter((o) =>
    existsSync(join(workspaceRoot, 'k8s/overlays', o, 'kustomization.yaml')),
  );
  const withKubectl = kubectlAvailable() ? it.each(overlays) : it.skip.each(overlays);
  withKubectl('overlay %s renders (kubectl kustomize) and passes the same checks', (overlay) => {
    const rendered = spawnSync('kubectl', ['kustomize', join(workspaceRoot, 'k8s/overlays', overlay)], { encoding: 'utf8' });
    expect(rendered.stderr.trim() && rendered.status !== 0 ? rendered.stderr : '').toBe('');
    const file = `kubectl kustomize k8s/overlays/${overlay}`;
    const docs = parseYamlDocuments(rendered.stdout, file).map((doc) => ({ file, doc }));
    const problems = [...deployedTargets.flatMap((target) => workloadProblems(target, docs)), ...ingressProblems(docs, deployedTargets)];
    expect(problems).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// docker/
// ---------------------------------------------------------------------------------------------

const composeFile = ['docker/compose.yml', 'docker/compose.yaml', 'docker/docker-compose.yml'].find((f) =>
  existsSync(join(workspaceRoot, f)),
);

/** Compose interpolation with defaults only: `${NAME:-default}` / `${NAME-default}` -> default. */
const interpolate = (value: string) => value.replace(/\$\{([A-Za-z0-9_]+)(?::?-([^}]*))?\}/g, (_m, _name, fallback) => fallback ?? '');

function composeEnv(service: Json): Map<string, string> {
  const environment = service['environment'];
  if (Array.isArray(environment)) {
    return new Map(environment.map((e) => String(e).split(/=(.*)/s)).map(([k, v]) => [k, interpolate(v ?? '')]));
  }
  return new Map(Object.entries(obj(environment)).map(([k, v]) => [k, interpolate(scalar(v) ?? '')]));
}

describe('docker compose stack', () => {
  const compose = composeFile ? obj(parse(read(composeFile), { merge: true })) : {};
  const services = obj(compose['services']);
  const byImage = (pattern: RegExp) => Object.entries(services).find(([, s]) => pattern.test(String(obj(s)['image'])));
  const postgres = byImage(/^postgres:15(\b|-|\.)/);
  const redis = byImage(/^redis:7(\b|-|\.)/);

  it('has PostgreSQL 15 with the init script and Redis 7, both with healthchecks', () => {
    expect(composeFile).toBeDefined();
    const problems: string[] = [];
    if (!postgres) problems.push('no postgres:15 service');
    if (!redis) problems.push('no redis:7 service');
    for (const [name, service] of [postgres, redis].filter((s): s is [string, unknown] => !!s)) {
      if (!isObj(obj(service)['healthcheck'])) problems.push(`${name}: no healthcheck (depends_on service_healthy needs one)`);
    }
    const initMount = list(obj(postgres?.[1])['volumes'])
      .map(String)
      .find((v) => v.includes(':/docker-entrypoint-initdb.d'));
    const initDir = initMount ? resolve(workspaceRoot, 'docker', initMount.split(':')[0]) : undefined;
    if (!initDir || !existsSync(initDir))
      problems.push(`postgres: no existing folder mounted on /docker-entrypoint-initdb.d (${initMount})`);
    expect(problems).toEqual([]);
  });

  it('the postgres init script creates each service database owned by its own role, CONNECT revoked from PUBLIC', () => {
    const scripts = walk(join(workspaceRoot, 'docker/postgres/init'), (f) => /\.(sh|sql)$/.test(f)).map((f) => readFileSync(f, 'utf8'));
    const script = scripts.join('\n');
    const problems: string[] = [];
    if (!/CREATE DATABASE[^;\n]*OWNER/i.test(script)) problems.push('no CREATE DATABASE ... OWNER');
    if (!/REVOKE[^;\n]*CONNECT[^;\n]*FROM PUBLIC/i.test(script)) problems.push('no REVOKE CONNECT ... FROM PUBLIC');
    if (!/CREATE ROLE[^;\n]*LOGIN/i.test(script)) problems.push('no CREATE ROLE ... LOGIN');
    const postgresEnv = composeEnv(obj(postgres?.[1]));
    for (const target of serviceTargets) {
      // One line names the database, its role and the role's password variable.
      const line = script.split('\n').find((l) => l.includes(String(target.database)) && l.includes(String(target.role)));
      if (!line) problems.push(`no line creates ${target.database} for role ${target.role}`);
      else if (!line.includes(`${target.dbPrefix}_DB_PASSWORD`))
        problems.push(`${target.role}'s password is not ${target.dbPrefix}_DB_PASSWORD`);
      if (!postgresEnv.get(`${target.dbPrefix}_DB_PASSWORD`))
        problems.push(`postgres service does not pass ${target.dbPrefix}_DB_PASSWORD to the init script`);
    }
    expect(problems).toEqual([]);
  });

  it.each(deployedTargets)('$app: built by docker/Dockerfile, on its port, with its own database, known env and probes', (target) => {
    const problems: string[] = [];
    const service = obj(services[target.app]);
    const ctx = `${composeFile} ${target.app}`;
    if (!services[target.app]) {
      expect([`${ctx}: missing`]).toEqual([]);
      return;
    }
    const build = obj(service['build']);
    const args = obj(build['args']);
    const app =
      scalar(args['APP']) ??
      list(build['args'])
        .map(String)
        .find((a) => a.startsWith('APP='))
        ?.slice(4);
    if (app !== target.app) problems.push(`${ctx}: build arg APP is ${app}`);
    const dockerfile = resolve(workspaceRoot, 'docker', String(build['context'] ?? '.'), String(build['dockerfile'] ?? 'Dockerfile'));
    if (dockerfile !== join(workspaceRoot, 'docker/Dockerfile')) problems.push(`${ctx}: builds ${rel(dockerfile)}, not docker/Dockerfile`);
    if (resolve(workspaceRoot, 'docker', String(build['context'] ?? '.')) !== resolve(workspaceRoot))
      problems.push(`${ctx}: build context is not the repository root`);

    const ports = list(service['ports']).map((p) => (isObj(p) ? Number(p['target']) : Number(String(p).split(':').pop())));
    if (!ports.includes(target.port))
      problems.push(`${ctx}: publishes ${ports.join(', ') || 'nothing'}; the service listens on ${target.port}`);

    const env = composeEnv(service);
    problems.push(...nodeOptionsProblems(target, env.get('NODE_OPTIONS'), ctx));
    const known = knownEnv(target);
    for (const name of env.keys())
      if (!known.has(name)) problems.push(`${ctx}: ${name} is not a variable of ${target.app}'s config schema`);
    if (env.has('PORT') && Number(env.get('PORT')) !== target.port)
      problems.push(`${ctx}: PORT ${env.get('PORT')}, expected ${target.port}`);

    const dependsOn = obj(service['depends_on']);
    const dependencies =
      target.key === 'gateway'
        ? serviceTargets.map((t) => t.app)
        : [postgres, redis].filter((s): s is [string, unknown] => !!s).map(([name]) => name);
    for (const name of dependencies) {
      if (at(dependsOn, name, 'condition') !== 'service_healthy') problems.push(`${ctx}: does not wait for ${name} to be healthy`);
    }
    if (target.key === 'gateway') problems.push(...upstreamProblems(env, (t) => t.app, ctx));
    const healthcheck = list(at(service, 'healthcheck', 'test'))
      .map(String)
      .join(' ');
    const probe = new RegExp(`:${target.port}(${HEALTH_PATHS.live}|${HEALTH_PATHS.ready})\\b`);
    if (!probe.test(healthcheck))
      problems.push(
        `${ctx}: healthcheck "${healthcheck}" does not call ${HEALTH_PATHS.ready} or ${HEALTH_PATHS.live} on port ${target.port}`,
      );

    if (target.key !== 'gateway' && target.dbPrefix) {
      const p = target.dbPrefix;
      const url = env.get(`${p}_DB_URL`);
      const parsed = url ? new URL(url) : undefined;
      const database = env.get(`${p}_DB_NAME`) ?? (url ? databaseOfUrl(url) : undefined);
      const user = env.get(`${p}_DB_USER`) ?? (url ? userOfUrl(url) : undefined);
      const host = env.get(`${p}_DB_HOST`) ?? parsed?.hostname;
      const password = env.get(`${p}_DB_PASSWORD`) ?? (parsed ? decodeURIComponent(parsed.password) : undefined);
      if (database !== target.database) problems.push(`${ctx}: database ${database}, expected ${target.database}`);
      if (user !== target.role) problems.push(`${ctx}: role ${user}, expected ${target.role}`);
      if (host !== postgres?.[0]) problems.push(`${ctx}: database host ${host}, expected the ${postgres?.[0]} service`);
      if (password !== composeEnv(obj(postgres?.[1])).get(`${p}_DB_PASSWORD`)) {
        problems.push(`${ctx}: ${target.role}'s password differs from the ${p}_DB_PASSWORD the init script uses`);
      }
      const redisUrl = env.get('REDIS_URL');
      const redisHost = env.get('REDIS_HOST') ?? (redisUrl ? new URL(redisUrl).hostname : undefined);
      if (redisHost !== redis?.[0]) problems.push(`${ctx}: Redis host ${redisHost}, expected the ${redis?.[0]} service`);
      if (!['true', '1', 'yes'].includes(String(env.get('DB_MIGRATE_ON_START')))) problems.push(`${ctx}: DB_MIGRATE_ON_START is not true`);
      for (const name of REQUIRED_SECRETS[target.key]) if (!env.get(name)) problems.push(`${ctx}: ${name} is not set`);
    }
    expect(problems).toEqual([]);
  });

  it('all services share one JWT_SECRET (auth signs, web and forms verify), at least JWT_SECRET_MIN_LENGTH long', () => {
    const values = new Set(serviceTargets.map((t) => composeEnv(obj(services[t.app])).get('JWT_SECRET')));
    expect({ distinctJwtSecrets: values.size }).toEqual({ distinctJwtSecrets: 1 });
    const tooShort = serviceTargets.flatMap((t) =>
      REQUIRED_SECRETS[t.key]
        .map((name) => ({ name, length: (composeEnv(obj(services[t.app])).get(name) ?? '').length }))
        .filter((secret) => secret.length < JWT_SECRET_MIN_LENGTH)
        .map(
          (secret) =>
            `${composeFile} ${t.app}: ${secret.name} has ${secret.length} characters; the service refuses fewer than ${JWT_SECRET_MIN_LENGTH}`,
        ),
    );
    expect(tooShort).toEqual([]);
  });

  it('docker/Dockerfile builds the APP build arg with Nx and runs only its bundle as non-root', () => {
    const dockerfile = read('docker/Dockerfile');
    const problems: string[] = [];
    const stages = dockerfile.split(/^FROM /m).slice(1);
    const finalStage = stages[stages.length - 1] ?? '';
    if (stages.length < 2) problems.push('not multi-stage');
    if (!/^ARG APP\b/m.test(dockerfile)) problems.push('no ARG APP');
    if (!/\bnpm ci\b(?![^\n]*--omit=dev)/.test(stages[0] ?? '')) problems.push('build stage does not run npm ci');
    if (!/npx nx build "?\$\{?APP\}?"?/.test(stages[0] ?? '')) problems.push('build stage does not run npx nx build $APP');
    if (!/node:20/.test(dockerfile)) problems.push('not based on node:20');
    if (!/npm ci --omit=dev/.test(finalStage)) problems.push('final stage does not npm ci --omit=dev');
    const copies = [...finalStage.matchAll(/^COPY --from=\S+ (.*)$/gm)].map((m) => m[1]);
    if (!copies.length || copies.some((c) => !c.includes('dist/apps/${APP}/')))
      problems.push(`final stage copies more than dist/apps/$APP: ${copies.join(' | ')}`);
    const user = [...finalStage.matchAll(/^USER (\S+)/gm)].pop()?.[1];
    if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`final stage user is ${user ?? 'root (no USER)'}`);
    const cmd = /^CMD (.*)$/m.exec(finalStage)?.[1];
    if (!cmd || JSON.stringify(JSON.parse(cmd)) !== JSON.stringify(['node', 'main.js']))
      problems.push(`CMD is ${cmd}, expected ["node", "main.js"]`);
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git']) {
      if (!ignored.some((l) => l === entry || l === `**/${entry}` || l === `/${entry}`))
        problems.push(`.dockerignore does not exclude ${entry}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('CI workflow (.github/workflows/ci.yml)', () => {
  it('runs nx affected lint/test/build against postgres:15 and redis:7 service containers', () => {
    const workflow = obj(parse(read('.github/workflows/ci.yml')));
    const problems: string[] = [];
    const on = workflow['on'] ?? workflow['true'];
    if (!('pull_request' in obj(on)) || !('push' in obj(on))) problems.push('does not run on pull_request and push');
    const jobs = Object.values(obj(workflow['jobs'])).map(obj);
    const services = jobs.flatMap((job) => Object.values(obj(job['services'])).map(obj));
    const service = (image: RegExp, port: number) =>
      services.some(
        (s) =>
          image.test(String(s['image'])) &&
          list(s['ports'])
            .map(String)
            .some((p) => p.endsWith(`:${port}`) || p === String(port)),
      );
    if (!service(/^postgres:15/, 5432)) problems.push('no postgres:15 service on 5432');
    if (!service(/^redis:7/, 6379)) problems.push('no redis:7 service on 6379');
    const text = JSON.stringify(workflow);
    if (!/nx affected -t lint test build/.test(text)) problems.push('no "nx affected -t lint test build" step');
    if (!text.includes('TEST_PG_URL') || !text.includes('TEST_REDIS_URL')) problems.push('TEST_PG_URL / TEST_REDIS_URL not set');
    if (!text.includes('LEGACY_FIXTURE_DIR')) problems.push('LEGACY_FIXTURE_DIR not set');
    expect(problems).toEqual([]);
  });
});
