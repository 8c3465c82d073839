import type { ObjectStorage } from '@nafs/storage';
import { Inject, Injectable, Logger } from '@nestjs/common';
import QRCode from 'qrcode';

export const QR_STORAGE = Symbol('QR_STORAGE');

export interface QrCode {
  /** URL of the stored PNG, null when storing failed (QR failures are not fatal, legacy 5.2). */
  url: string | null;
  dataUrl: string;
}

/** Black-on-white QR PNGs (legacy-api.md 5.2) stored through @nafs/storage. */
@Injectable()
export class QrCodes {
  private readonly logger = new Logger(QrCodes.name);

  constructor(@Inject(QR_STORAGE) private readonly storage: ObjectStorage) {}

  /** Generates and stores a PNG of `content`; null when generation itself fails. */
  async create(content: string, key: string, width: number): Promise<QrCode | null> {
    let png: Buffer;
    try {
      png = await QRCode.toBuffer(content, { type: 'png', width, margin: 2, color: { dark: '#000000', light: '#ffffff' } });
    } catch (error) {
      this.logger.warn(`QR generation failed for ${key}: ${(error as Error).message}`);
      return null;
    }
    const dataUrl = `data:image/png;base64,${png.toString('base64')}`;
    try {
      const stored = await this.storage.put({ key, body: png, contentType: 'image/png' });
      return { url: stored.url, dataUrl };
    } catch (error) {
      this.logger.warn(`QR upload failed for ${key}: ${(error as Error).message}`);
      return { url: null, dataUrl };
    }
  }
}
