import { createLogger } from './logger';

describe('createLogger', () => {
  it('writes one JSON object per line, tagged with the service, and honours the level', () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const logger = createLogger('auth-service', 'log');
      logger.log('started');
      logger.debug('hidden at level log');
    } finally {
      write.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'log', message: 'started', context: 'auth-service' });
  });
});
