// softmax, logSoftmax and logSumExp over the middle axis of (outer, size, inner), shifted by the row
// maximum so that inputs around 1e3 and beyond neither overflow nor lose the answer.
// softmax_rows: a workgroup per row (or per chunk of a row); softmax_small: a thread per row (or chunk).
// A long row is split into chunks: pass 1 writes a (max, sum of exp(x - shift)) pair per chunk,
// softmax_combine merges a row's pairs with the online-softmax rescaling, and for softmax and
// logSoftmax softmax_apply then writes every element from its row's (shift, sum).

override MODE: u32 = 0u;           // SOFTMAX_MODES in backend.ts: 0 softmax, 1 logSoftmax, 2 logSumExp
override OUT_PAIRS: bool = false;  // pass 1 of a chunked row: write (max, sum) per chunk, not results
const WG: u32 = 64u;

struct Params {
  outer: u32,
  size: u32,
  inner: u32,
  chunk: u32,   // elements of a row per workgroup (rows) or per thread (small)
  chunks: u32,  // chunks per row; 1 when rows are not split
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn at(row: u32, k: u32) -> u32 {
  return ((row / p.inner) * p.size + k) * p.inner + row % p.inner;
}

fn max_nan(a: f32, b: f32) -> f32 { return select(max(a, b), nan_f32(), is_nan(a) || is_nan(b)); }

// The shift is the row max when it is finite; an infinite or NaN max is not subtracted.
fn shift_of(m: f32) -> f32 { return select(0.0, m, is_finite(m)); }

// One element's result from its row's shift and sum of exp(x - shift).
fn result_of(x: f32, shift: f32, sum: f32) -> f32 {
  if (MODE == 0u) { return exp_ieee(x - shift) / sum; }
  return x - (shift + log_ieee(sum));
}

// The end of a (row, chunk) work item: its pair for the combine pass, or the row's logSumExp, or the
// row's elements (only when the row is one chunk).
fn finish(w: u32, row: u32, m: f32, sum: f32) {
  if (OUT_PAIRS) {
    dst[2u * w] = m;
    dst[2u * w + 1u] = sum;
  } else if (MODE == 2u) {
    dst[row] = shift_of(m) + log_ieee(sum);
  }
}

var<workgroup> tree: array<f32, WG>;

@compute @workgroup_size(WG)
fn softmax_rows(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let w = wid.x + wid.y * nwg.x;
  if (w >= p.outer * p.inner * p.chunks) { return; }
  let row = w / p.chunks;
  let start = (w % p.chunks) * p.chunk;
  let end = min(start + p.chunk, p.size);
  let t = lid.x;
  var m = -inf_f32();
  for (var k = start + t; k < end; k += WG) { m = max_nan(m, src[at(row, k)]); }
  tree[t] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (t < s) { tree[t] = max_nan(tree[t], tree[t + s]); }
    workgroupBarrier();
  }
  let row_max = tree[0];
  let shift = shift_of(row_max);
  workgroupBarrier();
  var sum = 0.0;
  for (var k = start + t; k < end; k += WG) { sum += exp_ieee(src[at(row, k)] - shift); }
  tree[t] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (t < s) { tree[t] = tree[t] + tree[t + s]; }
    workgroupBarrier();
  }
  let total = tree[0];
  if (OUT_PAIRS || MODE == 2u) {
    if (t == 0u) { finish(w, row, row_max, total); }
    return;
  }
  for (var k = t; k < p.size; k += WG) { dst[at(row, k)] = result_of(src[at(row, k)], shift, total); }
}

@compute @workgroup_size(WG)
fn softmax_small(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = flat_id(gid, nwg, WG);
  if (w >= p.outer * p.inner * p.chunks) { return; }
  let row = w / p.chunks;
  let start = (w % p.chunks) * p.chunk;
  let end = min(start + p.chunk, p.size);
  var m = -inf_f32();
  for (var k = start; k < end; k++) { m = max_nan(m, src[at(row, k)]); }
  let shift = shift_of(m);
  var sum = 0.0;
  for (var k = start; k < end; k++) { sum += exp_ieee(src[at(row, k)] - shift); }
  if (OUT_PAIRS || MODE == 2u) {
    finish(w, row, m, sum);
    return;
  }
  for (var k = 0u; k < p.size; k++) { dst[at(row, k)] = result_of(src[at(row, k)], shift, sum); }
}

// Pass 2: one thread per row merges its chunks' (max, sum) pairs from src. A chunk's sum is relative
// to shift_of(its max); rescaled to the row's shift it is sum * exp(chunk shift - row shift), which is
// at most sum when the row max is finite. A chunk of only -Inf has sum 0 and is skipped: its rescale
// factor exp(0 - row shift) could overflow and 0 * Inf would make NaN. With an infinite or NaN row max
// the row's shift is 0, as in the one-pass kernels, and Inf and NaN sums carry through unchanged.
// Writes the row's logSumExp, or (shift, sum) per row for softmax_apply. A thread per row is enough:
// kernels/reduce.ts caps the chunks of a row, so this loop is short next to pass 1.
@compute @workgroup_size(WG)
fn softmax_combine(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flat_id(gid, nwg, WG);
  if (row >= p.outer * p.inner) { return; }
  let first = row * p.chunks;
  var m = -inf_f32();
  for (var c = 0u; c < p.chunks; c++) { m = max_nan(m, src[2u * (first + c)]); }
  let shift = shift_of(m);
  var sum = 0.0;
  for (var c = 0u; c < p.chunks; c++) {
    let s = src[2u * (first + c) + 1u];
    let scaled = s * exp_ieee(shift_of(src[2u * (first + c)]) - shift);
    sum += select(scaled, 0.0, s == 0.0);
  }
  if (MODE == 2u) {
    dst[row] = shift + log_ieee(sum);
  } else {
    dst[2u * row] = shift;
    dst[2u * row + 1u] = sum;
  }
}

@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> applied: array<f32>;

// Pass 3 for softmax and logSoftmax: one thread per element of x, reading its row's (shift, sum).
@compute @workgroup_size(WG)
fn softmax_apply(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, WG);
  let row_len = p.size * p.inner;
  if (e >= p.outer * row_len) { return; }
  let row = (e / row_len) * p.inner + e % p.inner;
  applied[e] = result_of(src[e], stats[2u * row], stats[2u * row + 1u]);
}
