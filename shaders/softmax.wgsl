// softmax, logSoftmax and logSumExp over the middle axis of (outer, size, inner), shifted by the row
// maximum so that inputs around 1e3 and beyond neither overflow nor lose the answer.
// softmax_rows: a workgroup per row with trees for the max and the sum; softmax_small: a thread per row.

override MODE: u32 = 0u; // SOFTMAX_MODES in backend.ts: 0 softmax, 1 logSoftmax, 2 logSumExp
const WG: u32 = 64u;

struct Params {
  outer: u32,
  size: u32,
  inner: u32,
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

fn write_row(row: u32, k: u32, shift: f32, sum: f32) {
  let x = src[at(row, k)];
  if (MODE == 0u) { dst[at(row, k)] = exp_ieee(x - shift) / sum; }
  if (MODE == 1u) { dst[at(row, k)] = x - (shift + log_ieee(sum)); }
}

var<workgroup> tree: array<f32, WG>;

@compute @workgroup_size(WG)
fn softmax_rows(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.outer * p.inner) { return; }
  let t = lid.x;
  var m = -inf_f32();
  for (var k = t; k < p.size; k += WG) { m = max_nan(m, src[at(row, k)]); }
  tree[t] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (t < s) { tree[t] = max_nan(tree[t], tree[t + s]); }
    workgroupBarrier();
  }
  let shift = shift_of(tree[0]);
  workgroupBarrier();
  var sum = 0.0;
  for (var k = t; k < p.size; k += WG) { sum += exp_ieee(src[at(row, k)] - shift); }
  tree[t] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (t < s) { tree[t] = tree[t] + tree[t + s]; }
    workgroupBarrier();
  }
  let total = tree[0];
  if (MODE == 2u) {
    if (t == 0u) { dst[row] = shift + log_ieee(total); }
    return;
  }
  for (var k = t; k < p.size; k += WG) { write_row(row, k, shift, total); }
}

@compute @workgroup_size(WG)
fn softmax_small(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flat_id(gid, nwg, WG);
  if (row >= p.outer * p.inner) { return; }
  var m = -inf_f32();
  for (var k = 0u; k < p.size; k++) { m = max_nan(m, src[at(row, k)]); }
  let shift = shift_of(m);
  var sum = 0.0;
  for (var k = 0u; k < p.size; k++) { sum += exp_ieee(src[at(row, k)] - shift); }
  if (MODE == 2u) {
    dst[row] = shift + log_ieee(sum);
    return;
  }
  for (var k = 0u; k < p.size; k++) { write_row(row, k, shift, sum); }
}
