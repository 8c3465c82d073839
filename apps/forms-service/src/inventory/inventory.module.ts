import { Module } from '@nestjs/common';

import { PublicFormsModule } from '../public-forms/public-forms.module';
import { InventoryController } from './inventory.controller';
import { InventoryRepository } from './inventory.repository';

/** Public stock reads (X9–X12); the inventory executor writes the stock. */
@Module({ imports: [PublicFormsModule], controllers: [InventoryController], providers: [InventoryRepository] })
export class InventoryModule {}
