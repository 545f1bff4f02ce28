enable subgroups;
// Reductions over the middle axis of (outer, size, inner): sum, mean, max, min, argmax, argmin, prod.
// reduce_rows: one workgroup per output (or per chunk of a long row, then a second pass over the chunk
// results as (value, index) pairs), combined by a tree in workgroup memory or, where the adapter has
// them, by subgroup operations. reduce_cols: one thread per output, for short rows with many outputs.

override OP: u32 = 0u;           // REDUCE_OPS in backend.ts: 0 sum, 1 mean, 2 max, 3 min, 4 argmax, 5 argmin, 6 prod
override IN_PAIRS: bool = false;  // the input holds (value, index) pairs written by a first pass
override OUT_PAIRS: bool = false; // write (value, index) pairs for a second pass

const WG: u32 = 256u;
const NO_INDEX: u32 = 0xffffffffu;

struct Params {
  outer: u32,
  size: u32,
  inner: u32,
  chunk: u32,   // elements of a row per workgroup
  chunks: u32,  // workgroups per row
  scale: f32,   // applied to the final result of mean
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

struct Acc { v: f32, i: u32 }

fn identity() -> Acc {
  switch OP {
    case 2u, 4u: { return Acc(-inf_f32(), NO_INDEX); }
    case 3u, 5u: { return Acc(inf_f32(), NO_INDEX); }
    case 6u: { return Acc(1.0, NO_INDEX); }
    default: { return Acc(0.0, NO_INDEX); }
  }
}

// NaN wins max and min; for argmax/argmin ties (and NaNs) go to the lower index, as in NumPy.
fn combine(a: Acc, b: Acc) -> Acc {
  if (OP <= 1u) { return Acc(a.v + b.v, 0u); }
  if (OP == 6u) { return Acc(a.v * b.v, 0u); }
  let na = is_nan(a.v);
  let nb = is_nan(b.v);
  var take_b: bool;
  if (na != nb) {
    take_b = nb;
  } else if (na) {
    take_b = b.i < a.i;
  } else {
    if (OP == 2u || OP == 4u) { take_b = b.v > a.v; } else { take_b = b.v < a.v; }
    take_b = take_b || (b.v == a.v && b.i < a.i);
  }
  if (take_b) { return b; }
  return a;
}

fn load(o: u32, k: u32, ii: u32) -> Acc {
  let j = (o * p.size + k) * p.inner + ii;
  if (IN_PAIRS) { return Acc(src[2u * j], u32(src[2u * j + 1u])); }
  return Acc(src[j], k);
}

fn store(out_i: u32, chunk: u32, a: Acc) {
  if (OUT_PAIRS) {
    let w = out_i * p.chunks + chunk;
    dst[2u * w] = a.v;
    dst[2u * w + 1u] = f32(a.i);
  } else if (OP == 4u || OP == 5u) {
    dst[out_i] = f32(a.i);
  } else if (OP == 1u) {
    dst[out_i] = a.v * p.scale;
  } else {
    dst[out_i] = a.v;
  }
}

// This invocation's share of a row chunk, scanned in increasing index order.
fn thread_partial(w: u32, t: u32) -> Acc {
  let chunk = w % p.chunks;
  let out_i = w / p.chunks;
  let o = out_i / p.inner;
  let ii = out_i % p.inner;
  let start = chunk * p.chunk;
  let end = min(start + p.chunk, p.size);
  var acc = identity();
  for (var k = start + t; k < end; k += WG) {
    acc = combine(acc, load(o, k, ii));
  }
  return acc;
}

var<workgroup> tree_v: array<f32, WG>;
var<workgroup> tree_i: array<u32, WG>;

// Tree over tree_v/tree_i[0..count), count a power of two; the result ends in slot 0.
fn tree_reduce(t: u32, count: u32) {
  for (var s = count / 2u; s > 0u; s = s / 2u) {
    if (t < s) {
      let r = combine(Acc(tree_v[t], tree_i[t]), Acc(tree_v[t + s], tree_i[t + s]));
      tree_v[t] = r.v;
      tree_i[t] = r.i;
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn reduce_rows(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let w = wid.x + wid.y * nwg.x;
  if (w >= p.outer * p.inner * p.chunks) { return; }
  let acc = thread_partial(w, lid.x);
  tree_v[lid.x] = acc.v;
  tree_i[lid.x] = acc.i;
  workgroupBarrier();
  tree_reduce(lid.x, WG);
  if (lid.x == 0u) { store(w / p.chunks, w % p.chunks, Acc(tree_v[0], tree_i[0])); }
}

// subgroups:begin
var<workgroup> sg_count: atomic<u32>;

fn subgroup_combine(v: f32) -> f32 {
  if (OP <= 1u) { return subgroupAdd(v); }
  let any_nan = subgroupAny(is_nan(v));
  var r: f32;
  if (OP == 2u) { r = subgroupMax(v); } else { r = subgroupMin(v); }
  return select(r, nan_f32(), any_nan);
}

// sum, mean, max and min: each subgroup combines its values in registers; one value per subgroup then
// goes through the workgroup tree, so the tree is WG / subgroup_size wide instead of WG.
@compute @workgroup_size(WG)
fn reduce_rows_sg(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(subgroup_invocation_id) sid: u32,
) {
  let w = wid.x + wid.y * nwg.x;
  if (w >= p.outer * p.inner * p.chunks) { return; }
  tree_v[lid.x] = identity().v;
  tree_i[lid.x] = NO_INDEX;
  if (lid.x == 0u) { atomicStore(&sg_count, 0u); }
  workgroupBarrier();
  let v = subgroup_combine(thread_partial(w, lid.x).v);
  if (sid == 0u) {
    // Subgroups are not promised to be laid out in order, so each takes the next free slot.
    let slot = atomicAdd(&sg_count, 1u);
    tree_v[slot] = v;
  }
  let n = workgroupUniformLoad(&sg_count);
  var width = 1u;
  while (width < n) { width = width * 2u; }
  tree_reduce(lid.x, width);
  if (lid.x == 0u) { store(w / p.chunks, w % p.chunks, Acc(tree_v[0], tree_i[0])); }
}
// subgroups:end

// One invocation per output (or per chunk of a row): adjacent invocations read adjacent `inner` elements,
// so loads coalesce, and there is no barrier, which software adapters need (see kernels/reduce.ts).
@compute @workgroup_size(WG)
fn reduce_cols(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = flat_id(gid, nwg, WG);
  if (w >= p.outer * p.inner * p.chunks) { return; }
  let chunk = w % p.chunks;
  let out_i = w / p.chunks;
  let o = out_i / p.inner;
  let ii = out_i % p.inner;
  let start = chunk * p.chunk;
  let end = min(start + p.chunk, p.size);
  var acc = identity();
  for (var k = start; k < end; k++) {
    acc = combine(acc, load(o, k, ii));
  }
  store(out_i, chunk, acc);
}
