/**
 * Splitting PEM text into its blocks, without trusting it.
 *
 * Certificate and key files come from users: a file may hold several blocks (a chain, or a key
 * and its certificate together), Windows line endings, text around the blocks (openssl's
 * "Bag Attributes"), or be something else entirely (DER, PKCS#12). One parser, used by every
 * reader in core/tls, so they all agree on what a file holds.
 */

/** One `-----BEGIN LABEL----- … -----END LABEL-----` block. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `PRIVATE KEY`, `EC PRIVATE KEY`. */
  label: string;
  /** RFC 1421 headers inside the block (`Proc-Type`, `DEK-Info`), as found. */
  headers: Record<string, string>;
  /** The decoded bytes. */
  der: Buffer;
  /** The block re-encoded cleanly (LF endings, 64-column base64), headers included. */
  pem: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Finds every well-formed PEM block in a text.
 *
 * A block whose body is not valid base64 is skipped, as OpenSSL would refuse it too; the
 * caller then reports "no certificate found", which is what the user needs to hear.
 */
export function parsePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1]!;
    const headers: Record<string, string> = {};
    const bodyLines: string[] = [];
    for (const rawLine of match[2]!.split(/\r?\n/)) {
      const line = rawLine.trim();
      if (line === '') continue;
      const header = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (header && bodyLines.length === 0) headers[header[1]!] = header[2]!;
      else bodyLines.push(line);
    }
    const body = bodyLines.join('');
    if (body.length === 0 || body.length % 4 !== 0 || !BASE64.test(body)) continue;
    const der = Buffer.from(body, 'base64');
    blocks.push({ label, headers, der, pem: toPem(label, der, headers) });
  }
  return blocks;
}

/** Encodes bytes as a PEM block with the given label (64 columns, LF, trailing newline). */
export function toPem(label: string, der: Uint8Array, headers: Record<string, string> = {}): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  const headerLines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  if (headerLines.length > 0) headerLines.push('');
  return [`-----BEGIN ${label}-----`, ...headerLines, ...lines, `-----END ${label}-----`, ''].join('\n');
}

/**
 * Guesses what a non-PEM file is, for a helpful error message.
 *
 * DER and PKCS#12 both start with an ASN.1 SEQUENCE (0x30); a text file does not.
 * @param expected the label that was looked for, e.g. `CERTIFICATE`
 */
export function describeNonPem(data: Buffer | string, expected: string): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  if (bytes.length === 0) return 'the file is empty';
  if (bytes[0] === 0x30 && bytes.length > 64) {
    return 'it looks like binary DER or PKCS#12 (.pfx/.p12); convert it to PEM with openssl first';
  }
  return `no "BEGIN ${expected}" line was found`;
}
