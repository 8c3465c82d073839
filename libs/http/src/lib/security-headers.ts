import helmet from 'helmet';

/**
 * The legacy helmet settings (legacy-api.md 1.6), applied to every route of every service by
 * LegacyHttpModule. Routes with their own headers (public form render, admin tools, export
 * downloads) set them in the handler, over these.
 */
export function legacySecurityHeaders() {
  return helmet({
    crossOriginEmbedderPolicy: false,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        frameAncestors: ["'self'", '*'],
      },
    },
    frameguard: { action: 'sameorigin' },
  });
}
