/** Legacy upload rules (legacy-api.md 5.1): ≤5 MB, jpeg/png/gif/webp, magic bytes must match. */
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;

const IMAGE_TYPES = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
} as const;

export type ImageMimeType = keyof typeof IMAGE_TYPES;
export const IMAGE_MIME_TYPES = Object.keys(IMAGE_TYPES) as ImageMimeType[];

export type ImageCheck =
  | { ok: true; mimeType: ImageMimeType; extension: string }
  | { ok: false; reason: 'UNSUPPORTED_TYPE' | 'TOO_LARGE' | 'EMPTY' | 'CONTENT_MISMATCH'; message: string };

/** What the first bytes say the file is, or null for none of the accepted types. */
export function sniffImageType(body: Buffer): ImageMimeType | null {
  if (body.length >= 3 && body[0] === 0xff && body[1] === 0xd8 && body[2] === 0xff) return 'image/jpeg';
  if (body.length >= 4 && body.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (body.length >= 6 && body.toString('latin1', 0, 4) === 'GIF8' && (body[4] === 0x37 || body[4] === 0x39) && body[5] === 0x61)
    return 'image/gif';
  if (body.length >= 12 && body.toString('latin1', 0, 4) === 'RIFF' && body.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

export function isImageMimeType(value: string): value is ImageMimeType {
  return (IMAGE_MIME_TYPES as string[]).includes(value);
}

export function checkImage(body: Buffer, declaredMimeType: string, maxBytes = IMAGE_MAX_BYTES): ImageCheck {
  const declared = declaredMimeType.toLowerCase() === 'image/jpg' ? 'image/jpeg' : declaredMimeType.toLowerCase();
  if (!isImageMimeType(declared))
    return {
      ok: false,
      reason: 'UNSUPPORTED_TYPE',
      message: `Unsupported file type ${declaredMimeType}; allowed: ${IMAGE_MIME_TYPES.join(', ')}`,
    };
  if (!body.length) return { ok: false, reason: 'EMPTY', message: 'The file is empty' };
  if (body.length > maxBytes)
    return { ok: false, reason: 'TOO_LARGE', message: `File size exceeds the ${Math.round(maxBytes / 1024 / 1024)} MB limit` };
  const sniffed = sniffImageType(body);
  if (sniffed !== declared) return { ok: false, reason: 'CONTENT_MISMATCH', message: 'File content does not match its declared type' };
  return { ok: true, mimeType: declared, extension: IMAGE_TYPES[declared] };
}

export function mimeTypeOfExtension(key: string): string | null {
  const extension = key.split('.').pop()?.toLowerCase();
  const found = Object.entries(IMAGE_TYPES).find(([, ext]) => ext === extension || (extension === 'jpeg' && ext === 'jpg'));
  return found ? found[0] : null;
}
