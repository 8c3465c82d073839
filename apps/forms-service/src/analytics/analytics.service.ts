import type { AuthenticatedUser } from '@nafs/contracts';
import { ForbiddenError, NotFoundError } from '@nafs/http';
import { Injectable } from '@nestjs/common';

import { FormsRepository } from '../forms/forms.repository';
import { TEMPLATE_CATEGORIES, type TemplateCategory } from '../templates/form-template.entity';
import { AnalyticsRepository, type Population, type QuizQuestion } from './analytics.repository';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const r2 = (value: unknown) => {
  const n = typeof value === 'number' ? value : value === null || value === undefined ? 0 : parseFloat(String(value));
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : 0;
};
const n = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const missingMessage = (what: string, missing: string[], needs: string) =>
  `This form does not contain ${what} (${missing.join(', ')}). ${needs} Consider using a different template category for this type of data collection.`;

/** Category detection (forms-extras.md 4.1): settings.templateCategory, else quiz when a field has a correct answer. */
export function detectCategory(schemaJson: Json): TemplateCategory | null {
  const settings = isObject(schemaJson.settings) ? schemaJson.settings : {};
  if ((TEMPLATE_CATEGORIES as readonly string[]).includes(settings.templateCategory as string))
    return settings.templateCategory as TemplateCategory;
  const fields = Array.isArray(schemaJson.fields) ? schemaJson.fields : [];
  if (fields.some((field) => isObject(field) && isObject(field.metadata) && field.metadata.correctAnswer !== undefined)) return 'quiz';
  return null;
}

