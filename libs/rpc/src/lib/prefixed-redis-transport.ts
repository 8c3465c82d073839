import { ClientRedis, type RedisOptions, ServerRedis } from '@nestjs/microservices';

type RedisTransportOptions = NonNullable<RedisOptions['options']>;

/**
 * The NestJS Redis transport publishes requests on a channel named after the pattern. These two
 * subclasses put a prefix (`RPC_CHANNEL_PREFIX`) in front of every channel, so that several
 * environments, or test files running in parallel, can share one Redis without answering each
 * other's requests. Handlers are still registered and looked up under the bare pattern.
 */
export class PrefixedRedisServer extends ServerRedis {
  constructor(
    options: RedisTransportOptions,
    private readonly channelPrefix = '',
  ) {
    super(options);
  }

  override getRequestPattern(pattern: string): string {
    return `${this.channelPrefix}${pattern}`;
  }

  override getHandlerByPattern(pattern: string) {
    const bare = pattern.startsWith(this.channelPrefix) ? pattern.slice(this.channelPrefix.length) : pattern;
    return super.getHandlerByPattern(bare);
  }
}

export class PrefixedRedisClient extends ClientRedis {
  constructor(
    options: RedisTransportOptions,
    private readonly channelPrefix = '',
  ) {
    super(options);
  }

  override getRequestPattern(pattern: string): string {
    return `${this.channelPrefix}${pattern}`;
  }

  override getReplyPattern(pattern: string): string {
    return `${this.channelPrefix}${pattern}.reply`;
  }
}
