// Histogram-like kernels: bincount (counts of the integers 0..length-1) and segment_sum (rows of data
// summed by segment id). Ids that are not integers in range are ignored. The atomic rungs add with
// atomics: atomicAdd on u32 for counts (exact), and for float sums a compare-and-swap loop on the bits
// (atomic<u32>), so the order of the additions (and the rounding of a sum) may vary from run to run.
// The naive rungs give each output one invocation that walks all the input in order (deterministic).

const WG: u32 = 256u;

struct Params {
  n: u32,        // elements (bincount) or rows (segment sums)
  inner: u32,    // elements per row
  segments: u32, // bins or segments
}

@group(0) @binding(0) var<uniform> p: Params;

fn valid_index(v: f32, limit: u32) -> bool {
  return v >= 0.0 && v < f32(limit) && floor(v) == v;
}

@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;

@compute @workgroup_size(WG)
fn bincount_atomic(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  let v = xs[i];
  if (valid_index(v, p.segments)) { atomicAdd(&counts[u32(v)], 1u); }
}

@group(0) @binding(1) var<storage, read_write> tally: array<u32>;

// Turns u32 counts into float32 values in place.
@compute @workgroup_size(WG)
fn counts_to_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.segments) { return; }
  tally[i] = bitcast<u32>(f32(tally[i]));
}

@group(0) @binding(2) var<storage, read_write> bins: array<f32>;

@compute @workgroup_size(WG)
fn bincount_naive(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flat_id(gid, nwg, WG);
  if (b >= p.segments) { return; }
  var c = 0u;
  for (var i = 0u; i < p.n; i++) {
    let v = xs[i];
    if (valid_index(v, p.segments) && u32(v) == b) { c++; }
  }
  bins[b] = f32(c);
}

@group(0) @binding(2) var<storage, read> ids: array<f32>;
@group(0) @binding(3) var<storage, read_write> acc: array<atomic<u32>>;

// One invocation per element of data (row j, column c): adds it to out(ids[j], c).
@compute @workgroup_size(WG)
fn segment_sum_atomic(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_id(gid, nwg, WG);
  if (e >= p.n * p.inner) { return; }
  let j = e / p.inner;
  let s = ids[j];
  if (!valid_index(s, p.segments)) { return; }
  let v = xs[e];
  let o = u32(s) * p.inner + e % p.inner;
  var old = atomicLoad(&acc[o]);
  loop {
    let r = atomicCompareExchangeWeak(&acc[o], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}

@group(0) @binding(3) var<storage, read_write> sums: array<f32>;

// One invocation per output (segment s, column c): walks the rows in order.
@compute @workgroup_size(WG)
fn segment_sum_naive(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = flat_id(gid, nwg, WG);
  if (o >= p.segments * p.inner) { return; }
  let s = f32(o / p.inner);
  let c = o % p.inner;
  var total = 0.0;
  for (var j = 0u; j < p.n; j++) {
    if (ids[j] == s) { total += xs[j * p.inner + c]; }
  }
  sums[o] = total;
}
