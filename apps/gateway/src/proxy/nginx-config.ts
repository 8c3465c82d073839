import { GATEWAY_MICROCACHE, GATEWAY_ROUTES, type ServiceName } from '@nafs/contracts';

/** Per upstream: idle keep-alive sockets each nginx worker keeps for reuse. */
export const UPSTREAM_KEEPALIVE = 64;
/** Below Node's server default of 5 s, so the gateway drops an idle socket before the service does. */
const UPSTREAM_IDLE_S = 4;

/** What the legacy `compression` middleware compressed (text-like types); CSV exports and packages stream untouched. */
const GZIP_TYPES = [
  'application/json',
  'application/javascript',
  'application/xml',
  'application/x-www-form-urlencoded',
  'application/problem+json',
  'text/css',
  'text/plain',
  'text/xml',
  'image/svg+xml',
];

export const CORS_METHODS = 'GET,POST,PUT,PATCH,DELETE,OPTIONS';
export const CORS_ALLOWED_HEADERS = 'Authorization,Content-Type,X-Tenant-Slug,X-Requested-With,X-Request-Id,Idempotency-Key';
export const CORS_EXPOSED_HEADERS =
  'ETag,Content-Disposition,X-Package-Size,X-Request-Id,RateLimit-Limit,RateLimit-Remaining,RateLimit-Reset,Retry-After,Idempotent-Replayed';

export interface NginxSettings {
  /** Where clients connect. */
  listenHost: string;
  listenPort: number;
  /** The gateway's own Nest app (info, health aggregation, API docs, the legacy 404). */
  appPort: number;
  upstreams: Record<ServiceName, string>;
  corsOrigins: readonly string[];
  upstreamTimeoutMs: number;
  /** A writable directory for the pid file and temp bodies. */
  runDir: string;
  /** nginx `error_log` level. */
  errorLogLevel: 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit';
  /**
   * One JSON access line per request, sent as syslog over UDP to this port on 127.0.0.1 (the
   * gateway prints them on its stdout); null: no access log. Not /dev/stdout: nginx cannot open
   * it when stdout is a socket, as it is under Node's child_process.
   */
  accessLogPort: number | null;
  workerProcesses: number;
  maxBodySize: string;
}

/** `= /exact/path`, or for a path with `:name` segments an anchored regular expression (one segment each). */
function microcacheLocation(path: string): string {
  if (!/^\/[A-Za-z0-9/_:.-]*$/.test(path)) throw new Error(`microcache path ${JSON.stringify(path)} holds a character nginx would misread`);
  if (!path.includes(':')) return `= ${path}`;
  const pattern = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/\./g, '\\.')))
    .join('/');
  return `~ ^${pattern}$`;
}

