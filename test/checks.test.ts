// The in-browser kernel checks (test/browser/checks.ts), run here in Node on both backends, so a failure
// can be told apart: the kernel, or the browser.
import { expect, it } from 'vitest';
import { CHECKS } from './browser/checks';
import { eachBackend } from './helpers/backends';

eachBackend('shared kernel checks', (use) => {
  for (const c of CHECKS) {
    it(c.name, async () => {
      await expect(c.run(use())).resolves.toBeUndefined();
    });
  }
});
