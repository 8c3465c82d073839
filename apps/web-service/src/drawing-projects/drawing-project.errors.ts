import { HttpException, HttpStatus } from '@nestjs/common';

/** One item of the legacy V1 validation body. */
export interface V1Detail {
  field: string;
  message: string;
  value: unknown;
}

/** 400 V1: `{ error: "Validation Error", message: "Invalid input data provided", details, timestamp }`. */
export class V1ValidationException extends HttpException {
  constructor(details: V1Detail[]) {
    super(
      { error: 'Validation Error', message: 'Invalid input data provided', details, timestamp: new Date().toISOString() },
      HttpStatus.BAD_REQUEST,
    );
  }
}

/** Legacy family E7 error: `{ success: false, message, error? }` (no timestamp). */
export class E7Exception extends HttpException {
  constructor(status: number, message: string, error?: string) {
    super(error === undefined ? { success: false, message } : { success: false, message, error }, status);
  }
}
