// `npm test`: everything a fresh machine needs, then every check: types, lint, build, unit and
// property tests on both backends in Node, and the in-browser tests in headless Chromium.
// Options: --only unit (skip typecheck, lint and build), any other arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { findChromium, webgpuEnv } from './env.mjs';

const args = process.argv.slice(2);
const onlyUnit = args[0] === '--only' && args[1] === 'unit';
const vitestArgs = onlyUnit ? args.slice(2) : args;

let chrome;
try {
  chrome = findChromium();
} catch (e) {
  console.error(`\ngradbox: ${e.message}\n`);
  process.exit(1);
}
const env = webgpuEnv(chrome);
console.log(`gradbox: Chromium at ${chrome}; Vulkan ICD ${env.VK_ICD_FILENAMES ?? '(system default)'}`);

function run(title, cmd, cmdArgs) {
  console.log(`\n=== ${title}: ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`\ngradbox: ${title} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status || 1);
  }
}

if (!onlyUnit) {
  run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  run('lint', 'npm', ['run', 'lint', '--silent']);
  run('build', 'npm', ['run', 'build', '--silent']);
  run('build demos', 'npm', ['run', 'build:demos', '--silent']);
  run('API docs', 'npm', ['run', 'docs', '--silent']);
}
run('tests', 'npx', ['vitest', 'run', ...vitestArgs]);
