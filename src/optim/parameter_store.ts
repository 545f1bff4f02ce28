// A parameter store: a set of parameter tensors packed into one flat tensor, so that one fused dispatch
// updates them all. Each parameter lives in at most one store; optimisers over the same set share it.
import type { Context } from '../context';
import { describe, fmtShape, GradboxError } from '../errors';
import { type FlatLayout, packParameters } from '../ops/optim';
import { Tensor } from '../tensor';

/** The store each packed parameter lives in. */
const storeOf = new WeakMap<Tensor, ParameterStore>();

/**
 * Parameters packed into one zero-padded flat tensor. Each parameter keeps its identity and shape but
 * becomes a view into the flat storage (at `offsetOf(p)` elements, a multiple of 64), so that updating the
 * flat tensor updates every parameter. Optimisers get their store from `ParameterStore.for`.
 */
export class ParameterStore {
  /** The flat tensor all parameters are views into. */
  readonly flat: Tensor;
  readonly layout: FlatLayout;
  private readonly index = new Map<Tensor, number>();
  private users = 0;

  private constructor(
    gb: Context,
    readonly params: readonly Tensor[],
  ) {
    ({ flat: this.flat, layout: this.layout } = packParameters(gb, params));
    params.forEach((p, i) => {
      this.index.set(p, i);
      storeOf.set(p, this);
    });
  }

  /**
   * The store for exactly these parameters, for one more user (an optimiser): the store they already share
   * with a live optimiser, or a new one. Refuses parameters packed with a different set for a live
   * optimiser: moving them would silently detach that optimiser from them.
   */
  static for(op: string, gb: Context, params: readonly Tensor[]): ParameterStore {
    const stores = new Set(params.map((p) => storeOf.get(p)));
    const [only] = stores;
    const same = stores.size === 1 && only && only.users > 0 && only.params.length === params.length;
    let store: ParameterStore;
    if (same) store = only;
    else {
      params.forEach((p, i) => {
        const other = storeOf.get(p);
        if (other && other.users > 0) {
          throw new GradboxError(
            `${op}: parameter ${i} ${fmtShape(p.shape)} is already updated by another optimiser, together with ` +
              `${other.params.length} parameter(s) in all, while this optimiser was given ${params.length}. Two ` +
              'optimisers can share parameters only if they get the same set. Dispose the other optimiser first ' +
              '(opt.dispose()), or give this one the same parameters.',
          );
        }
      });
      store = new ParameterStore(gb, params);
    }
    store.users++;
    return store;
  }

  /** Where parameter p starts in the flat tensor, in elements. */
  offsetOf(p: Tensor): number {
    const i = this.index.get(p);
    if (i === undefined) throw new GradboxError(`parameter store: ${describe(p)} is not in this store`);
    return this.layout.offsets[i];
  }

  /** One user fewer; the last one frees the flat tensor (parameters keep their storage while they live). */
  release(): void {
    if (--this.users > 0) return;
    this.flat.dispose();
  }
}

/** Checks an optimiser's parameter list: a non-empty array of distinct tensors. */
export function checkParams(op: string, params: unknown): readonly Tensor[] {
  if (!Array.isArray(params) || params.length === 0) {
    throw new GradboxError(
      `${op}: the model has no parameters to optimise (got ${describe(params)}); pass model.parameters()`,
    );
  }
  params.forEach((p, i) => {
    if (!(p instanceof Tensor))
      throw new GradboxError(`${op}: parameter ${i} is not a Tensor: ${describe(p)}`);
  });
  if (new Set(params).size !== params.length) throw new GradboxError(`${op}: a parameter is listed twice`);
  return params as Tensor[];
}
