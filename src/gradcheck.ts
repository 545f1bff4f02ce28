// checkGrad: compares reverse-mode gradients with central finite differences that gradbox's own ops
// compute in float64 on the CPU, by moving every live tensor to a float64 CPU backend for the duration.
import type { Backend, Storage } from './backends/backend';
import { CpuBackend } from './backends/cpu/cpu_backend';
import { grad, valueAndGrad } from './autodiff';
import type { Context } from './context';
import { describe, GradboxError } from './errors';
import type { Allocation } from './registry';
import type { Tensor } from './tensor';

/** Worst disagreement between the analytic and the numerical gradient of one input. */
export interface GradCheckInput {
  /** max over elements of |analytic - numeric| / max(|analytic|, |numeric|, floor). */
  maxRelError: number;
  /** The flat index where the worst error occurs, and both values there. */
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradCheckResult {
  inputs: GradCheckInput[];
  /** The worst over all inputs. */
  maxRelError: number;
  /** maxRelError <= tolerance. */
  ok: boolean;
}

export interface GradCheckOptions {
  /** Relative step of the central differences (scaled by max(1, |x|)). Default 1e-5. */
  eps?: number;
  /** Pass/fail threshold on maxRelError. Default 1e-3 (the analytic side is float32). */
  tolerance?: number;
  /** Magnitudes below this count as this in the relative error (float32 noise near 0). Default 1e-2. */
  floor?: number;
  /**
   * 2 checks second derivatives: for a fixed random direction w_k per input, the gradient of
   * sum_k <w_k, df/dx_k> (rows of the Hessian along w, by differentiating the backward pass) against central
   * differences of that gradient computed in float64. Default 1.
   */
  order?: 1 | 2;
}

/** The function form behind Context.checkGrad. @internal */
export async function checkGrad(
  ctx: Context,
  f: (...args: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradCheckOptions = {},
): Promise<GradCheckResult> {
  const op = 'checkGrad';
  const { eps = 1e-5, tolerance = 1e-3, floor = 1e-2, order = 1 } = options;
  if (!Array.isArray(inputs))
    throw new GradboxError(`${op}: inputs must be an array of tensors, got ${describe(inputs)}`);
  if (order !== 1 && order !== 2)
    throw new GradboxError(`${op}: order must be 1 or 2, got ${describe(order)}`);
  if (order === 2) {
    const w = inputs.map((x, i) => ctx.rand(x.shape, { seed: 7919 + i, low: -1, high: 1 }));
    const df = grad(ctx, f);
    const along = (...xs: Tensor[]) =>
      df(...xs)
        .map((g, i) => g.mul(w[i]).sum())
        .reduce((a, b) => a.add(b));
    try {
      return await checkGrad(ctx, along, inputs, { ...options, order: 1 });
    } finally {
      w.forEach((t) => t.dispose());
    }
  }
  const [value, grads] = valueAndGrad(ctx, f)(...inputs);
  const analytic = await Promise.all(grads.map((g) => g.data()));
  value.dispose();
  grads.forEach((g) => g.dispose());
  // Central differences of f, evaluated by gradbox's own ops in float64 on the CPU.
  const numeric = await inFloat64(ctx, (read) => {
    const evalF = (): number => {
      const v = ctx.tidy(() => f(...inputs));
      const r = read(v)[0];
      v.dispose();
      return r;
    };
    return inputs.map((x) => {
      const data = read(x);
      const out = new Float64Array(x.size);
      for (let j = 0; j < x.size; j++) {
        const x0 = data[j];
        const h = eps * Math.max(1, Math.abs(x0));
        data[j] = x0 + h;
        const fp = evalF();
        data[j] = x0 - h;
        const fm = evalF();
        data[j] = x0;
        out[j] = (fp - fm) / (2 * h);
      }
      return out;
    });
  });
  const results = analytic.map((a, i) => {
    const n = numeric[i];
    let worst: GradCheckInput = { maxRelError: 0, index: -1, analytic: Number.NaN, numeric: Number.NaN };
    for (let j = 0; j < a.length; j++) {
      const err = Math.abs(a[j] - n[j]) / Math.max(Math.abs(a[j]), Math.abs(n[j]), floor);
      if (!(err <= worst.maxRelError)) worst = { maxRelError: err, index: j, analytic: a[j], numeric: n[j] };
    }
    return worst;
  });
  const maxRelError = Math.max(0, ...results.map((r) => r.maxRelError));
  return { inputs: results, maxRelError, ok: maxRelError <= tolerance };
}

/**
 * Runs `fn` with every live tensor copied to a float64 CPU backend (so that ops compute in float64), then
 * puts everything back. `read(t)` gives a tensor's float64 storage, writable in place.
 */
async function inFloat64<T>(ctx: Context, fn: (read: (t: Tensor) => Float64Array) => T): Promise<T> {
  const cpu64 = new CpuBackend(Float64Array);
  const original = ctx.engine;
  const saved = new Map<Allocation, { storage: Storage; backend: Backend }>();
  for (const t of ctx.registry.tensors()) {
    const alloc = t.alloc!;
    if (saved.has(alloc) || alloc.backend !== original) continue;
    saved.set(alloc, { storage: alloc.storage, backend: alloc.backend });
  }
  const copies = await Promise.all([...saved.values()].map((s) => s.backend.read(s.storage)));
  [...saved.keys()].forEach((alloc, i) => {
    alloc.storage = cpu64.upload(copies[i]);
    alloc.backend = cpu64;
  });
  ctx.engine = cpu64;
  try {
    return fn((t) => cpu64.readSync(t.storage('checkGrad')) as Float64Array);
  } finally {
    ctx.engine = original;
    for (const [alloc, s] of saved) {
      alloc.storage = s.storage;
      alloc.backend = s.backend;
    }
  }
}
