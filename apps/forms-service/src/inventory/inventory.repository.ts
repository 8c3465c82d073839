import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface InventoryRow {
  sku: string;
  stock_quantity: number;
  reserved_quantity: number;
  updated_at: Date | null;
}

/** Reads of `product_inventory` (raw SQL: the table has no entity; the executor writes it). */
@Injectable()
export class InventoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async bySku(sku: string): Promise<InventoryRow | null> {
    const rows = (await this.dataSource.query(
      'SELECT sku, stock_quantity, reserved_quantity, updated_at FROM product_inventory WHERE sku = $1',
      [sku],
    )) as InventoryRow[];
    return rows[0] ?? null;
  }

  byForm(formId: string): Promise<InventoryRow[]> {
    return this.dataSource.query(
      'SELECT sku, stock_quantity, reserved_quantity, updated_at FROM product_inventory WHERE form_id = $1 ORDER BY created_at DESC',
      [formId],
    ) as Promise<InventoryRow[]>;
  }
}
