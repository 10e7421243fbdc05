/**
 * A QR code drawn as one SVG path (crisp at any size, no canvas, no inline markup).
 * Always dark on light, with the standard 4-module quiet zone: inverted codes defeat many scanners.
 */
import { useMemo } from 'react';
import QRCode from 'qrcode';

export function QrCode({ text, size = 184, label }: { text: string; size?: number; label: string }) {
  const { path, modules } = useMemo(() => {
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
  }, [text]);
  return (
    <svg className="qr" width={size} height={size} viewBox={`0 0 ${modules} ${modules}`} role="img" aria-label={label} shapeRendering="crispEdges">
      <rect width={modules} height={modules} fill="#fff" />
      <path d={path} fill="#111" />
    </svg>
  );
}
