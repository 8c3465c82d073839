import { checkImage, sniffImageType } from './image-validation';

const JPEG = Buffer.from('ffd8ffe000104a464946', 'hex');
const PNG = Buffer.from('89504e470d0a1a0a0000', 'hex');
const GIF = Buffer.from('GIF89a\x01\x00', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);

describe('image validation (legacy 5.1)', () => {
  it('recognises the four accepted types by their magic bytes', () => {
    expect([JPEG, PNG, GIF, WEBP].map(sniffImageType)).toEqual(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImageType(Buffer.from('GIF8'))).toBeNull();
  });

  it('accepts a matching file and names its extension', () => {
    expect(checkImage(PNG, 'image/png')).toEqual({ ok: true, mimeType: 'image/png', extension: 'png' });
    expect(checkImage(JPEG, 'image/jpg')).toEqual({ ok: true, mimeType: 'image/jpeg', extension: 'jpg' });
  });

  it('refuses other types, empty or oversize files and content that lies about its type', () => {
    expect(checkImage(PNG, 'image/svg+xml')).toMatchObject({ ok: false, reason: 'UNSUPPORTED_TYPE' });
    expect(checkImage(Buffer.alloc(0), 'image/png')).toMatchObject({ ok: false, reason: 'EMPTY' });
    expect(checkImage(Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]), 'image/png')).toMatchObject({ ok: false, reason: 'TOO_LARGE' });
    expect(checkImage(Buffer.from('<html>'), 'image/png')).toMatchObject({ ok: false, reason: 'CONTENT_MISMATCH' });
    expect(checkImage(JPEG, 'image/png')).toMatchObject({ ok: false, reason: 'CONTENT_MISMATCH' });
  });
});
