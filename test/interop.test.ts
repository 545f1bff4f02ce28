// Working with WebGPU apps and bad situations: an existing GPUDevice, wrapping a GPUBuffer, a tensor's
// own buffer, device loss under 'auto' and 'webgpu', buffers beyond the device's limits, debug output.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu_backend';
import { SHADERS } from '../src/backends/webgpu/shaders';
import { type Context, createContext, GradboxError } from '../src/index';
import { skipWebgpu } from './helpers/backends';

// Reason for the skip: no WebGPU adapter on a developer machine; CI never skips (see helpers/backends).
const describeGpu = skipWebgpu ? it.skip : it;

let host: Context;
beforeAll(async () => {
  if (!skipWebgpu) host = await createContext({ backend: 'webgpu' });
});
afterAll(() => host?.dispose());

describeGpu('runs on a GPUDevice the app already has, and leaves it alive on dispose', async () => {
  const device = host.device!;
  const gb = await createContext({ device });
  expect(gb.backend).toBe('webgpu');
  expect(await gb.tensor([1, 2]).add(1).toArray()).toEqual([2, 3]);
  gb.dispose();
  // The app's device still works.
  const buf = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
  buf.destroy();
  expect(await host.tensor([3]).toArray()).toEqual([3]);
});

describeGpu(
  'fromBuffer wraps an app buffer without a copy; tensor.buffer exposes gradbox storage',
  async () => {
    const gb = await createContext({ device: host.device! });
    const device = host.device!;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const buf = device.createBuffer({ size: 24, usage, label: 'app data' });
    device.queue.writeBuffer(buf, 0, new Float32Array([1, 2, 3, 4, 5, 6]));
    const t = gb.fromBuffer(buf, [2, 3]);
    expect(t.buffer).toBe(buf);
    expect(await t.sum(1).toArray()).toEqual([6, 15]);
    const y = t.mul(2);
    // The app copies gradbox's result on the GPU, never through the host.
    const dst = device.createBuffer({ size: 24, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    await gb.sync();
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(y.buffer, 0, dst, 0, 24);
    device.queue.submit([enc.finish()]);
    await dst.mapAsync(GPUMapMode.READ);
    expect(Array.from(new Float32Array(dst.getMappedRange()))).toEqual([2, 4, 6, 8, 10, 12]);
    dst.unmap();
    t.dispose(); // forgets the app's buffer, never destroys it
    // A destroyed buffer would not throw here: WebGPU reports its use as a validation error, later. So a
    // write into buf and a copy out of it run inside an error scope that must stay empty, and buf,
    // wrapped again, holds the written value beside the old ones.
    device.pushErrorScope('validation');
    device.queue.writeBuffer(buf, 0, new Float32Array([10]));
    const back = device.createBuffer({ size: 24, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    const copy = device.createCommandEncoder();
    copy.copyBufferToBuffer(buf, 0, back, 0, 24);
    device.queue.submit([copy.finish()]);
    expect(await device.popErrorScope()).toBeNull();
    await back.mapAsync(GPUMapMode.READ);
    expect(Array.from(new Float32Array(back.getMappedRange()))).toEqual([10, 2, 3, 4, 5, 6]);
    back.unmap();
    back.destroy();
    const again = gb.fromBuffer(buf, [2, 3]);
    expect(await again.sum(1).toArray()).toEqual([15, 15]);
    again.dispose();
    expect(() => gb.fromBuffer(buf, [7])).toThrow(
      'fromBuffer: shape (7) needs 28 bytes, but the buffer has 24',
    );
    const noStorage = device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_SRC });
    expect(() => gb.fromBuffer(noStorage, [2])).toThrow(
      "fromBuffer: the buffer's usage must include STORAGE",
    );
    gb.dispose();
    buf.destroy();
    dst.destroy();
    noStorage.destroy();
  },
);

describeGpu("device loss: 'auto' moves to the CPU and says so; 'webgpu' throws a clear error", async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const auto = await createContext({ backend: 'auto' });
  expect(auto.backend).toBe('webgpu');
  const old = auto.ones([2]);
  auto.device!.destroy(); // what a driver reset looks like to the page
  await new Promise((r) => setTimeout(r, 50));
  expect(auto.backend).toBe('js'); // the switch is synchronous: the TypeScript backend needs no compile
  expect(warn).toHaveBeenCalledWith(expect.stringContaining('the WebGPU device was lost'));
  expect(await auto.tensor([1, 2]).mul(3).toArray()).toEqual([3, 6]);
  expect(() => old.add(1)).toThrow(/lived on the webgpu backend, which this context left/);
  auto.dispose();
  warn.mockRestore();

  const strict = await createContext({ backend: 'webgpu' });
  strict.device!.destroy();
  await new Promise((r) => setTimeout(r, 50));
  expect(() => strict.ones([2])).toThrow(/the WebGPU device was lost/);
  strict.dispose();
});

describeGpu('a tensor larger than the device allows names the limit', async () => {
  const limit = host.device!.limits.maxStorageBufferBindingSize;
  const n = Math.floor(limit / 4) + 1;
  let err: unknown;
  try {
    host.zeros([n]);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GradboxError);
  expect((err as Error).message).toMatch(/maxStorageBufferBindingSize|maxBufferSize/);
  expect((err as Error).message).toMatch(/Split the work/);
});

describeGpu('debug: true prints each WGSL pipeline and each dispatch', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const gb = await createContext({ device: host.device!, debug: true });
  await gb.ones([3]).exp().data();
  const lines = log.mock.calls.map((c) => String(c[0]));
  expect(
    lines.some((l) => l.includes('[gradbox] pipeline elementwise:unary') && l.includes('fn unary_fn')),
  ).toBe(true);
  expect(lines.some((l) => l.startsWith('[gradbox] dispatch elementwise.unary (1,1,1)'))).toBe(true);
  log.mockRestore();
  gb.dispose();
});

