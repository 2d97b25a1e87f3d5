/**
 * Remote data sources' secrets sealed at rest by Electron's `safeStorage`: the OS keychain
 * (macOS Keychain, Windows DPAPI, Linux's Secret Service or KWallet) holds the key, so a copy of
 * `remote-sources.sqlite` alone reveals no password or token. On Linux without a keyring Electron
 * falls back to a fixed key (`basic_text`), which protects nothing: secrets then stay in clear
 * with file mode 0600, as under `vigil serve`, and the log says so. Layout: main/remote/FORMAT.md.
 */
import type { SafeStorage } from 'electron';
import type { SecretSealer } from '../remote/sources-store.js';

/** The name stored beside each sealed secret. */
export const safeStorageSealerName = 'electron-safeStorage';

/** Only what the sealer uses of `safeStorage` (the tests pass a fake). */
type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & { getSelectedStorageBackend?: () => string };

/** The sealer, or null with the reason secrets stay in clear. Call after the app is ready (Linux needs it). */
export function safeStorageSealer(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): { sealer: SecretSealer | null; reason: string } {
  if (!safeStorage.isEncryptionAvailable()) return { sealer: null, reason: 'the OS offers no encryption to safeStorage' };
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
    return { sealer: null, reason: 'no keyring (Secret Service or KWallet) is running; safeStorage would use a fixed key' };
  }
  return {
    sealer: {
      name: safeStorageSealerName,
      seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
      unseal: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
    },
    reason: '',
  };
}
