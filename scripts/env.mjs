// Finds (or installs) Chromium and prepares the environment under which WebGPU runs in Node and in
// headless Chromium on this machine. Shared by scripts/test.mjs and scripts/bench.mjs.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

function osId() {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const get = (k) => text.match(new RegExp(`^${k}="?([^"\\n]*)`, 'm'))?.[1] ?? '';
    return `${get('ID')} ${get('ID_LIKE')}`;
  } catch {
    return '';
  }
}

/** Returns a Chromium path, installing Debian/Ubuntu's package as root when none is found. */
export function findChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROME_PATH is set to ${fromEnv}, but no file is there. Fix or unset it.`);
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  const os = osId();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && /debian|ubuntu/.test(os)) {
    console.log('gradbox: no Chromium found; installing the chromium package with apt-get (as root) ...');
    const r = spawnSync(
      'bash',
      ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'],
      {
        stdio: 'inherit',
      },
    );
    const again = CANDIDATES.find((p) => existsSync(p));
    if (r.status === 0 && again) return again;
    throw new Error(
      'apt-get could not install chromium; install it yourself (apt-get install chromium) and rerun.',
    );
  }
  throw new Error(
    'gradbox tests need Chromium (or Chrome) for the in-browser tests and its SwiftShader WebGPU driver. ' +
      (/debian|ubuntu/.test(os)
        ? 'Install it with: sudo apt-get install chromium'
        : 'Install Chromium or Google Chrome') +
      ', or point CHROME_PATH at a Chrome/Chromium binary.',
  );
}

function hasSystemLib(name) {
  try {
    return execSync('ldconfig -p', { encoding: 'utf8' }).includes(name);
  } catch {
    return false;
  }
}

function hasGpuDevice() {
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * Environment variables for child processes so that Dawn (the `webgpu` package) finds a Vulkan driver:
 * on Linux without a GPU, Chromium's SwiftShader ICD and, if the system has no libvulkan, Chromium's copy.
 * Set GRADBOX_VULKAN=system to leave the system's Vulkan setup alone.
 */
export function webgpuEnv(chromePath) {
  const env = { ...process.env, CHROME_PATH: chromePath };
  if (process.platform !== 'linux' || process.env.GRADBOX_VULKAN === 'system') return env;
  const dir = dirname(execSync(`readlink -f "${chromePath}"`, { encoding: 'utf8' }).trim());
  const libDirs = [dir, '/usr/lib/chromium', '/usr/lib/chromium-browser'];
  const icdDir = libDirs.find((d) => existsSync(join(d, 'vk_swiftshader_icd.json')));
  if (!icdDir) return env;
  if (!env.VK_ICD_FILENAMES && !hasGpuDevice())
    env.VK_ICD_FILENAMES = join(icdDir, 'vk_swiftshader_icd.json');
  if (!hasSystemLib('libvulkan.so.1') && existsSync(join(icdDir, 'libvulkan.so.1'))) {
    env.LD_LIBRARY_PATH = [icdDir, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return env;
}
