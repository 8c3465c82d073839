import type { LogLevel } from '@nestjs/common';
import { Logger as PinoNestLogger, type Params, PinoLogger } from 'nestjs-pino';
import { type DestinationStream, type Level, type Logger as Pino, pino } from 'pino';
import pretty from 'pino-pretty';

import { currentRequestContext } from './logging/request-context';

/** Nest's levels (LOG_LEVEL) as pino's. */
export const PINO_LEVELS: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export interface LoggingOptions {
  /** Tagged on every line (`service` field; the prefix of pretty lines). */
  service: string;
  level?: LogLevel;
  /** Single-line human-readable output instead of JSON lines. */
  pretty?: boolean;
  /** Where lines go; default stdout. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/** Pretty in development (or with LOG_PRETTY=true), JSON in production and tests. */
export function wantsPrettyLogs(config: { NODE_ENV?: string; LOG_PRETTY?: boolean }): boolean {
  return config.LOG_PRETTY ?? config.NODE_ENV === 'development';
}

function prettyStream(destination?: DestinationStream): DestinationStream {
  return pretty({
    singleLine: true,
    colorize: !destination && Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,context,reqId',
    messageFormat: (log, messageKey) => {
      const context = log['context'] ? `${String(log['context'])}: ` : '';
      const id = log['reqId'] ? ` (${String(log['reqId'])})` : '';
      return `[${String(log['service'])}]${id} ${context}${String(log[messageKey])}`;
    },
    ...(destination ? { destination } : {}),
  }) as DestinationStream;
}

/** The pino instance of one service. */
export function createPino(options: LoggingOptions): Pino {
  const level = PINO_LEVELS[options.level ?? 'log'];
  const destination = options.pretty
    ? prettyStream(options.destination)
    : (options.destination ?? pino.destination({ fd: 1, sync: false }));
  return pino({ level, base: { service: options.service }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/**
 * nestjs-pino's PinoLogger keeps one root logger per process; this one logs through the pino of
 * the current request context (request id bound), or the service's own outside of one.
 */
class ContextPinoLogger extends PinoLogger {
  constructor(
    params: Params,
    private readonly service: Pino,
  ) {
    super(params);
  }

  override get logger(): Pino {
    const context = currentRequestContext();
    if (!context) return this.service;
    context.logger ??= this.service.child({ reqId: context.requestId });
    return context.logger;
  }
}

/** Start-up chatter Nest logs at `log` level: one line per module, controller and route. */
const STARTUP_NOISE = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/**
 * Nest's LoggerService over pino (nestjs-pino's Logger), so `new Logger('Context')` anywhere in the
 * app writes through pino, with the request id bound while a request, RPC message or event is
 * handled. The route-mapping lines of start-up are logged at debug.
 */
export class ServiceLogger extends PinoNestLogger {
  constructor(readonly pinoLogger: Pino) {
    const params: Params = { pinoHttp: { logger: pinoLogger } };
    super(new ContextPinoLogger(params, pinoLogger), params);
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && STARTUP_NOISE.has(context)) return super.debug(message, ...optionalParams);
    super.log(message, ...optionalParams);
  }
}

/** The logger of one service (standalone: before its Nest app exists, or for the CLI). */
export function createLogger(
  service: string,
  level: LogLevel = 'log',
  options: Omit<LoggingOptions, 'service' | 'level'> = {},
): ServiceLogger {
  return new ServiceLogger(createPino({ service, level, ...options }));
}
