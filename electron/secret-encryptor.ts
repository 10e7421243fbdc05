/**
 * The settings store's {@link SecretEncryptor} over Electron's `safeStorage` (macOS Keychain,
 * Windows DPAPI, the Linux secret service or KWallet).
 */
import type { SafeStorage } from 'electron';
import type { SecretEncryptor } from '../core/share/settings-store.js';

/** The part of `safeStorage` the encryptor uses. */
export type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

/**
 * Wraps `safeStorage`. Call after the app's `ready` event: before it, `safeStorage` reports
 * unavailable on Linux.
 *
 * On Linux without a secret service or KWallet, Chromium falls back to `basic_text`: a key
 * hard-coded in Chromium, which is obfuscation, not encryption. Calling that "encrypted" would
 * mislead, so the encryptor reports unavailable and the store writes the honest
 * `passwordObfuscated` + `passwordNote` form instead.
 */
export function createSafeStorageEncryptor(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): SecretEncryptor {
  return {
    isAvailable() {
      if (!safeStorage.isEncryptionAvailable()) return false;
      // getSelectedStorageBackend exists on Linux only.
      if (platform === 'linux') {
        const backend = safeStorage.getSelectedStorageBackend();
        if (backend === 'basic_text' || backend === 'unknown') return false;
      }
      return true;
    },
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (data) => safeStorage.decryptString(data),
  };
}
