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
  // Each argument gets a tensor of its own: a rule may hand the same tensor to two inputs (add gives
  // [g, g]) and an argument may be listed twice, and disposing one gradient must not dispose another.
  const given = new Set<Tensor>(args);
  return args.map((a) => {
    const g = grads.get(a);
    if (!g) return ctx.zeros(a.shape);
    if (given.has(g)) return g.clone();
    given.add(g);
    return g;
  });
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
      // An argument passed twice (grad(f)(x, x)) is differentiated per position, as in JAX: the second
      // occurrence becomes a view of its own, so the tape tells the two apart.
      const distinct = inputs.map((a, i) => (inputs.indexOf(a) < i ? ctx.view(a, a.shape) : a));
      const tape = new Tape(distinct);
      ctx.tape = tape;
      let value: unknown;
      try {
        value = f(...(distinct as A));
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
      const grads = backprop(ctx, tape, value, distinct);
      // The value is the caller's to dispose, so it must be new: f may return one of its arguments
      // (x => x) or a tensor it closed over, which grad() must not free.
      const own = ctx.registry.madeInScope(value) && !grads.includes(value) ? value : value.clone();
      return [own, grads] as [Tensor, Tensor[]];
    });
  };
}
