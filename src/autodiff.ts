// Reverse-mode automatic differentiation. While a function runs under grad(), every differentiable op
// records its output, its inputs and a backward rule (the rules live beside the ops in src/ops);
// backprop then walks the records in reverse, applying the chain rule and summing gradients.
import type { Context } from './context';
import { describe, fmtShape, GradboxError } from './errors';
import { Tensor } from './tensor';

/** One recorded op: gradients of the output map to gradients of the inputs (null: not differentiable). */
interface TapeNode {
  out: Tensor;
  inputs: (Tensor | null)[];
  backward: (g: Tensor) => (Tensor | null)[];
}

/** The record of one forward pass. @internal */
export class Tape {
  readonly nodes: TapeNode[] = [];
  /** Tensors whose value depends on a differentiated argument. */
  readonly requires = new Set<Tensor>();
  /** Nesting depth of internal work that must not be recorded (see untracked). */
  paused = 0;
  constructor(args: readonly Tensor[]) {
    for (const a of args) this.requires.add(a);
  }
}

/**
 * Records `out = op(inputs)` with its backward rule when a tape is active and some input needs a gradient.
 * Numbers among the inputs are constants. @internal
 */
export function record(
  out: Tensor,
  inputs: readonly unknown[],
  backward: (g: Tensor) => (Tensor | null)[],
): void {
  const tape = out.ctx.tape;
  if (!tape || tape.paused > 0) return;
  const ins = inputs.map((x) => (x instanceof Tensor ? x : null));
  if (!ins.some((x) => x !== null && tape.requires.has(x))) return;
  tape.requires.add(out);
  tape.nodes.push({ out, inputs: ins, backward });
}

/** Runs `fn` without recording: for an op's internal temporaries, whose gradient the op's own rule covers. */
export function untracked<T>(ctx: Context, fn: () => T): T {
  const tape = ctx.tape;
  if (!tape) return fn();
  tape.paused++;
  try {
    return fn();
  } finally {
    tape.paused--;
  }
}

function checkArgs(op: string, ctx: Context, args: readonly unknown[]): Tensor[] {
  if (args.length === 0) throw new GradboxError(`${op}: call it with the tensors to differentiate, got none`);
  return args.map((a, i) => {
    if (!(a instanceof Tensor)) {
      throw new GradboxError(`${op}: argument ${i} must be a Tensor, got ${describe(a)}`);
    }
    if (a.ctx !== ctx) throw new GradboxError(`${op}: argument ${i} belongs to another context`);
    a.storage(op);
    return a;
  });
}

/** Walks the tape backwards from a scalar output; returns d(output)/d(arg) for each arg. */
function backprop(ctx: Context, tape: Tape, output: Tensor, args: readonly Tensor[]): Tensor[] {
  const grads = new Map<Tensor, Tensor>();
  grads.set(output, ctx.onesLike(output));
  for (let i = tape.nodes.length - 1; i >= 0; i--) {
    const node = tape.nodes[i];
    const g = grads.get(node.out);
    if (!g) continue;
    const gs = node.backward(g);
    node.inputs.forEach((input, k) => {
      const gk = gs[k];
      if (!input || !gk || !tape.requires.has(input)) return;
      if (gk.shape.join() !== input.shape.join()) {
        throw new GradboxError(
          `internal: a gradient rule gave shape ${fmtShape(gk.shape)} for an input of shape ${fmtShape(input.shape)}`,
        );
      }
      const prev = grads.get(input);
      grads.set(input, prev ? prev.add(gk) : gk);
    });
  }
  return args.map((a) => grads.get(a) ?? ctx.zeros(a.shape));
}

/** The function form behind Context.valueAndGrad. @internal */
export function valueAndGrad<A extends Tensor[]>(
  ctx: Context,
  f: (...args: A) => Tensor,
): (...args: A) => [Tensor, Tensor[]] {
  const op = 'valueAndGrad';
  if (typeof f !== 'function') throw new GradboxError(`${op}: expected a function, got ${describe(f)}`);
  return (...args: A) => {
    const inputs = checkArgs(op, ctx, args);
    if (ctx.tape) {
      throw new GradboxError(`${op}: called inside another grad(); gradients of gradients are not supported`);
    }
    return ctx.tidy(() => {
      const tape = new Tape(inputs);
      ctx.tape = tape;
      let value: unknown;
      try {
        value = f(...args);
      } finally {
        ctx.tape = null;
      }
      if (!(value instanceof Tensor)) {
        throw new GradboxError(`${op}: the function must return a Tensor (the loss), got ${describe(value)}`);
      }
      if (value.size !== 1) {
        throw new GradboxError(
          `${op}: the function must return a scalar (one element), got shape ${fmtShape(value.shape)}; ` +
            'reduce it first, e.g. with .sum() or .mean()',
        );
      }
      const grads = backprop(ctx, tape, value, inputs);
      return [value, grads] as [Tensor, Tensor[]];
    });
  };
}

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
}

/** The function form behind Context.checkGrad. @internal */
export async function checkGrad(
  ctx: Context,
  f: (...args: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradCheckOptions = {},
): Promise<GradCheckResult> {
  const op = 'checkGrad';
  const { eps = 1e-5, tolerance = 1e-3, floor = 1e-2 } = options;
  if (!Array.isArray(inputs))
    throw new GradboxError(`${op}: inputs must be an array of tensors, got ${describe(inputs)}`);
  const [value, grads] = valueAndGrad(ctx, f)(...inputs);
  const analytic = await Promise.all(grads.map((g) => g.data()));
  value.dispose();
  grads.forEach((g) => g.dispose());
  // Central differences of f, evaluated by gradbox's own ops in float64 on the CPU.
  const numeric = await ctx.inFloat64((read) => {
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
