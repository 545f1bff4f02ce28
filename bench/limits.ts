// What the adapter itself can do, measured in the same run: peak multiply-add throughput (a register-bound
// kernel of independent FMA chains) and copy bandwidth (a vec4 copy kernel, and copyBufferToBuffer).
// Raw WebGPU on the device gradbox uses; the results are the denominators of the report's fractions.

const FMA_WGSL = /* wgsl */ `
override ITERS: u32 = 1024u;
@group(0) @binding(0) var<storage, read_write> sink: array<vec4<f32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  var a = vec4<f32>(f32(g.x) * 1e-7, 1.0, 2.0, 3.0);
  var b = a + vec4<f32>(0.5);
  var c = a * 0.9;
  var d = b * 1.1;
  let m = vec4<f32>(0.9999);
  let k = vec4<f32>(1e-6);
  for (var i = 0u; i < ITERS; i++) {
    a = fma(a, m, k);
    b = fma(b, m, k);
    c = fma(c, m, k);
    d = fma(d, m, k);
  }
  sink[g.x] = a + b + c + d; // keeps the chains alive
}`;

const COPY_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) n: vec3<u32>) {
  let i = g.x + g.y * n.x * 256u;
  if (i < arrayLength(&src)) { dst[i] = src[i]; }
}`;

export interface Limits {
  fmaGflops: number;
  copyKernelGBs: number;
  copyBufferGBs: number;
  detail: string;
}

async function timeSubmit(
  device: GPUDevice,
  encode: (e: GPUCommandEncoder) => void,
  reps: number,
): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const enc = device.createCommandEncoder();
    encode(enc);
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    if (r > 0) times.push(performance.now() - t0); // the first is a warm-up
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function measureLimits(device: GPUDevice, quick: boolean): Promise<Limits> {
  const invocations = 64 * (quick ? 256 : 1024);
  const iters = quick ? 256 : 1024;
  const sink = device.createBuffer({ size: invocations * 16, usage: GPUBufferUsage.STORAGE });
  const fma = device.createComputePipeline({
    layout: 'auto',
    compute: {
      module: device.createShaderModule({ code: FMA_WGSL }),
      entryPoint: 'main',
      constants: { ITERS: iters },
    },
  });
  const fmaBind = device.createBindGroup({
    layout: fma.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: sink } }],
  });
  const fmaMs = await timeSubmit(
    device,
    (e) => {
      const p = e.beginComputePass();
      p.setPipeline(fma);
      p.setBindGroup(0, fmaBind);
      p.dispatchWorkgroups(invocations / 64);
      p.end();
    },
    3,
  );
  const flops = invocations * iters * 4 * 4 * 2; // 4 vec4 FMAs per iteration, 4 lanes, 2 FLOPs each

  const floats = (quick ? 4 : 16) * 1024 * 1024;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const src = device.createBuffer({ size: floats * 4, usage });
  const dst = device.createBuffer({ size: floats * 4, usage });
  const copy = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: COPY_WGSL }), entryPoint: 'main' },
  });
  const copyBind = device.createBindGroup({
    layout: copy.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: src } },
      { binding: 1, resource: { buffer: dst } },
    ],
  });
  const groups = floats / 4 / 256;
  const gx = Math.min(groups, 65535);
  const copyMs = await timeSubmit(
    device,
    (e) => {
      const p = e.beginComputePass();
      p.setPipeline(copy);
      p.setBindGroup(0, copyBind);
      p.dispatchWorkgroups(gx, Math.ceil(groups / gx));
      p.end();
    },
    3,
  );
  const bufMs = await timeSubmit(device, (e) => e.copyBufferToBuffer(src, 0, dst, 0, floats * 4), 3);
  for (const b of [sink, src, dst]) b.destroy();
  const bytes = 2 * floats * 4; // read + write
  return {
    fmaGflops: flops / fmaMs / 1e6,
    copyKernelGBs: bytes / copyMs / 1e6,
    copyBufferGBs: bytes / bufMs / 1e6,
    detail: `FMA: ${invocations} invocations x ${iters} iterations x 32 FLOPs in ${fmaMs.toFixed(1)} ms; copy: ${(floats * 4) / 2 ** 20} MiB read and written in ${copyMs.toFixed(1)} ms (kernel), ${bufMs.toFixed(1)} ms (copyBufferToBuffer)`,
  };
}
