// Plans scans (shaders/scan.wgsl) and sorts (shaders/sort.wgsl).
// Scans: one invocation per row (naive), or the multi-pass blocked scan: each 512-element block of a row
// scanned in workgroup memory, the block totals scanned (recursively, by the same plan), then added back.
// Sorts: one invocation per row (insertion sort), or bitonic over rows padded to a power of two; for a
// small k, select: each chunk of a row keeps its k first, repeated on the candidates until one chunk
// per row is left (no full sort at all).
import { GradboxError } from '../../../errors';
import { SCAN_OPS, type ScanOp } from '../../backend';
import { grid2d, gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import type { PlanDevice } from './reduce';
import { SHADERS } from '../shaders';

const WG = 256;
const NAIVE_WG = 64;
/** Elements per workgroup in scan_blocks and bitonic_local (BLOCK in the shaders). */
const BLOCK = 512;

/** Which scan kernel runs: one invocation per row ('naive'), the blocked multi-pass scan, or by shape. */
export type ScanVariant = 'auto' | 'naive' | 'blocked';
/**
 * Which sort kernel runs: one invocation per row ('naive', insertion sort), bitonic, the chunked
 * selection of the first k ('select', k <= SELECT_MAX_K only), or by shape.
 */
export type SortVariant = 'auto' | 'naive' | 'bitonic' | 'select';
/** The most outputs per row 'select' keeps (MAX_K in shaders/sort.wgsl: the private arrays' length). */
export const SELECT_MAX_K = 32;
/**
 * Elements per invocation of 'select'. Software adapters have a few cores and pay per dispatch: long
 * chunks (one level for rows of up to 1024, two to 1e5 at k 32). Hardware wants more invocations in
 * flight, so shorter ones there (a guess: not measured on a GPU).
 */
function selectChunk(dev: PlanDevice): number {
  return dev.software ? 1024 : 256;
}

/**
 * 'auto': the naive scan where rows alone fill the device (many rows, or short ones) and on software
 * adapters, whose barriers cost more than the arithmetic (see reducePlan); otherwise the blocked scan.
 */
export function scanPlan(dev: PlanDevice, rows: number, size: number, variant: ScanVariant = 'auto') {
  if (variant !== 'auto') return variant;
  return dev.software || size <= 64 || rows >= 4096 ? 'naive' : 'blocked';
}

/**
 * 'auto': insertion sort per row for short rows, else bitonic (an O(n^2) sort of long rows would crawl).
 * On software adapters, whose barriers are dear, many rows of up to 1024 also sort one per invocation:
 * measured on SwiftShader, (100,100) rows took 13 ms that way and 143 ms bitonic (one row of 1000: 26 vs 8).
 * Before both: 'select' where k <= SELECT_MAX_K and k is under an eighth of the row.
 */
export function sortPlan(
  dev: PlanDevice,
  rows: number,
  size: number,
  variant: SortVariant = 'auto',
  k = size,
): 'naive' | 'bitonic' | 'select' {
  if (variant === 'select' && k > SELECT_MAX_K) {
    throw new GradboxError(
      `sort: the 'select' variant keeps at most ${SELECT_MAX_K} values per row, got k = ${k} ` +
        `(rows of ${size}); use 'auto', 'naive' or 'bitonic' for larger k`,
    );
  }
  if (variant !== 'auto') return variant;
  // Selection reads each element once and compares most with the last kept only: far cheaper than
  // sorting the row wherever k is a small part of it (topk 10 of 1e5 on SwiftShader: 1273 ms bitonic).
  if (k <= SELECT_MAX_K && k * 8 < size) return 'select';
  return size <= 32 || (dev.software && (size <= 64 || (rows >= 16 && size <= 1024))) ? 'naive' : 'bitonic';
}

function scanParams(outer: number, size: number, inner: number, blocks: number, reverse: boolean) {
  return new Params().u32(outer, size, inner, blocks, reverse ? 1 : 0);
}

function scanBlocked(
  r: GpuRunner,
  OP: number,
  x: GpuStorage,
  out: GpuStorage,
  outer: number,
  size: number,
  inner: number,
  reverse: boolean,
): void {
  const rows = outer * inner;
  const blocks = Math.ceil(size / BLOCK);
  const totals = r.alloc(rows * blocks);
  r.dispatch({
    shader: SHADERS.scan,
    entry: 'scan_blocks',
    constants: { OP },
    params: scanParams(outer, size, inner, blocks, reverse),
    buffers: [x, out, totals],
    workgroups: grid2d(rows * blocks),
  });
  if (blocks > 1) {
    // The totals (rows, blocks) in logical order, scanned along their rows, then added back.
    const carry = r.alloc(rows * blocks);
    scanBlocked(r, OP, totals, carry, rows, blocks, 1, false);
    r.dispatch({
      shader: SHADERS.scan,
      entry: 'scan_add',
      constants: { OP },
      params: scanParams(outer, size, inner, blocks, reverse),
      buffers: [carry, out],
      workgroups: gridFor(rows * size, WG),
    });
    r.free(carry);
  }
  r.free(totals);
}

export function scan(
  r: GpuRunner,
  op: ScanOp,
  x: GpuStorage,
  outer: number,
  size: number,
  inner: number,
  reverse: boolean,
  variant: ScanVariant = 'auto',
): GpuStorage {
  const out = r.alloc(x.length);
  if (x.length === 0) return out;
  const OP = SCAN_OPS.indexOf(op);
  const rows = outer * inner;
  if (scanPlan(r.info, rows, size, variant) === 'blocked') {
    scanBlocked(r, OP, x, out, outer, size, inner, reverse);
    return out;
  }
  r.dispatch({
    shader: SHADERS.scan,
    entry: 'scan_naive',
    constants: { OP },
    params: scanParams(outer, size, inner, 1, reverse),
    buffers: [x, out],
    workgroups: gridFor(rows, NAIVE_WG),
  });
  return out;
}

export function sort(
  r: GpuRunner,
  x: GpuStorage,
  rows: number,
  size: number,
  descending: boolean,
  k: number,
  variant: SortVariant = 'auto',
): { values: GpuStorage; indices: GpuStorage } {
  if (size > 2 ** 24) {
    throw new GradboxError(
      `sort: rows of ${size} elements exceed 2^24, where float32 positions stop being exact`,
    );
  }
  const plan = sortPlan(r.info, rows, size, variant, k);
  if (plan === 'select' && rows * k !== 0) return select(r, x, rows, size, descending, k);
  const values = r.alloc(rows * k);
  const indices = r.alloc(rows * k);
  if (rows * k === 0) return { values, indices };
  let padded = size;
  if (plan === 'bitonic') for (padded = 1; padded < size; padded *= 2);
  const keys = r.alloc(rows * padded);
  const pos = r.alloc(rows * padded);
  const DESC = descending ? 1 : 0;
  const params = (stage = 0, step = 0) => new Params().u32(rows, size, padded, k, stage, step);
  if (plan === 'naive') {
    r.dispatch({
      shader: SHADERS.sort,
      entry: 'sort_naive',
      constants: { DESC },
      params: params(),
      buffers: [x, keys, pos],
      workgroups: gridFor(rows, NAIVE_WG),
    });
  } else {
    const L = Math.min(padded, BLOCK);
    const blocks = (rows * padded) / L;
    r.dispatch({
      shader: SHADERS.sort,
      entry: 'bitonic_init',
      params: params(),
      buffers: [x, keys, pos],
      workgroups: gridFor(rows * padded, WG),
    });
    const local = (stage: number) =>
      r.dispatch({
        shader: SHADERS.sort,
        entry: 'bitonic_local',
        constants: { DESC },
        params: params(stage),
        buffers: [keys, pos],
        workgroups: grid2d(blocks),
      });
    local(0);
    for (let stage = 2 * L; stage <= padded; stage *= 2) {
      for (let step = stage / 2; step >= L; step /= 2) {
        r.dispatch({
          shader: SHADERS.sort,
          entry: 'bitonic_global',
          constants: { DESC },
          params: params(stage, step),
          buffers: [keys, pos],
          workgroups: gridFor((rows * padded) / 2, WG),
        });
      }
      local(stage);
    }
  }
  r.dispatch({
    shader: SHADERS.sort,
    entry: 'sort_out',
    params: params(),
    buffers: [keys, pos, values, indices],
    workgroups: gridFor(rows * k, WG),
  });
  r.free(keys);
  r.free(pos);
  return { values, indices };
}

/**
 * The first k of each row by selection: every chunk of a row keeps its k first (value, index) pairs,
 * in order; the (rows, chunks * k) candidates are selected from again, chunk by chunk, until a row is a
 * single chunk, whose k first are the row's. Candidates keep the original order among equal values,
 * so each level orders exactly as the full sort does (see select_next in shaders/sort.wgsl).
 */
function select(
  r: GpuRunner,
  x: GpuStorage,
  rows: number,
  size: number,
  descending: boolean,
  k: number,
): { values: GpuStorage; indices: GpuStorage } {
  const chunk = Math.max(selectChunk(r.info), k);
  let src = x;
  let idx: GpuStorage | null = null;
  let n = size;
  for (;;) {
    const chunks = Math.ceil(n / chunk);
    const values = r.alloc(rows * chunks * k);
    const indices = r.alloc(rows * chunks * k);
    r.dispatch({
      shader: SHADERS.sort,
      entry: idx ? 'select_next' : 'select_first',
      constants: { DESC: descending ? 1 : 0 },
      params: new Params().u32(rows, n, chunk, chunks, k),
      buffers: idx ? [src, idx, values, indices] : [src, values, indices],
      workgroups: gridFor(rows * chunks, NAIVE_WG),
    });
    if (idx) {
      r.free(src);
      r.free(idx);
    }
    if (chunks === 1) return { values, indices };
    src = values;
    idx = indices;
    n = chunks * k;
  }
}
