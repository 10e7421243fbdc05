/**
 * A QR code drawn as one SVG path (crisp at any size, no canvas, no inline markup).
 * Always dark on light, with the standard 4-module quiet zone: inverted codes defeat many scanners.
 */
import { useMemo } from 'react';
import { qrPath } from '../qr-path.js';

export function QrCode({ text, size = 184, label }: { text: string; size?: number; label: string }) {
  const { path, modules } = useMemo(() => qrPath(text), [text]);
  return (
    <svg className="qr" width={size} height={size} viewBox={`0 0 ${modules} ${modules}`} role="img" aria-label={label} shapeRendering="crispEdges">
      <rect width={modules} height={modules} fill="#fff" />
      <path d={path} fill="#111" />
    </svg>
  );
}
