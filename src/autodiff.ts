// Reverse-mode automatic differentiation. While a function runs under grad(), every differentiable op
// records its output, its inputs and a backward rule (the rules live beside the ops in src/ops);
// backprop then walks the records in reverse, applying the chain rule and summing gradients.
// The rules are themselves made of recorded ops, so a backward pass run while an outer grad() is
// recording is recorded too: that is all derivatives of derivatives (hessian, hvp, jvp) need.
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
  constructor(args: readonly Tensor[]) {
    for (const a of args) this.requires.add(a);
  }
}

/** The tapes recording now (innermost last), and the depth of untracked() work. @internal */
export interface Recording {
  tapes: Tape[];
  paused: number;
}

/**
 * Records `out = op(inputs)` with its backward rule on every active tape where some input needs a
 * gradient. Numbers among the inputs are constants. @internal
 */
export function record(
  out: Tensor,
  inputs: readonly unknown[],
  backward: (g: Tensor) => (Tensor | null)[],
): void {
  const rec = out.ctx.recording;
  if (rec.tapes.length === 0 || rec.paused > 0) return;
  const ins = inputs.map((x) => (x instanceof Tensor ? x : null));
  let node: TapeNode | null = null;
  for (const tape of rec.tapes) {
    if (!ins.some((x) => x !== null && tape.requires.has(x))) continue;
    node ??= { out, inputs: ins, backward };
    tape.requires.add(out);
    tape.nodes.push(node);
  }
}

/** True while some grad() is recording: ops must keep the tensors their rules will read. @internal */
export function isRecording(ctx: Context): boolean {
  return ctx.recording.tapes.length > 0;
}

/** Runs `fn` without recording: for an op's internal temporaries, whose gradient the op's own rule covers. */
export function untracked<T>(ctx: Context, fn: () => T): T {
  const rec = ctx.recording;
  rec.paused++;
  try {
    return fn();
  } finally {
    rec.paused--;
  }
}

/** Runs `fn` with `tape` recording (inside any tapes already recording), and stops it afterwards. */
function withTape<T>(ctx: Context, tape: Tape, fn: () => T): T {
  const tapes = ctx.recording.tapes;
  tapes.push(tape);
  try {
    return fn();
  } finally {
    tapes.splice(tapes.lastIndexOf(tape), 1);
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

/**
 * Walks the tape backwards from `output`, seeded with the cotangent `seed` (ones for a scalar loss);
 * returns d<seed, output>/d(arg) for each arg. Runs while outer tapes record, so it can be differentiated.
 */
function backprop(ctx: Context, tape: Tape, output: Tensor, args: readonly Tensor[], seed: Tensor): Tensor[] {
  const grads = new Map<Tensor, Tensor>();
  grads.set(output, seed);
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
  // Each argument gets a tensor of its own: a rule may hand the same tensor to two inputs (add gives
  // [g, g]) and an argument may be listed twice, and disposing one gradient must not dispose another.
  const given = new Set<Tensor>([...args, seed]); // the seed may be the caller's (hvp's v)
  return args.map((a) => {
    const g = grads.get(a);
    if (!g) return ctx.zeros(a.shape);
    if (given.has(g)) return g.clone();
    given.add(g);
    return g;
  });
}

/** An argument passed twice (grad(f)(x, x)) is differentiated per position, as in JAX: views tell them apart. */
function distinctArgs(ctx: Context, inputs: readonly Tensor[]): Tensor[] {
  return inputs.map((a, i) => (inputs.indexOf(a) < i ? ctx.view(a, a.shape) : a));
}

/**
 * Runs `work` in a tidy scope, unless an outer grad() is recording: then its intermediates are part of the
 * outer record (its backward pass reads them), and the outer call's scope frees them. @internal
 */
export function scoped<T>(ctx: Context, work: () => T): T {
  return isRecording(ctx) ? work() : ctx.tidy(work);
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
    return scoped(ctx, () => {
      const distinct = distinctArgs(ctx, inputs);
      const tape = new Tape(distinct);
      const value: unknown = withTape(ctx, tape, () => f(...(distinct as A)));
      if (!(value instanceof Tensor)) {
        throw new GradboxError(`${op}: the function must return a Tensor (the loss), got ${describe(value)}`);
      }
      if (value.size !== 1) {
        throw new GradboxError(
          `${op}: the function must return a scalar (one element), got shape ${fmtShape(value.shape)}; ` +
            'reduce it first, e.g. with .sum() or .mean()',
        );
      }
      const grads = backprop(ctx, tape, value, distinct, ctx.onesLike(value));
      // The value is the caller's to dispose, so it must be new: f may return one of its arguments
      // (x => x) or a tensor it closed over, which grad() must not free.
      const fresh = ctx.registry.madeInScope(value) && !grads.includes(value) && !inputs.includes(value);
      return [fresh ? value : value.clone(), grads] as [Tensor, Tensor[]];
    });
  };
}

/** The function form behind Context.grad: the gradients, the value freed (or left to an outer grad). @internal */
export function grad<A extends Tensor[]>(ctx: Context, f: (...args: A) => Tensor): (...args: A) => Tensor[] {
  const vg = valueAndGrad(ctx, f);
  return (...args: A) => {
    const nested = isRecording(ctx);
    const [value, grads] = vg(...args);
    if (!nested) value.dispose(); // under an outer grad(), its record may still read the value
    return grads;
  };
}

/**
 * Runs f on x under a tape and returns y = f(x) with its pullback: cotangent u (y's shape) -> J^T u
 * (x's shape). Used by jacobian, hessian and jvp. Call it inside a tidy scope. @internal
 */
export function vjp(
  ctx: Context,
  op: string,
  f: (x: Tensor) => Tensor,
  x: Tensor,
): { y: Tensor; pullback: (u: Tensor) => Tensor } {
  if (typeof f !== 'function') throw new GradboxError(`${op}: expected a function, got ${describe(f)}`);
  const [input] = checkArgs(op, ctx, [x]);
  const tape = new Tape([input]);
  const y: unknown = withTape(ctx, tape, () => f(input));
  if (!(y instanceof Tensor)) {
    throw new GradboxError(`${op}: the function must return a Tensor, got ${describe(y)}`);
  }
  return { y, pullback: (u) => backprop(ctx, tape, y, [input], u)[0] };
}

/** Runs `fn` with a new tape over `args` recording; returns what it returned and the tape. @internal */
export function recordOver<T>(ctx: Context, args: readonly Tensor[], fn: () => T): { result: T; tape: Tape } {
  const tape = new Tape(args);
  return { result: withTape(ctx, tape, fn), tape };
}

/** Backprop over a tape made by recordOver, seeded with `seed`. @internal */
export function pullback(
  ctx: Context,
  tape: Tape,
  output: Tensor,
  args: readonly Tensor[],
  seed: Tensor,
): Tensor[] {
  return backprop(ctx, tape, output, args, seed);
}
