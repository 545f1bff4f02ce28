// Starts what the in-browser tests need: a Vite server for the repository and headless Chromium
// (playwright-core, the system's browser from CHROME_PATH), with or without WebGPU.
import { type Browser, chromium } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

export const CHROME_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export function chromePath(): string {
  const p = process.env.CHROME_PATH;
  if (!p) throw new Error('CHROME_PATH is not set: run the tests with `npm test`, which finds Chromium');
  return p;
}

export async function launch(webgpu: boolean): Promise<Browser> {
  return chromium.launch({
    executablePath: chromePath(),
    headless: true,
    args: webgpu ? [...CHROME_FLAGS, '--enable-unsafe-webgpu'] : CHROME_FLAGS,
  });
}

export async function startServer(): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({
    configFile: false,
    root: process.cwd(),
    logLevel: 'error',
    // Cross-origin isolated like the project's own server (vite.config.ts): the wasm backend gets threads.
    server: {
      host: '127.0.0.1',
      port: 0,
      strictPort: false,
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
  });
  await server.listen();
  const addr = server.httpServer!.address();
  if (!addr || typeof addr === 'string') throw new Error('the test server has no port');
  return { server, url: `http://127.0.0.1:${addr.port}` };
}
