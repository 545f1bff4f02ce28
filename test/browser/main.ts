// The in-browser test page: runs the shared kernel checks on the backend named in ?backend= and
// publishes the outcome on window.__gradboxResults for the Playwright driver (test/browser.test.ts).
import { type BackendName, type BackendRequest, createContext } from '../../src/index';
import { runChecks } from './checks';

interface Results {
  backend: BackendName | null;
  reason: string;
  /** The backend's description (the wasm backend's says how many threads it runs). */
  description: string;
  passed: number;
  failures: string[];
}

declare global {
  interface Window {
    __gradboxResults?: Results;
  }
}

async function main(): Promise<Results> {
  const want = (new URLSearchParams(location.search).get('backend') ?? 'auto') as BackendRequest;
  const gb = await createContext({ backend: want });
  const errors: string[] = [];
  gb.device?.addEventListener('uncapturederror', (e) =>
    errors.push((e as GPUUncapturedErrorEvent).error.message),
  );
  const { passed, failures } = await runChecks(gb);
  const out = {
    backend: gb.backend,
    reason: gb.backendReason,
    description: gb.engine.description,
    passed,
    failures: [...failures, ...errors],
  };
  gb.dispose();
  return out;
}

main()
  .catch((e: Error) => ({
    backend: null,
    reason: e.message,
    description: '',
    passed: 0,
    failures: [e.stack ?? e.message],
  }))
  .then((r) => {
    window.__gradboxResults = r;
    document.getElementById('out')!.textContent = JSON.stringify(r, null, 2);
  });
