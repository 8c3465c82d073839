import { HttpException, HttpStatus } from '@nestjs/common';

/** express-validator's raw error item, as V2 carries it in `details`. */
export interface RawValidationItem {
  type: 'field';
  value: unknown;
  msg: string;
  path: string;
  location: 'body' | 'params';
}

/** Legacy E2 error: `{ success: false, error: { code, message, details? }, timestamp }`. */
export class E2Exception extends HttpException {
  constructor(status: number, code: string, message: string, details?: unknown) {
    super({ success: false, error: details === undefined ? { code, message } : { code, message, details }, timestamp: new Date().toISOString() }, status);
  }
}

/** 400 V2 (VALIDATION_ERROR with the raw items). */
export class V2ValidationException extends E2Exception {
  constructor(details: RawValidationItem[]) {
    super(HttpStatus.BAD_REQUEST, 'VALIDATION_ERROR', 'Validation failed', details);
  }
}

/**
 * F17's owner check answered in its own shapes, before any validation:
 * 404 `{ error: { code: "NOT_FOUND", ... }, timestamp }` and 403 `{ error: { code: "FORBIDDEN", ... } }`.
 */
export class ThemeOwnershipException extends HttpException {
  static notFound() {
    return new ThemeOwnershipException({ error: { code: 'NOT_FOUND', message: 'Theme not found' }, timestamp: new Date().toISOString() }, HttpStatus.NOT_FOUND);
  }

  static forbidden(action: 'edit' | 'delete') {
    return new ThemeOwnershipException({ error: { code: 'FORBIDDEN', message: `You can only ${action} your own themes` } }, HttpStatus.FORBIDDEN);
  }
}