describeGpu('every GPU object gradbox makes is labelled', async () => {
  const device = host.device!;
  // Every descriptor the context passes to the device's create* methods, from its creation on: buffers
  // (storage, readback, parameters, timing), shader modules, layouts, pipelines (synchronous and
  // precompiled), bind groups, command encoders and query sets.
  const methods = [
    'createBuffer',
    'createBindGroup',
    'createBindGroupLayout',
    'createPipelineLayout',
    'createShaderModule',
    'createComputePipeline',
    'createComputePipelineAsync',
    'createCommandEncoder',
    'createQuerySet',
  ] as const;
  const labels: Record<string, (string | undefined)[]> = {};
  const spies = methods.map((m) => {
    labels[m] = [];
    const original = device[m].bind(device) as (d?: { label?: string }) => unknown;
    return vi.spyOn(device, m).mockImplementation(((d?: { label?: string }) => {
      labels[m].push(d?.label);
      return original(d);
    }) as never);
  });
  let gb: Context | null = null;
  try {
    gb = await createContext({ device });
    const ctx = gb;
    const runner = (ctx.engine as WebGpuBackend).runner;
    await runner.precompile([{ shader: SHADERS.layout, entry: 'fill' }]);
    const t = ctx.ones([5]).add(1);
    expect(t.buffer.label).toMatch(/^gradbox\.storage#/);
    const { result, gpuMs } = await ctx.profile(() =>
      t
        .reshape([1, 5])
        .matmul(t.reshape([5, 1]))
        .sum(),
    );
    expect(Array.from(await result.data())).toEqual([20]);
    const timed = gpuMs !== null;
    // Each kind of object was made at least once (query sets only where the adapter has timestamps), so
    // the check below saw real descriptors; and every one of them carries a gradbox. label.
    for (const m of methods) {
      if (m !== 'createQuerySet' || timed) expect(labels[m].length, `${m} calls`).toBeGreaterThan(0);
      for (const label of labels[m]) expect(label, `a ${m} descriptor's label`).toMatch(/^gradbox\./);
    }
  } finally {
    gb?.dispose();
    for (const s of spies) s.mockRestore();
  }
});

it("'auto' without any WebGPU falls back to the CPU and says so once", async () => {
  const info = vi.spyOn(console, 'info').mockImplementation(() => {});
  const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  // Simulate a browser without navigator.gpu: make the Node path look like a browser.
  const versions = process.versions;
  Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
  Object.defineProperty(process, 'versions', { value: { ...versions, node: undefined }, configurable: true });
  try {
    const a = await createContext({ backend: 'auto' });
    const b = await createContext({ backend: 'auto' });
    expect(a.backend).toBe('wasm'); // the fastest CPU backend
    expect(a.backendReason).toMatch(/navigator\.gpu is missing.*WebAssembly SIMD/);
    expect(info).toHaveBeenCalledTimes(1);
    await expect(createContext({ backend: 'webgpu' })).rejects.toThrow(
      /WebGPU is not available in this browser/,
    );
    a.dispose();
    b.dispose();
  } finally {
    Object.defineProperty(process, 'versions', { value: versions, configurable: true });
    if (nav) Object.defineProperty(globalThis, 'navigator', nav);
    else delete (globalThis as { navigator?: unknown }).navigator;
    info.mockRestore();
  }
});

describeGpu('profile() reports GPU kernel time from timestamp queries, apart from wall time', async () => {
  const a = host.rand([128, 128], { seed: 1 });
  const { result, wallMs, gpuMs } = await host.profile(() => a.matmul(a).relu());
  expect(result.shape).toEqual([128, 128]);
  expect(wallMs).toBeGreaterThan(0);
  expect(gpuMs).not.toBeNull();
  expect(gpuMs!).toBeGreaterThan(0);
  result.dispose();
  a.dispose();
});

describeGpu("'auto' with calibrate keeps the faster backend on a short probe and says why", async () => {
  const gb = await createContext({ backend: 'auto', calibrate: true });
  try {
    expect(gb.calibration).not.toBeNull();
    const { webgpuMs, cpuMs } = gb.calibration!;
    expect(gb.backend).toBe(webgpuMs <= cpuMs ? 'webgpu' : 'wasm');
    expect(gb.backendReason).toMatch(
      /^calibration: the probe took [\d.]+ ms on WebGPU .* and [\d.]+ ms on the CPU \(WebAssembly SIMD/,
    );
    expect(await gb.tensor([1, 2]).add(1).toArray()).toEqual([2, 3]);
  } finally {
    gb.dispose();
  }
});
