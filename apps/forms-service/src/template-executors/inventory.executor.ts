import { ConflictError } from '@nafs/http';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { keyOf, type SchemaField } from '../public-forms/submission-values';
import { type BusinessLogicConfig, type ExecutionContext, int, str, type TemplateExecutor } from './template-executor';

const SKU = /^[A-Za-z0-9_-]{1,100}$/;
const MAX_QUANTITY = 99;

/**
 * Product stock (forms-extras.md 3.5): one conditional UPDATE takes the quantity only while
 * `stock - reserved` covers it, in the transaction that stores the submission, so concurrent
 * purchases never oversell and a refused purchase (409) stores nothing. fbui's image gallery
 * submits a 1-based index: it is resolved to the image's `sku`.
 */
@Injectable()
export class InventoryExecutor implements TemplateExecutor {
  readonly type = 'inventory';

  validate(config: BusinessLogicConfig, context: ExecutionContext): string[] {
    const { variantField, quantityField } = fieldsOf(config);
    const names = new Set(context.fields.map(keyOf));
    if (!variantField || !names.has(variantField)) return [`Variant field "${variantField ?? ''}" not found in schema`];
    if (!quantityField || !names.has(quantityField)) return [`Quantity field "${quantityField ?? ''}" not found in schema`];
    const sku = skuOf(
      context.values[variantField],
      context.fields.find((field) => keyOf(field) === variantField),
    );
    if (!sku) return ['No SKU selected (variant selection required)'];
    if (!SKU.test(sku)) return [`Invalid SKU format: ${sku.slice(0, 100)}`];
    const quantity = int(context.values[quantityField]);
    if (quantity === undefined || quantity < 1) return ['Invalid quantity (must be >= 1)'];
    if (quantity > MAX_QUANTITY) return [`Quantity exceeds maximum allowed. Maximum: ${MAX_QUANTITY} units, Requested: ${quantity} units.`];
    return [];
  }

  async execute(config: BusinessLogicConfig, context: ExecutionContext, manager: EntityManager): Promise<Record<string, unknown>> {
    const { variantField = '', quantityField = '' } = fieldsOf(config);
    // validate() has accepted both (it runs first), so they are present here.
    const sku =
      skuOf(
        context.values[variantField],
        context.fields.find((field) => keyOf(field) === variantField),
      ) ?? '';
    const quantity = int(context.values[quantityField]) ?? 0;
    // Raw SQL: the check and the decrement are one statement (no read-then-write window).
    const [updated] = (await manager.query(
      `UPDATE product_inventory SET stock_quantity = stock_quantity - $2
        WHERE sku = $1 AND stock_quantity - reserved_quantity >= $2
        RETURNING stock_quantity`,
      [sku, quantity],
    )) as [{ stock_quantity: number }[], number];
    const row = updated[0];
    if (!row) {
      const [current] = (await manager.query(
        'SELECT greatest(stock_quantity - reserved_quantity, 0)::int AS available FROM product_inventory WHERE sku = $1',
        [sku],
      )) as { available: number }[];
      throw new ConflictError('INSUFFICIENT_STOCK', `Insufficient stock. Only ${current?.available ?? 0} unit(s) available.`);
    }
    return { sku, remaining_stock: row.stock_quantity, decremented_quantity: quantity };
  }
}

function fieldsOf(config: BusinessLogicConfig): { variantField?: string; quantityField?: string } {
  return { variantField: str(config.variantField) ?? str(config.stockField), quantityField: str(config.quantityField) ?? 'quantity' };
}

function skuOf(value: unknown, field: SchemaField | undefined): string | null {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const sku = (value as { sku?: unknown }).sku;
    return typeof sku === 'string' ? sku : null;
  }
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{1,4}$/.test(value))) {
    const images = field?.metadata?.images;
    if (Array.isArray(images)) {
      const image = images[Number(value) - 1] as { sku?: unknown; variantMetadata?: { sku?: unknown } } | undefined;
      const sku = image?.sku ?? image?.variantMetadata?.sku;
      if (typeof sku === 'string') return sku;
    }
  }
  return typeof value === 'string' && value ? value : null;
}
