// Data movement: gather along an axis, one-hot encoding, and filling with a constant.
// Indices arrive as float32; one that is not an in-range integer gathers NaN (one-hot: an all-zero row).

const WG: u32 = 256u;

struct Params {
  n: u32,      // output elements
  outer: u32,
  size: u32,   // length of the gathered axis, or the one-hot depth
  inner: u32,
  count: u32,  // number of indices
  value: f32,  // fill value
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

fn valid_index(v: f32, size: u32) -> bool {
  return v >= 0.0 && v < f32(size) && floor(v) == v;
}

// out (outer, count, inner) = src (outer, idx[j], inner)
@compute @workgroup_size(WG)
fn gather(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  let inner_i = i % p.inner;
  let j = (i / p.inner) % p.count;
  let o = i / (p.inner * p.count);
  let v = idx[j];
  if (!valid_index(v, p.size)) {
    dst[i] = nan_f32();
    return;
  }
  dst[i] = src[(o * p.size + u32(v)) * p.inner + inner_i];
}

@group(0) @binding(1) var<storage, read> labels: array<f32>;
@group(0) @binding(2) var<storage, read_write> hot: array<f32>;

// out (count, depth): 1 where the column equals the label.
@compute @workgroup_size(WG)
fn one_hot(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  let v = labels[i / p.size];
  let col = f32(i % p.size);
  hot[i] = select(0.0, 1.0, valid_index(v, p.size) && v == col);
}

@group(0) @binding(1) var<storage, read_write> filled: array<f32>;

@compute @workgroup_size(WG)
fn fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  filled[i] = p.value;
}