/** An exact-match map key: origins are URLs, so only quotes, backslashes and `$` could break out. */
function mapKey(value: string): string {
  if (/["\\$\s;{}]/.test(value)) throw new Error(`CORS origin ${JSON.stringify(value)} holds a character nginx would misread`);
  return `"${value}"`;
}

function hostPort(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  if (parsed.protocol !== 'http:') throw new Error(`upstream ${url}: only http:// upstreams are supported`);
  return `${parsed.hostname.includes(':') ? `[${parsed.hostname}]` : parsed.hostname}:${port}`;
}

const unavailableBody = (service: ServiceName) =>
  `{"success":false,"error":"Service Unavailable","message":"${service}-service is unavailable, please try again later","timestamp":"$time_iso8601"}`;

/**
 * The whole gateway as one nginx configuration, generated from the route table in libs/contracts:
 * every service prefix goes straight to its service over a keep-alive pool; everything else
 * reaches the gateway's own Nest app. nginx is the engine the Kubernetes ingress already uses;
 * measured in bench/gateway against the former Node proxy (undici), it costs a fraction of the CPU
 * per request. It keeps the former proxy's contract: CORS for both app origins (preflights
 * answered here), X-Forwarded-* appended for exactly one hop, a request id minted or kept, gzip
 * for text-like bodies, the legacy 503 body when a service cannot be reached or does not answer
 * within the timeout, and uploads read in full before they are forwarded, so a service that
 * answers before reading the body (401 on an upload) never turns into a reset for the client.
 */
export function renderNginxConfig(settings: NginxSettings): string {
  const timeoutS = `${Math.max(1, Math.round(settings.upstreamTimeoutMs))}ms`;
  const services = Object.keys(settings.upstreams) as ServiceName[];
  const origins = settings.corsOrigins.map((origin) => `    ${mapKey(origin)} $http_origin;`).join('\n');

  const upstreamBlocks = [
    ...services.map(
      (service) => `  upstream ${service}_service {
    server ${hostPort(settings.upstreams[service])};
    keepalive ${UPSTREAM_KEEPALIVE};
    keepalive_timeout ${UPSTREAM_IDLE_S}s;
    keepalive_requests 100000;
  }`,
    ),
    `  upstream gateway_app {
    server 127.0.0.1:${settings.appPort};
    keepalive 8;
    keepalive_timeout ${UPSTREAM_IDLE_S}s;
  }`,
  ].join('\n');

  // A prefix matches itself and what lies below it (`/api/v1/auth`, `/api/v1/auth/...`), never
  // `/api/v1/authx`; nginx picks the longest matching prefix, as routeFor does. Microcached paths
  // get their own location (exact, or a regular expression, which nginx prefers to any prefix).
  const cachedExact = new Set(GATEWAY_MICROCACHE.filter(({ path }) => !path.includes(':')).map(({ path }) => path));
  const plain = (service: ServiceName) => `proxy_pass http://${service}_service; error_page 502 504 = @${service}_unavailable;`;
  const locations = [
    ...GATEWAY_MICROCACHE.map(({ path, service, seconds, sharedBy }) => {
      const perCaller =
        sharedBy === 'caller'
          ? `
      proxy_cache_key "$request_method $request_uri $microcache_caller $http_x_tenant_slug";
      proxy_cache_bypass $microcache_anonymous;
      proxy_no_cache $microcache_anonymous;`
          : '';
      return `    location ${microcacheLocation(path)} {
      ${plain(service)}
      proxy_buffering on;
      proxy_cache microcache;
      proxy_cache_valid 200 ${seconds}s;
      proxy_ignore_headers Cache-Control Expires;
      proxy_cache_lock on;
      proxy_cache_lock_timeout ${timeoutS};
      proxy_cache_use_stale updating;${perCaller}
    }`;
    }),
    ...GATEWAY_ROUTES.map(({ prefix, service }) =>
      [cachedExact.has(prefix) ? null : `    location = ${prefix} { ${plain(service)} }`, `    location ${prefix}/ { ${plain(service)} }`]
        .filter(Boolean)
        .join('\n'),
    ),
  ].join('\n');

  const unavailable = services
    .map(
      (service) => `    location @${service}_unavailable {
      default_type application/json;
      return 503 '${unavailableBody(service)}';
    }`,
    )
    .join('\n');

  return `# Generated by the gateway from GATEWAY_ROUTES (libs/contracts); do not edit.
worker_processes ${settings.workerProcesses};
pid ${settings.runDir}/nginx.pid;
error_log stderr ${settings.errorLogLevel};
daemon off;

events {
  worker_connections 4096;
}

http {
  client_body_temp_path ${settings.runDir}/client_body;
  # GATEWAY_MICROCACHE: a few GET responses kept for a second (a small zone, on the run dir).
  # Per-caller ones are keyed by the access JWT's signature, which names the token but cannot be
  # presented as one, so no usable credential lands in the cache files; a request with an API
  # token or without credentials is never kept.
  map $http_authorization $microcache_caller {
    "~^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.(?<signature>[A-Za-z0-9_-]+)$" $signature;
    default "";
  }
  map $microcache_caller $microcache_anonymous {
    "" 1;
    default 0;
  }
  proxy_cache_path ${settings.runDir}/microcache levels=1:2 keys_zone=microcache:1m max_size=16m inactive=1m use_temp_path=off;
  proxy_temp_path ${settings.runDir}/proxy;
  fastcgi_temp_path ${settings.runDir}/fastcgi;
  uwsgi_temp_path ${settings.runDir}/uwsgi;
  scgi_temp_path ${settings.runDir}/scgi;

  server_tokens off;
  keepalive_timeout 65s;
  keepalive_requests 100000;
  large_client_header_buffers 4 16k;
  client_max_body_size ${settings.maxBodySize};
  client_body_buffer_size 128k;
  merge_slashes off;

  # The request id: the client's when it is sane, else a fresh one in uuid form.
  map $request_id $minted_request_id {
    "~^(?<a>.{8})(?<b>.{4})(?<c>.{4})(?<d>.{4})(?<e>.{12})$" "$a-$b-$c-$d-$e";
  }
  map $http_x_request_id $gateway_request_id {
    "~^[A-Za-z0-9_.:-]{1,128}$" $http_x_request_id;
    default $minted_request_id;
  }
  # X-Forwarded-*: appended, comma-joined, so the services trust exactly this hop.
  map $http_x_forwarded_for $forwarded_for {
    "" $remote_addr;
    default "$http_x_forwarded_for,$remote_addr";
  }
  map $http_x_forwarded_proto $forwarded_proto {
    "" $scheme;
    default "$http_x_forwarded_proto,$scheme";
  }
  map $http_x_forwarded_host $forwarded_host {
    "" $http_host;
    default "$http_x_forwarded_host,$http_host";
  }
  map $http_x_forwarded_port $forwarded_port {
    "" $server_port;
    default "$http_x_forwarded_port,$server_port";
  }
  # CORS for the Angular apps' origins only; credentials allowed.
  map $http_origin $cors_origin {
    default "";
${origins}
  }
  map $cors_origin $cors_vary {
    "" "";
    default "Origin";
  }
  map $request_method $cors_preflight_methods {
    OPTIONS "${CORS_METHODS}";
    default "";
  }
  map $request_method $cors_preflight_headers {
    OPTIONS "${CORS_ALLOWED_HEADERS}";
    default "";
  }

  log_format gateway_json escape=json '{"level":30,"time":"$time_iso8601","service":"gateway","reqId":"$gateway_request_id",'
    '"req":{"method":"$request_method","url":"$request_uri"},"res":{"statusCode":$status},'
    '"remoteAddress":"$remote_addr","responseTime":$request_time,"upstream":"$upstream_addr","msg":"$request_method $request_uri $status"}';
  access_log ${settings.accessLogPort ? `syslog:server=127.0.0.1:${settings.accessLogPort},tag=gateway,nohostname gateway_json` : 'off'};

  gzip on;
  gzip_proxied any;
  gzip_min_length 1024;
  gzip_vary on;
  gzip_types ${GZIP_TYPES.join(' ')};

  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $http_host;
  proxy_set_header X-Forwarded-For $forwarded_for;
  proxy_set_header X-Forwarded-Proto $forwarded_proto;
  proxy_set_header X-Forwarded-Host $forwarded_host;
  proxy_set_header X-Forwarded-Port $forwarded_port;
  proxy_set_header X-Request-Id $gateway_request_id;
  proxy_connect_timeout ${timeoutS};
  proxy_send_timeout ${timeoutS};
  proxy_read_timeout ${timeoutS};
  # Responses stream through as the service writes them (downloads, CSV exports).
  proxy_buffering off;
  proxy_request_buffering on;
  proxy_next_upstream off;
  proxy_intercept_errors off;
  proxy_hide_header X-Request-Id;
  proxy_hide_header Access-Control-Allow-Origin;
  proxy_hide_header Access-Control-Allow-Credentials;

${upstreamBlocks}

  server {
    listen ${settings.listenHost}:${settings.listenPort} reuseport backlog=4096;

    add_header X-Request-Id $gateway_request_id always;
    add_header Access-Control-Allow-Origin $cors_origin always;
    add_header Access-Control-Allow-Credentials "true" always;
    add_header Access-Control-Expose-Headers "${CORS_EXPOSED_HEADERS}" always;
    add_header Access-Control-Allow-Methods $cors_preflight_methods always;
    add_header Access-Control-Allow-Headers $cors_preflight_headers always;
    add_header Vary $cors_vary always;

    # Preflights are answered here and never reach a service.
    if ($request_method = OPTIONS) {
      return 204;
    }

${locations}

    location / {
      proxy_pass http://gateway_app;
      error_page 502 504 = @gateway_app_unavailable;
    }
${unavailable}
    location @gateway_app_unavailable {
      default_type application/json;
      return 503 '{"success":false,"error":"Service Unavailable","message":"gateway is unavailable, please try again later","timestamp":"$time_iso8601"}';
    }
  }
}
`;
}
