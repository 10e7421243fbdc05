/**
 * What can be wrong with a certificate or its key, as a machine-readable code.
 *
 * The UI and the CLI switch on the code; the message is for people.
 */
export type CertificateErrorCode =
  /** A file could not be read (missing, permission denied, a directory, too large). */
  | 'unreadable'
  /** The text holds no PEM block of the expected kind (a DER or PKCS#12 file, or garbage). */
  | 'not-pem'
  /** A PEM certificate block does not decode to an X.509 certificate. */
  | 'invalid-certificate'
  /** A PEM private key block does not decode to a private key. */
  | 'invalid-key'
  /** The private key is protected by a passphrase, which the server cannot ask for. */
  | 'encrypted-key'
  /** The key type or curve is not usable for a TLS server (DSA, X25519, secp256k1…). */
  | 'unsupported-key'
  /** An RSA key shorter than 2048 bits: modern clients refuse it. */
  | 'weak-key'
  /** The private key does not belong to the (first) certificate. */
  | 'key-mismatch'
  /** The certificate's notAfter has passed. */
  | 'expired'
  /** The certificate's notBefore is still in the future. */
  | 'not-yet-valid'
  /** An option given to generation is out of range (an invalid IP address, validity days…). */
  | 'invalid-option'
  /** Saving the certificate or key to disk failed. */
  | 'write-failed';

/**
 * A certificate problem with a one-line message fit to show a user.
 *
 * The message never holds key material nor a stack trace; the underlying error, when there is
 * one, is kept in `cause` for logs.
 */
export class CertificateError extends Error {
  /** What went wrong, for code to switch on. */
  readonly code: CertificateErrorCode;

  /**
   * @param code what went wrong
   * @param message one line for a person: what, where, and what to do
   * @param cause the underlying error, if any (kept out of the message)
   */
  constructor(code: CertificateErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CertificateError';
    this.code = code;
  }
}

/** Whether a value is a CertificateError, optionally with one of the given codes. */
export function isCertificateError(value: unknown, ...codes: CertificateErrorCode[]): value is CertificateError {
  return value instanceof CertificateError && (codes.length === 0 || codes.includes(value.code));
}
