/**
 * A QR code as one SVG path: the dark modules of `text`, each row's runs as rectangles, inside the
 * standard 4-module quiet zone. Pure, so a test can tell which text a drawn code carries.
 */
import QRCode from 'qrcode';

export function qrPath(text: string): { path: string; modules: number } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  let d = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      // Runs of dark modules on a row become one rectangle: a few hundred path commands at most.
      if (!qr.modules.get(y, x)) continue;
      let run = 1;
      while (x + run < n && qr.modules.get(y, x + run)) run++;
      d += `M${x + 4} ${y + 4}h${run}v1h-${run}z`;
      x += run - 1;
    }
  }
  return { path: d, modules: n + 8 };
}
