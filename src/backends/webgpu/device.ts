// Finds a WebGPU adapter and device: navigator.gpu in a browser, the `webgpu` package (Dawn) in Node.
// Every failure says what is missing and what to do; nothing here allocates tensors.
import { GradboxError } from '../../errors';

/** What the device offers that kernels may use, read once at start. */
export interface GpuDeviceInfo {
  vendor: string;
  architecture: string;
  description: string;
  subgroups: boolean;
  timestampQuery: boolean;
  /** A software adapter (SwiftShader, llvmpipe, WARP): shaders run on CPU threads. */
  software: boolean;
}

/** Recognises the software adapters by the names they report. */
export function isSoftwareAdapter(vendor: string, architecture: string, description: string): boolean {
  return /swiftshader|llvmpipe|lavapipe|warp|software/i.test(`${vendor} ${architecture} ${description}`);
}

export interface AcquiredDevice {
  device: GPUDevice;
  info: GpuDeviceInfo;
  /** The Node GPU object, kept so it can be released (Node will not exit while it is referenced). */
  gpuHandle: unknown;
}

async function findGpu(): Promise<{ gpu: GPU; handle: unknown }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, handle: null };
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode) {
    throw new GradboxError(
      'WebGPU is not available in this browser (navigator.gpu is missing). Use a browser with WebGPU ' +
        '(Chrome or Edge 113+, Safari 26+, Firefox 141+) on a secure page (https or localhost), ' +
        "or create the context with { backend: 'cpu' }.",
    );
  }
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    const name = 'webgpu'; // a variable keeps bundlers from resolving this Node-only package for browsers
    mod = await import(/* @vite-ignore */ name);
  } catch (e) {
    throw new GradboxError(
      `WebGPU in Node needs the 'webgpu' package, which could not be loaded (${(e as Error).message}). ` +
        "Install it with `npm install webgpu`, or create the context with { backend: 'cpu' }.",
    );
  }
  // GPUBufferUsage, GPUMapMode, ... are globals in browsers; Dawn's binding provides them.
  for (const [k, v] of Object.entries(mod.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  // One Dawn instance per process, shared by every context: creating a second instance while a disposed
  // one is still being torn down crashed Dawn here ("Owner died"). A kept instance does not keep Node
  // alive once its devices are destroyed.
  nodeGpu ??= mod.create([]);
  return { gpu: nodeGpu, handle: nodeGpu };
}

let nodeGpu: GPU | null = null;

/** Requests an adapter and a device with the limits and features gradbox's kernels can use. */
export async function acquireDevice(powerPreference?: GPUPowerPreference): Promise<AcquiredDevice> {
  const { gpu, handle } = await findGpu();
  const adapter = await gpu.requestAdapter(powerPreference ? { powerPreference } : undefined);
  if (!adapter && handle) {
    const loader = vulkanLoaderAdvice(await nodeFileExists(), process.env, process.platform);
    if (loader) throw new GradboxError(loader);
  }
  if (!adapter) {
    throw new GradboxError(
      'WebGPU is present but no adapter was found. In Chrome/Chromium, enable it with ' +
        '--enable-unsafe-webgpu (or chrome://flags/#enable-unsafe-webgpu); in Node without a GPU, point ' +
        'VK_ICD_FILENAMES at a Vulkan driver such as SwiftShader (see the README), ' +
        "or create the context with { backend: 'cpu' }.",
    );
  }
  const features: GPUFeatureName[] = [];
  const subgroups = adapter.features.has('subgroups');
  const timestampQuery = adapter.features.has('timestamp-query');
  if (subgroups) features.push('subgroups');
  if (timestampQuery) features.push('timestamp-query');
  const want = [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxStorageBuffersPerShaderStage',
  ] as const;
  const requiredLimits: Record<string, number> = {};
  for (const k of want) requiredLimits[k] = adapter.limits[k];
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits,
    label: 'gradbox',
  });
  const ai = adapter.info;
  return {
    device,
    gpuHandle: handle,
    info: {
      vendor: ai?.vendor ?? '',
      architecture: ai?.architecture ?? '',
      description: ai?.description ?? '',
      subgroups,
      timestampQuery,
      software: isSoftwareAdapter(ai?.vendor ?? '', ai?.architecture ?? '', ai?.description ?? ''),
    },
  };
}

/** Where Linux distributions put the Vulkan loader, besides the directories in LD_LIBRARY_PATH. */
const LOADER_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/lib64',
  '/lib',
  '/usr/local/lib',
];

/**
 * Dawn on Linux loads the Vulkan loader libvulkan.so.1 before any driver; without it no adapter appears and
 * VK_ICD_FILENAMES cannot help. Returns the advice when the loader is nowhere to be found, else null.
 */
export function vulkanLoaderAdvice(
  exists: (path: string) => boolean,
  env: Record<string, string | undefined>,
  platform: string,
): string | null {
  if (platform !== 'linux') return null;
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LOADER_DIRS];
  if (dirs.some((d) => exists(`${d}/libvulkan.so.1`))) return null;
  return (
    'WebGPU in Node (Dawn) needs the Vulkan loader libvulkan.so.1, and this system has none (looked in ' +
    'LD_LIBRARY_PATH and the usual library directories). Install it (Debian/Ubuntu: apt-get install ' +
    "libvulkan1), or use the copy Debian's chromium package ships by starting Node with " +
    "LD_LIBRARY_PATH=/usr/lib/chromium (see the README's WebGPU-in-Node section); or create the context " +
    "with { backend: 'cpu' }."
  );
}

/** fs.existsSync in Node, loaded only there (a variable keeps bundlers from resolving it for browsers). */
async function nodeFileExists(): Promise<(path: string) => boolean> {
  const name = 'node:fs';
  const fs = (await import(/* @vite-ignore */ name)) as { existsSync: (p: string) => boolean };
  return fs.existsSync;
}

/** Device info for a GPUDevice the user brought (its adapter is not known to us). */
export function infoOfDevice(device: GPUDevice): GpuDeviceInfo {
  const ai = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return {
    vendor: ai?.vendor ?? 'unknown',
    architecture: ai?.architecture ?? 'unknown',
    description: ai?.description ?? 'a device given by the application',
    subgroups: device.features.has('subgroups'),
    timestampQuery: device.features.has('timestamp-query'),
    software: isSoftwareAdapter(ai?.vendor ?? '', ai?.architecture ?? '', ai?.description ?? ''),
  };
}
