import { ConsoleLogger, type LogLevel } from '@nestjs/common';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Structured JSON logs, one object per line, tagged with the service name. */
export function createLogger(service: string, level: LogLevel = 'log'): ConsoleLogger {
  const enabled = LEVELS.slice(0, LEVELS.indexOf(level) + 1);
  return new ConsoleLogger(service, { json: true, logLevels: enabled, colors: false });
}
