// The WebGPU runner on a real device: copies between views of one buffer, idle pool memory going back to
// the device, bind group reuse, explicit layouts read from every kernel's WGSL, and precompiled pipelines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Params } from '../src/backends/webgpu/params';
import {
  GpuRunner,
  type GpuStorage,
  type PipelineSpec,
  stripSubgroups,
  WgslBindings,
} from '../src/backends/webgpu/runner';
import { SHADERS } from '../src/backends/webgpu/shaders';
import { COMMON_PIPELINES, type WebGpuBackend } from '../src/backends/webgpu/webgpu_backend';
import { type Context, createContext } from '../src/index';
import { skipWebgpu } from './helpers/backends';

describe('Params', () => {
  it('packs u32, f32 and vec4<u32> arrays as the WGSL struct lays them out', () => {
    const p = new Params().u32(7, -1).f32(1.5, Number.NaN).u32x4([1, 2, 3, 4, 5], 2);
    expect(p.byteLength).toBe(48);
    const bytes = p.bytes();
    const u = new Uint32Array(bytes);
    const f = new Float32Array(bytes);
    expect([u[0], u[1], f[2], u[3]]).toEqual([7, 0xffffffff, 1.5, 0x7fc00000]);
    expect(Array.from(u.subarray(4))).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
    // writeTo pads to 16 bytes and leaves the words around its slot alone.
    const target = new Uint32Array(12).fill(9);
    expect(new Params().u32(1).writeTo(target, 4)).toBe(16);
    expect(Array.from(target)).toEqual([9, 9, 9, 9, 1, 0, 0, 0, 9, 9, 9, 9]);
  });
});

describe('WgslBindings', () => {
  it('tells per entry point which bindings it uses, through the functions it calls', () => {
    const b = new WgslBindings(SHADERS.elementwise.code);
    expect(b.of('unary')).toEqual(['uniform', 'read', 'read_write']);
    expect(b.of('binary')).toEqual(['uniform', 'read', 'read', 'read_write']);
    expect(b.of('where_select')).toEqual(['uniform', 'read', 'read', 'read', 'read_write']);
    expect(new WgslBindings(SHADERS.optim.code).of('step')).toEqual([
      'uniform',
      'read',
      'read_write',
      'read_write',
      'read_write',
    ]);
  });

  it('ignores comments and member names, and says why when it cannot tell', () => {
    const code = `
      struct P { a: u32 }
      @group(0) @binding(0) var<uniform> p: P;
      @group(0) @binding(1) var<storage, read> a: array<f32>;   // a.b below is not binding b
      @group(0) @binding(2) var<storage, read_write> b: array<f32>;
      /* @group(0) @binding(3) var<storage, read> c: array<f32>; fn main() { c[0]; } */
      fn helper() -> f32 { return a[p.a]; }
      @compute @workgroup_size(1) fn main() { b[0] = helper(); }
      @compute @workgroup_size(1) fn only_p() { _ = p.a; }`;
    const b = new WgslBindings(code);
    expect(b.of('main')).toEqual(['uniform', 'read', 'read_write']);
    expect(b.of('only_p')).toEqual(['uniform']);
    expect(b.of('missing')).toBe('no function missing in the module');
    const texture = new WgslBindings('@group(0) @binding(0) var t: texture_2d<f32>; fn main() {}');
    expect(texture.of('main')).toMatch(/declares t/);
  });
});

