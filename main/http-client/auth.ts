/** The `Authorization` header of a request, from basic auth, `authorization` or OAuth2. */
import { Buffer } from 'node:buffer';
import { oauth2Header } from './oauth2.js';
import { readSecret } from './secret.js';
import type { HttpAuth } from './settings.js';

/** The header value, or undefined for no auth. Secret files are read on every call; throws naming an unreadable file. */
export async function authorizationHeader(auth: HttpAuth): Promise<string | undefined> {
  switch (auth.kind) {
    case 'none':
      return undefined;
    case 'basic': {
      const username = await readSecret(auth.username, auth.usernameFile ?? '', 'basic_auth username_file');
      const password = await readSecret(auth.password, auth.passwordFile, 'basic_auth password_file');
      return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
    }
    case 'authorization':
      return `${auth.type || 'Bearer'} ${await readSecret(auth.credentials, auth.credentialsFile, 'authorization credentials_file')}`;
    case 'oauth2':
      return oauth2Header(auth);
  }
}
