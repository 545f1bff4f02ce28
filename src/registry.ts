// Who owns what: a context's live tensors, the reference-counted storage they share (views, packed
// parameters), the bytes that storage holds, and the tidy scopes that free intermediates.
import type { Backend, Storage } from './backends/backend';
import type { Context } from './context';
import { GradboxError } from './errors';
import { Tensor } from './tensor';

/**
 * Storage shared by a tensor and its views; freed when the last of them is released.
 * @internal
 */
export interface Allocation {
  storage: Storage;
  backend: Backend;
  refs: number;
  /** Bytes counted for this allocation: 0 for a view, whose parent holds the memory. */
  bytes: number;
  /** For a view into another allocation (a parameter inside a parameter store's flat buffer): that one. */
  parent?: Allocation;
  /** Set when the device holding the storage was lost: nothing to free, nothing to count. */
  lost?: boolean;
}

/** @internal A context's tensors and their storage. The context delegates its bookkeeping here. */
export class Registry {
  private readonly live = new Set<Tensor>();
  private bytesLive = 0;
  private readonly scopes: Set<Tensor>[] = [];

  /** Makes a tensor that owns new storage of `backend`. */
  wrap(ctx: Context, backend: Backend, storage: Storage, shape: readonly number[]): Tensor {
    const alloc: Allocation = { storage, backend, refs: 1, bytes: backend.bytes(storage) };
    this.bytesLive += alloc.bytes;
    return this.track(new Tensor(ctx, alloc, shape));
  }

  /** Makes a tensor that shares x's storage (a reshape). */
  view(x: Tensor, shape: readonly number[]): Tensor {
    const alloc = x.alloc!;
    alloc.refs++;
    return this.track(new Tensor(x.ctx, alloc, shape));
  }

  private track(t: Tensor): Tensor {
    this.live.add(t);
    this.scopes[this.scopes.length - 1]?.add(t);
    return t;
  }

  /** Drops t's reference to its storage; the storage is freed with its last reference. */
  release(t: Tensor): void {
    const alloc = t.alloc;
    if (!alloc) return;
    t.alloc = null;
    this.live.delete(t);
    this.unref(alloc);
  }

  private unref(alloc: Allocation): void {
    if (--alloc.refs > 0) return;
    this.bytesLive -= alloc.bytes;
    alloc.bytes = 0;
    if (!alloc.lost) alloc.backend.free(alloc.storage);
    if (alloc.parent) this.unref(alloc.parent);
  }

  /**
   * Points t at elements [offset, offset + t.size) of `home`'s storage (which must already hold t's values)
   * and releases t's old storage. The home's storage stays alive while t does.
   */
  rehome(t: Tensor, home: Tensor, offset: number): void {
    const parent = home.alloc!;
    const old = t.alloc!;
    parent.refs++;
    t.alloc = {
      storage: parent.backend.view(parent.storage, offset, t.size),
      backend: parent.backend,
      refs: 1,
      bytes: 0,
      parent,
    };
    this.unref(old);
  }

  /**
   * Forgets every tensor whose storage lived on `backend` (a lost device): they stop counting in
   * memory(), and using one later says that its data is gone. Their storage is not freed (it is gone).
   */
  forget(backend: Backend): void {
    for (const t of [...this.live]) {
      if (t.alloc!.backend !== backend) continue;
      this.live.delete(t);
      for (const s of this.scopes) s.delete(t);
      for (let a: Allocation | undefined = t.alloc!; a && !a.lost; a = a.parent) {
        this.bytesLive -= a.bytes;
        a.bytes = 0;
        a.lost = true;
      }
    }
  }

  /** Live tensors and their bytes. */
  count(): { tensors: number; bytes: number } {
    return { tensors: this.live.size, bytes: this.bytesLive };
  }

  /** Every live tensor (a copy: the caller may dispose them while iterating). */
  tensors(): Tensor[] {
    return [...this.live];
  }

  /**
   * Runs fn in a new scope and disposes every tensor made in it except those reachable from its result
   * (a tensor, or tensors in arrays and plain objects). A throw disposes the whole scope and rethrows.
   */
  tidy<T>(fn: () => T): T {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      for (const t of scope) t.dispose();
      throw e;
    } finally {
      this.scopes.pop();
    }
    if (result instanceof Promise) {
      for (const t of scope) t.dispose();
      throw new GradboxError('tidy: the function returned a Promise; tidy only takes synchronous functions');
    }
    const keep = new Set<Tensor>();
    collectTensors(result, keep, 0);
    const parent = this.scopes[this.scopes.length - 1];
    for (const t of scope) {
      if (keep.has(t)) parent?.add(t);
      else t.dispose();
    }
    return result;
  }

  /** True when t was made inside the innermost open tidy scope. */
  madeInScope(t: Tensor): boolean {
    return this.scopes[this.scopes.length - 1]?.has(t) ?? false;
  }

  /** Exempts a tensor from the enclosing tidy scopes. */
  keep(t: Tensor): void {
    for (const s of this.scopes) s.delete(t);
  }
}

function collectTensors(v: unknown, into: Set<Tensor>, depth: number): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (v instanceof Tensor) {
    into.add(v);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) collectTensors(x, into, depth + 1);
    return;
  }
  if (Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) collectTensors(x, into, depth + 1);
  }
}
