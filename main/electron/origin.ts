/** The renderer's origin inside the desktop app: a custom, privileged, standard scheme. */
export const appScheme = 'app';
export const appHost = 'vigil';
const appOrigin = `${appScheme}://${appHost}`;
export const appEntryUrl = `${appOrigin}/index.html`;

/** True when `url` is a page of our own renderer (and not, say, `app://vigil.evil/`). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${appScheme}:` && parsed.host === appHost;
  } catch {
    return false;
  }
}
