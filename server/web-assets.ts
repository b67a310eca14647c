// Bundles the page scripts (web/*.ts, browser ES modules) with esbuild once at start and serves them from
// memory, beside the static files in web/. No build step stands between a clone and `npm start`.
// The socket.io client is not bundled: the page imports the one the socket.io server itself serves.
import { build, type Plugin } from 'esbuild';
import express, { type Router } from 'express';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = fileURLToPath(new URL('../web/', import.meta.url));
const entries = ['chat.ts', 'models.ts', 'translate.ts', 'parse.ts'];

const socketIoFromServer: Plugin = {
  name: 'socket.io-from-server',
  setup(b) {
    b.onResolve({ filter: /^socket\.io-client$/ }, () => ({ path: '/socket.io/socket.io.esm.min.js', external: true }));
  },
};

let bundled: Promise<Map<string, string>> | null = null;

/** The page bundles, built once per process (several servers in one test process share them). */
function bundles(): Promise<Map<string, string>> {
  bundled ??= build({
    entryPoints: entries.map((e) => join(webDir, e)),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    write: false,
    outdir: '/parley-web',
    logLevel: 'silent',
    plugins: [socketIoFromServer],
  }).then((result) => new Map(result.outputFiles.map((f) => [basename(f.path), f.text])));
  return bundled;
}

export async function webAssets(): Promise<Router> {
  const code = await bundles();
  const router = express.Router();
  router.get('/app/:file', (req, res, next) => {
    const js = code.get(req.params.file);
    if (js === undefined) return next();
    res.type('text/javascript').set('Cache-Control', 'no-cache').send(js);
  });
  // No directory redirects: web/ has no sub-directories, so a redirect only ever answered a path that
  // climbs back to the root ('/api/x/%2e%2e%2f%2e%2e' got a 301 to itself plus a slash).
  router.use(express.static(webDir, { index: 'index.html', extensions: ['html'], dotfiles: 'ignore', redirect: false }));
  return router;
}