// Reason for the skip: no WebGPU adapter on a developer machine; CI never skips (see helpers/backends).
describe.skipIf(skipWebgpu)('GpuRunner on a device', () => {
  let gb: Context;
  let backend: WebGpuBackend;
  let runner: GpuRunner;
  beforeAll(async () => {
    gb = await createContext({ backend: 'webgpu' });
    backend = gb.engine as WebGpuBackend;
    runner = backend.runner;
  });
  afterAll(() => gb?.dispose());

  /** Runs `f` inside a validation error scope and fails with the first error the device reports. */
  async function noValidationErrors<T>(f: () => Promise<T>): Promise<T> {
    runner.device.pushErrorScope('validation');
    const out = await f();
    const error = await runner.device.popErrorScope();
    expect(error?.message ?? null).toBeNull();
    return out;
  }

  it('copies between two ranges of the same buffer (two parameters packed in one flat buffer)', async () => {
    const data = Float32Array.from({ length: 192 }, (_, i) => i);
    const flat = runner.upload(data);
    // Views as webgpu_backend.view() makes them: 64-element (256-byte) aligned offsets into one buffer.
    const first = backend.view(flat, 0, 64);
    const third = backend.view(flat, 128, 64);
    const out = await noValidationErrors(async () => {
      runner.copy(first, third, 0); // third := first
      runner.copy(backend.view(flat, 0, 100), flat, 50); // overlapping ranges: copied as if through a temporary
      return runner.read(flat);
    });
    const expected = Float32Array.from(data);
    expected.copyWithin(128, 0, 64);
    expected.copyWithin(50, 0, 100);
    expect(Array.from(out)).toEqual(Array.from(expected));
    runner.free(flat);
  });

  it('poolBytes counts idle pooled memory and goes back down after some submits', async () => {
    const fill = (n: number) => backend.fill(1, n) as GpuStorage;
    await runner.sync();
    const before = runner.poolBytes();
    const big = fill(4 * 2 ** 20); // 16 MiB, under the idle byte budget: it leaves by the idle-submit rule
    runner.submit();
    runner.free(big);
    expect(runner.poolBytes()).toBeGreaterThanOrEqual(before + 16 * 2 ** 20);
    for (let i = 0; i < 40; i++) {
      runner.free(fill(16));
      runner.submit();
    }
    expect(runner.poolBytes()).toBeLessThan(16 * 2 ** 20);
  });

  it('reuses the bind group of a repeated dispatch, and results stay right', async () => {
    const x = runner.upload(new Float32Array([1, 2, 3]));
    const warm = backend.unary('neg', x) as GpuStorage;
    runner.free(warm);
    runner.submit(); // warm's buffer is free again: the next neg gets it back, with the same bindings
    const created = runner.stats.bindGroups;
    const y = backend.unary('neg', x) as GpuStorage;
    expect(runner.stats.bindGroups).toBe(created);
    expect(Array.from(await runner.read(y))).toEqual([-1, -2, -3]);
    runner.free(x);
    runner.free(y);
  });

  it("gives every kernel's entry points an explicit layout that the device accepts", async () => {
    const specs: PipelineSpec[] = [];
    for (const shader of Object.values(SHADERS)) {
      const code = runner.info.subgroups ? shader.code : stripSubgroups(shader.code);
      const bindings = new WgslBindings(code);
      for (const m of code.matchAll(/@compute[^{]*?\bfn\s+(\w+)/g)) {
        // Readable by the runner, so it never falls back to layout 'auto' for gradbox's own kernels.
        expect(bindings.of(m[1]), `${shader.name}.${m[1]}`).toBeInstanceOf(Array);
        specs.push({ shader, entry: m[1] });
      }
    }
    expect(specs.length).toBeGreaterThan(10);
    // A layout missing a binding the entry uses would fail to compile: precompile rejects, naming it.
    await noValidationErrors(() => runner.precompile(specs));
    // And every one got the explicit layout, not the 'auto' fallback (looked up in the runner's cache).
    const cache = (runner as unknown as { pipelines: Map<string, { layout: unknown }> }).pipelines;
    const auto = [...cache].filter(([, p]) => p.layout === null).map(([key]) => key);
    expect(auto).toEqual([]);
    // It compiles every entry point of every kernel family (47 here), one to two seconds each on SwiftShader
    // when the machine is busy: more than the default 60 s, and growing with every family.
  }, 240_000);

  it('gives each dispatch of a batch its own parameters, past a submit forced mid-batch', async () => {
    // More dispatches than one batch holds (512): the parameter buffer is written once per submit.
    const outs: GpuStorage[] = [];
    for (let i = 0; i < 600; i++) {
      const out = runner.alloc(3);
      runner.dispatch({
        shader: SHADERS.layout,
        entry: 'fill',
        params: new Params().u32(3, 0, 0, 0, 0).f32(i),
        buffers: [out],
        workgroups: [1],
      });
      outs.push(out);
    }
    for (const i of [0, 1, 255, 511, 512, 599])
      expect(Array.from(await runner.read(outs[i]))).toEqual([i, i, i]);
    outs.forEach((o) => runner.free(o));
  });

  it("runs shaders it cannot read with layout 'auto', parameters at their slot's offset", async () => {
    // The texture makes the module unreadable for WgslBindings: the runner lets WebGPU derive the layout.
    const shader = {
      name: 'test_unreadable',
      code: `
        struct P { value: f32 }
        @group(0) @binding(0) var<uniform> p: P;
        @group(0) @binding(1) var<storage, read_write> out: array<f32>;
        @group(0) @binding(5) var unused: texture_2d<f32>;
        @compute @workgroup_size(1) fn main() { out[0] = p.value; }`,
    };
    const a = runner.alloc(1);
    const b = runner.alloc(1);
    await noValidationErrors(async () => {
      for (const [out, v] of [
        [a, 3],
        [b, 4],
      ] as const) {
        runner.dispatch({
          shader,
          entry: 'main',
          params: new Params().f32(v),
          buffers: [out],
          workgroups: [1],
        });
      }
      expect([(await runner.read(a))[0], (await runner.read(b))[0]]).toEqual([3, 4]);
    });
    runner.free(a);
    runner.free(b);
  });

  it("the backend's common pipelines compile and are the very pipelines the ops dispatch", async () => {
    const own = await createContext({ backend: 'webgpu' });
    const r = (own.engine as WebGpuBackend).runner;
    await noValidationErrors(() => r.precompile(COMMON_PIPELINES));
    const compiled = r.stats.pipelines;
    expect(compiled).toBe(COMMON_PIPELINES.length);
    // Ops that use only those pipelines compile nothing more: the keys (entry + constants) match.
    const engine = own.engine as WebGpuBackend;
    const a = own.ones([8, 8]);
    const b = a.add(a).sub(1).mul(a).add(2).relu().clone();
    for (const variant of ['tiled', 'tiled_vec4'] as const) {
      engine.variants.matmul = variant;
      b.matmul(b);
    }
    for (const variant of ['cols', 'tree'] as const) {
      engine.variants.reduce = variant;
      b.sum(1);
    }
    const [p, g, m, v] = [1, 2, 3, 4].map((k) => own.full([64], k).alloc!.storage);
    const hyper = {
      lr: 0.1,
      weightDecay: 0,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      correction1: 0.1,
      correction2: 0.001,
    };
    engine.optimizerStep('adam', p, g, m, v, hyper);
    await b.data();
    expect(r.stats.pipelines).toBe(compiled);
    own.dispose();
  });

  it('precompiles pipelines; a dispatch does not wait for one still compiling', async () => {
    const own = new GpuRunner(runner.device, runner.info, false);
    const spec = { shader: SHADERS.layout, entry: 'fill' };
    const compiling = own.precompile([spec, spec]);
    // Dispatched at once, while the pipeline may still be compiling.
    const out = own.alloc(5);
    own.dispatch({
      ...spec,
      params: new Params().u32(5, 0, 0, 0, 0).f32(2.5),
      buffers: [out],
      workgroups: [1],
    });
    await compiling;
    expect(Array.from(await own.read(out))).toEqual([2.5, 2.5, 2.5, 2.5, 2.5]);
    expect(own.stats.pipelines).toBe(1);
    await own.precompile([spec]); // already there: nothing to do
    expect(own.stats.pipelines).toBe(1);
    own.destroy(false);
  });

  it('keeps pooled buffers under a device maxBufferSize that is not a size class', async () => {
    // The real device's limits are generous; a device reporting 3000 bytes shows the rounding: 2800 bytes
    // would be class 3072.
    const small: Record<PropertyKey, number> = { maxBufferSize: 3000, maxStorageBufferBindingSize: 3000 };
    const limits = new Proxy(runner.device.limits, {
      get: (target, key) => small[key] ?? Reflect.get(target, key),
    });
    const device = new Proxy(runner.device, {
      get: (target, key) => {
        if (key === 'limits') return limits;
        const v = Reflect.get(target, key);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const own = new GpuRunner(device, runner.info, false);
    const s = own.alloc(700);
    expect(s.buffer.size).toBeGreaterThanOrEqual(2800);
    expect(s.buffer.size).toBeLessThanOrEqual(3000);
    own.destroy(false);
  });
});
