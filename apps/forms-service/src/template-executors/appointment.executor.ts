import { ConflictError } from '@nafs/http';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { keyOf } from '../public-forms/submission-values';
import { type BusinessLogicConfig, type ExecutionContext, int, str, type TemplateExecutor } from './template-executor';

export const SLOT_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDate(value: string): boolean {
  if (!SLOT_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export function appointmentSettings(config: BusinessLogicConfig): { dateField: string; timeSlotField: string; maxBookingsPerSlot: number } {
  return {
    dateField: str(config.dateField) ?? 'date',
    timeSlotField: str(config.timeSlotField) ?? 'time_slot',
    maxBookingsPerSlot: int(config.maxBookingsPerSlot) ?? 1,
  };
}

/**
 * Appointment bookings (forms-extras.md 3.4), done as intended: bookings are keyed by `forms.id`;
 * capacity is checked and the booking inserted under a transaction-scoped advisory lock on
 * (form, date, slot), in the transaction that stores the submission, so concurrent submits of
 * one slot are serialised and a full slot (409) stores nothing. Today is bookable.
 */
@Injectable()
export class AppointmentExecutor implements TemplateExecutor {
  readonly type = 'appointment';

  validate(config: BusinessLogicConfig, context: ExecutionContext): string[] {
    const { dateField, timeSlotField, maxBookingsPerSlot } = appointmentSettings(config);
    const names = new Set(context.fields.map(keyOf));
    if (!names.has(dateField)) return [`Date field "${dateField}" not found in schema`];
    if (!names.has(timeSlotField)) return [`Time slot field "${timeSlotField}" not found in schema`];
    if (maxBookingsPerSlot < 1 || maxBookingsPerSlot > 100)
      return [`Invalid maxBookingsPerSlot: ${maxBookingsPerSlot}. Must be between 1 and 100.`];
    const date = context.values[dateField];
    if (typeof date !== 'string' || !date.trim()) return ['Date is required'];
    const day = date.trim().slice(0, 10);
    if (!isCalendarDate(day)) return [`Invalid date format: "${date.slice(0, 50)}". Expected YYYY-MM-DD (ISO 8601).`];
    if (day < new Date().toISOString().slice(0, 10)) return [`Cannot book appointments in the past. Date "${day}" has already passed.`];
    const slot = context.values[timeSlotField];
    if (typeof slot !== 'string' || !slot.trim()) return ['Time slot is required'];
    if (slot.trim().length > 50) return [`Time slot "${slot.slice(0, 50)}…" exceeds maximum length (50 characters).`];
    return [];
  }

  async execute(
    config: BusinessLogicConfig,
    context: ExecutionContext,
    manager: EntityManager,
    submissionId: string,
  ): Promise<Record<string, unknown>> {
    const { dateField, timeSlotField, maxBookingsPerSlot } = appointmentSettings(config);
    const date = String(context.values[dateField]).trim().slice(0, 10);
    const slot = String(context.values[timeSlotField]).trim();
    // Raw SQL: the lock, the count and the insert must run on this transaction's connection.
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`appointment:${context.formId}:${date}:${slot}`]);
    const [{ booked }] = (await manager.query(
      `SELECT count(*)::int AS booked FROM appointment_bookings WHERE form_id = $1 AND "date" = $2 AND time_slot = $3 AND status = 'confirmed'`,
      [context.formId, date, slot],
    )) as { booked: number }[];
    if (booked >= maxBookingsPerSlot) {
      throw new ConflictError(
        'SLOT_FULL',
        `Time slot is fully booked. ${maxBookingsPerSlot} bookings maximum, ${booked} already confirmed.`,
      );
    }
    const [row] = (await manager.query(
      `INSERT INTO appointment_bookings (form_id, "date", time_slot, status, submission_id) VALUES ($1, $2, $3, 'confirmed', $4)
       RETURNING id, to_char("date", 'YYYY-MM-DD') AS date, time_slot, booked_at, status`,
      [context.formId, date, slot, submissionId],
    )) as { id: string; date: string; time_slot: string; booked_at: Date; status: string }[];
    return {
      booking_id: row.id,
      form_id: context.formId,
      date: row.date,
      time_slot: row.time_slot,
      booked_at: new Date(row.booked_at).toISOString(),
      status: row.status,
      remaining_capacity: maxBookingsPerSlot - booked - 1,
      max_capacity: maxBookingsPerSlot,
    };
  }
}
