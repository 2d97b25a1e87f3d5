import { securityHeaders } from '../api/csp.js';
import { readStaticFile } from '../api/static-files.js';
import { appHost } from './origin.js';

/**
 * Serves the built renderer on `app://vigil/…` (registered as a standard, secure scheme), so the
 * page has a real origin, a CSP header, and no `file://` privileges.
 */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== appHost || request.method !== 'GET') {
      return new Response('not found', { status: 404 });
    }
    const file = await readStaticFile(rendererDir, url.pathname);
    if (file === null) return new Response('not found', { status: 404, headers: securityHeaders });
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: { 'Content-Type': file.contentType, ...securityHeaders },
    });
  };
}
