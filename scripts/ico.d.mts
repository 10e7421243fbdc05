// Types of scripts/ico.mjs, for its tests.
export function pngSize(png: Buffer): { width: number; height: number };
export function encodeIco(pngs: Buffer[]): Buffer;
export function decodeIco(ico: Buffer): { width: number; height: number; bitCount: number; png: Buffer }[];
