/**
 * Certificates and TLS settings for FTPS: generation, loading and checking, fingerprints,
 * the app's stored certificate, and the server's TLS policy.
 */
export { CertificateError, isCertificateError, type CertificateErrorCode } from './certificate-error.js';
export {
  defaultKeyAlgorithm,
  defaultValidityDays,
  generateCertificate,
  localIpAddresses,
  type GenerateCertificateOptions,
  type GeneratedCertificate,
  type KeyAlgorithm,
} from './certificates.js';
export { fingerprint256, fingerprint256Der, formatFingerprint } from './fingerprint.js';
export {
  checkCertificatePair,
  formatDate,
  loadCertificateFiles,
  readPemFile,
  type ChainCertificate,
  type CheckedCertificate,
} from './pem-check.js';
export {
  certificateFileName,
  certificatePaths,
  defaultCertificateDir,
  defaultRenewWithinDays,
  ensureCertificate,
  keyFileName,
  regenerateCertificate,
  type EnsureCertificateOptions,
  type StoredCertificate,
} from './certificate-store.js';
export { buildSecureContextOptions, tlsPolicy, type SecureContextInput, type SecureContextSettings } from './tls-policy.js';