/** Category metrics of a form (X7/X8), every strategy of forms-extras.md 4.4, aggregated in SQL. */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly forms: FormsRepository,
    private readonly analytics: AnalyticsRepository,
  ) {}

  async categoryMetrics(
    user: AuthenticatedUser,
    formId: string,
    query: { startDate?: string; endDate?: string; category?: TemplateCategory },
  ) {
    const form = await this.forms.findForm(formId);
    if (!form || (user.tenantId && form.tenantId !== user.tenantId)) throw new NotFoundError('FORM_NOT_FOUND', 'Form not found');
    const tenantAdmin = user.role === 'admin' && user.tenantId !== null && form.tenantId === user.tenantId;
    if (form.userId !== user.id && !tenantAdmin)
      throw new ForbiddenError('FORBIDDEN', 'You do not have permission to access analytics for this form');
    const schema = await this.forms.latestSchema(form.id);
    if (!schema) throw new NotFoundError('SCHEMA_NOT_FOUND', 'Form has no published schema');
    const json = isObject(schema.schemaJson) ? schema.schemaJson : {};
    const population: Population = {
      schemaId: schema.id,
      from: query.startDate ? new Date(`${query.startDate}T00:00:00Z`) : null,
      to: query.endDate ? new Date(new Date(`${query.endDate}T00:00:00Z`).getTime() + 86_400_000) : null,
    };
    const counts = await this.analytics.counts(population);
    const base: Json = { totalSubmissions: counts.total };
    if (counts.total > 0) {
      base.firstSubmissionAt = counts.first ? new Date(counts.first).toISOString() : undefined;
      base.lastSubmissionAt = counts.last ? new Date(counts.last).toISOString() : undefined;
    }
    const category = query.category ?? detectCategory(json);
    switch (category) {
      case 'polls':
        return this.poll(population, base);
      case 'quiz':
        return this.quiz(population, base, json);
      case 'ecommerce':
        return this.product(population, base);
      case 'services':
        return this.appointment(population, base, counts);
      case 'data_collection':
        return this.restaurant(population, base);
      default:
        // No events strategy existed: events and uncategorised forms get the generic shape, labelled data_collection.
        return genericMetrics(base);
    }
  }

  private async missing(population: Population, base: Json, keys: string[]): Promise<string[]> {
    return n(base.totalSubmissions) > 0 ? this.analytics.missingKeys(population, keys) : [];
  }

  private async poll(population: Population, base: Json) {
    const zero = {
      category: 'polls',
      ...base,
      voteCounts: {},
      votePercentages: {},
      uniqueVoters: n(base.totalSubmissions) === 0 ? 0 : n(base.totalSubmissions),
      mostPopularOption: '',
    };
    const missing = await this.missing(population, base, ['poll_option']);
    if (missing.length) {
      return {
        ...zero,
        uniqueVoters: 0,
        missingFields: {
          hasRequiredFields: false,
          missing,
          message:
            'This form does not contain a poll option field (poll_option). Poll analytics require forms with a poll_option field containing the selected option. Consider using a different template category for this type of data collection.',
        },
      };
    }
    const rows = await this.analytics.pollCounts(population);
    const total = rows.reduce((sum, row) => sum + row.votes, 0);
    return {
      ...zero,
      voteCounts: Object.fromEntries(rows.map((row) => [row.option, row.votes])),
      votePercentages: Object.fromEntries(rows.map((row) => [row.option, total ? r2((row.votes / total) * 100) : 0])),
      mostPopularOption: rows[0]?.option ?? '',
    };
  }

  private async quiz(population: Population, base: Json, json: Json) {
    const fields = (Array.isArray(json.fields) ? json.fields : []).filter(isObject);
    // Scored by metadata.correctAnswer (what the builder and X6 write; the legacy looked for a top-level key and found none).
    const questions: QuizQuestion[] = fields
      .map((field) => {
        const metadata = isObject(field.metadata) ? field.metadata : {};
        const answer = metadata.correctAnswer ?? field.correctAnswer;
        const key = (field.fieldName ?? field.name ?? field.id) as string | undefined;
        if (answer === undefined || answer === null || answer === '' || metadata.excludeFromQuiz === true || !key) return null;
        return {
          key: String(key),
          answer: String(answer),
          points: typeof metadata.points === 'number' && metadata.points > 0 ? metadata.points : 1,
        };
      })
      .filter((q): q is QuizQuestion => q !== null);
    const zero = {
      category: 'quiz',
      ...base,
      averageScore: 0,
      medianScore: 0,
      passRate: 0,
      highestScore: 0,
      lowestScore: 0,
      scoreDistribution: {},
      questionAccuracy: {},
    };
    if (!questions.length) {
      if (n(base.totalSubmissions) === 0) return zero;
      return {
        ...zero,
        missingFields: {
          hasRequiredFields: false,
          missing: ['quiz_fields_with_correct_answers'],
          message:
            "This form does not contain quiz fields with correct answer metadata. Quiz analytics require forms with fields that have 'correctAnswer' properties for scoring. Consider using a different template category for this type of data collection.",
        },
      };
    }
    if (n(base.totalSubmissions) === 0) return zero;
    const settings = isObject(json.settings) ? json.settings : {};
    const config = isObject(settings.businessLogicConfig) ? settings.businessLogicConfig : {};
    const passMark = typeof config.passingScore === 'number' ? config.passingScore : 60;
    const { summary, accuracy } = await this.analytics.quiz(population, questions, passMark);
    return {
      ...zero,
      averageScore: r2(summary.average),
      medianScore: r2(summary.median),
      passRate: r2(summary.pass_rate),
      highestScore: r2(summary.highest),
      lowestScore: r2(summary.lowest),
      scoreDistribution: {
        '0-20': n(summary.b1),
        '21-40': n(summary.b2),
        '41-60': n(summary.b3),
        '61-80': n(summary.b4),
        '81-100': n(summary.b5),
      },
      questionAccuracy: Object.fromEntries(
        accuracy.filter((row) => row.answered > 0).map((row) => [row.key, r2((row.correct / row.answered) * 100)]),
      ),
    };
  }

  private async product(population: Population, base: Json) {
    const zero = {
      category: 'ecommerce',
      ...base,
      totalRevenue: 0,
      averageOrderValue: 0,
      totalItemsSold: 0,
      topProducts: [] as unknown[],
      lowStockAlerts: 0,
      outOfStockCount: 0,
      inventoryValue: 0,
    };
    const missing = await this.missing(population, base, ['product_id', 'product_name', 'quantity', 'price']);
    if (missing.length) {
      return {
        ...zero,
        missingFields: {
          hasRequiredFields: false,
          missing,
          message: missingMessage(
            'product/ecommerce fields',
            missing,
            'Product analytics require forms with product_id, product_name, quantity, and price fields.',
          ),
        },
      };
    }
    if (n(base.totalSubmissions) === 0) return zero;
    const { totals, top } = await this.analytics.product(population);
    const revenue = n(totals.revenue);
    return {
      ...zero,
      totalRevenue: r2(revenue),
      totalItemsSold: n(totals.items),
      averageOrderValue: r2(revenue / n(base.totalSubmissions)),
      topProducts: top.map((row) => ({
        productId: row.product_id,
        name: row.name ?? 'Unknown Product',
        quantity: n(row.quantity),
        revenue: r2(row.revenue),
      })),
    };
  }

  private async appointment(population: Population, base: Json, counts: { total: number; first: Date | null; last: Date | null }) {
    const zero = {
      category: 'services',
      ...base,
      totalBookings: 0,
      cancelledBookings: 0,
      cancellationRate: 0,
      averageBookingsPerDay: 0,
      capacityUtilization: 0,
      popularTimeSlots: [] as unknown[],
    };
    const missing = await this.missing(population, base, ['time_slot', 'booking_date']);
    if (missing.length) {
      return {
        ...zero,
        missingFields: {
          hasRequiredFields: false,
          missing,
          message: missingMessage(
            'appointment booking fields',
            missing,
            'Appointment analytics require forms with time_slot and booking_date fields.',
          ),
        },
      };
    }
    if (counts.total === 0) return zero;
    const { totals, slots, days } = await this.analytics.appointment(population);
    const byDay = new Map<string, number>();
    for (const row of days) {
      const date =
        row.booking_date && /^\d{4}-\d{2}-\d{2}/.test(row.booking_date) ? new Date(`${row.booking_date.slice(0, 10)}T00:00:00Z`) : null;
      const valid = date && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(row.booking_date?.slice(0, 10) ?? '');
      const name = valid ? WEEKDAYS[(date as Date).getUTCDay()] : 'Unknown';
      byDay.set(name, (byDay.get(name) ?? 0) + row.bookings);
    }
    const peak = [...byDay.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    const span =
      counts.first && counts.last ? Math.ceil((new Date(counts.last).getTime() - new Date(counts.first).getTime()) / 86_400_000) : 0;
    const daysCovered = Math.max(1, span);
    const booked = totals.booked;
    const result: Json = {
      ...zero,
      totalBookings: booked,
      cancelledBookings: totals.cancelled,
      cancellationRate: r2((totals.cancelled / counts.total) * 100),
      popularTimeSlots: slots.map((row) => ({ timeSlot: row.time_slot, bookings: row.bookings })),
      averageBookingsPerDay: r2(booked / daysCovered),
      capacityUtilization: r2(Math.min(100, (booked / (daysCovered * 10)) * 100)),
    };
    if (peak) result.peakBookingDay = peak[0];
    return result;
  }

  private async restaurant(population: Population, base: Json) {
    const zero = genericMetrics(base);
    const missing = await this.missing(population, base, ['item_name', 'quantity', 'price']);
    if (missing.length) {
      return {
        ...zero,
        missingFields: {
          hasRequiredFields: false,
          missing,
          message: missingMessage(
            'restaurant order fields',
            missing,
            'Restaurant analytics require forms with item_name, quantity, and price fields.',
          ),
        },
      };
    }
    if (n(base.totalSubmissions) === 0) return zero;
    const { totals, items, peakHour } = await this.analytics.restaurant(population);
    const total = n(base.totalSubmissions);
    const hour = peakHour ?? 0;
    return {
      ...zero,
      totalRevenue: r2(totals.revenue),
      totalItemsOrdered: n(totals.items),
      averageOrderValue: r2(n(totals.revenue) / total),
      averageOrderSize: r2(n(totals.items) / total),
      popularItems: items.map((row) => ({ itemName: row.item_name, quantity: n(row.quantity), revenue: r2(row.revenue) })),
      peakOrderTime: `${String(hour).padStart(2, '0')}:00-${String((hour + 1) % 24).padStart(2, '0')}:00`,
    };
  }
}

/** The legacy generic metrics (data_collection, all order figures zero): uncategorised forms, and restaurants without order fields. */
function genericMetrics(base: Json) {
  return {
    category: 'data_collection',
    ...base,
    totalRevenue: 0,
    averageOrderValue: 0,
    totalItemsOrdered: 0,
    averageOrderSize: 0,
    popularItems: [] as unknown[],
  };
}
