// The Windows icon format (.ico) with PNG-compressed images, which Windows reads since Vista:
// a 6-byte header, one 16-byte directory entry per image, then the PNG files as they are.
// Used by scripts/render-icons.mjs for assets/icon.ico and the tray's .ico files.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The width and height in a PNG's IHDR chunk. */
export function pngSize(png) {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG file');
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Builds an .ico holding `pngs` (square, at most 256 px), smallest first as Windows lists them. */
export function encodeIco(pngs) {
  const images = pngs.map((png) => ({ png, ...pngSize(png) })).sort((a, b) => a.width - b.width);
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // 1 = icon (2 would be a cursor)
  header.writeUInt16LE(images.length, 4);
  const directory = Buffer.alloc(16 * images.length);
  let offset = header.length + directory.length;
  images.forEach(({ png, width, height }, i) => {
    if (width !== height || width < 1 || width > 256) throw new Error(`an icon image must be square and at most 256 px, not ${width}x${height}`);
    const entry = i * 16;
    directory.writeUInt8(width === 256 ? 0 : width, entry); // 0 means 256
    directory.writeUInt8(height === 256 ? 0 : height, entry + 1);
    directory.writeUInt8(0, entry + 2); // no palette
    directory.writeUInt8(0, entry + 3); // reserved
    directory.writeUInt16LE(1, entry + 4); // colour planes
    directory.writeUInt16LE(32, entry + 6); // bits per pixel
    directory.writeUInt32LE(png.length, entry + 8);
    directory.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, directory, ...images.map((image) => image.png)]);
}

/** Reads an .ico: each image's declared size, bit depth and bytes (PNG entries only). */
export function decodeIco(ico) {
  if (ico.length < 6 || ico.readUInt16LE(0) !== 0 || ico.readUInt16LE(2) !== 1) throw new Error('not an icon file');
  const count = ico.readUInt16LE(4);
  if (ico.length < 6 + 16 * count) throw new Error('icon directory cut short');
  const images = [];
  for (let i = 0; i < count; i++) {
    const entry = 6 + 16 * i;
    const width = ico.readUInt8(entry) || 256;
    const height = ico.readUInt8(entry + 1) || 256;
    const bitCount = ico.readUInt16LE(entry + 6);
    const size = ico.readUInt32LE(entry + 8);
    const offset = ico.readUInt32LE(entry + 12);
    if (offset + size > ico.length) throw new Error(`image ${i} lies outside the file`);
    const data = ico.subarray(offset, offset + size);
    if (!data.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`image ${i} is not a PNG`);
    images.push({ width, height, bitCount, png: data });
  }
  return images;
}
