import { isUuid } from '@nafs/contracts';
import { BadRequestError, NotFoundError } from '@nafs/http';
import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { Request } from 'express';

import { PublicRateLimits } from '../public-forms/public-rate-limits';
import { visitorOf } from '../public-forms/visitor';
import { InventoryRepository, type InventoryRow } from './inventory.repository';

const timestamp = () => new Date().toISOString();
const available = (row: InventoryRow) => Math.max(0, row.stock_quantity - row.reserved_quantity);

/** `/api/v1/inventory` (X9–X12, forms-extras.md 2.3): public stock reads, envelope G. */
@Controller('api/v1/inventory')
export class InventoryController {
  constructor(
    private readonly inventory: InventoryRepository,
    private readonly limits: PublicRateLimits,
  ) {}

  @Get('stock/:sku')
  async stock(@Param('sku') sku: string, @Req() request: Request) {
    const row = await this.find(sku, request);
    return {
      success: true,
      data: { sku: row.sku, stock_quantity: row.stock_quantity, reserved_quantity: row.reserved_quantity, available: available(row) },
      timestamp: timestamp(),
    };
  }

  @Get('check/:sku')
  async check(@Param('sku') sku: string, @Query('quantity') quantity: unknown, @Req() request: Request) {
    const requested = typeof quantity === 'string' && /^\d{1,9}$/.test(quantity) ? Number(quantity) : 0;
    if (requested < 1) throw new BadRequestError('INVALID_QUANTITY', 'Quantity must be a positive integer');
    const row = await this.find(sku, request);
    return {
      success: true,
      data: { sku: row.sku, requested, available: available(row), in_stock: available(row) >= requested },
      timestamp: timestamp(),
    };
  }

  @Get('form/:formId')
  async byForm(@Param('formId') formId: string, @Req() request: Request) {
    await this.limits.consumeApi(visitorOf(request).ip);
    const rows = isUuid(formId) ? await this.inventory.byForm(formId) : [];
    const items = rows.map((row) => ({
      sku: row.sku,
      stock_quantity: row.stock_quantity,
      reserved_quantity: row.reserved_quantity,
      available: available(row),
      updated_at: row.updated_at,
    }));
    return { success: true, data: { form_id: formId, items, count: items.length }, timestamp: timestamp() };
  }

  /** X9, the shape fbui reads (#79): no timestamp; `available` is stock > 0. */
  @Get(':sku')
  async one(@Param('sku') sku: string, @Req() request: Request) {
    const row = await this.find(sku, request);
    return { success: true, data: { sku: row.sku, stock_quantity: row.stock_quantity, available: row.stock_quantity > 0 } };
  }

  private async find(sku: string, request: Request): Promise<InventoryRow> {
    await this.limits.consumeApi(visitorOf(request).ip);
    const row = sku.length <= 100 && !sku.includes('\u0000') ? await this.inventory.bySku(sku) : null;
    if (!row) throw new NotFoundError('PRODUCT_NOT_FOUND', `Product not found: ${sku.slice(0, 100)}`);
    return row;
  }
}
