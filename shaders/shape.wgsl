// Strided copies for slice, flip, pad and concat: dst[dst_offset + idx . dst_strides] =
// src[src_offset + idx . src_strides] for every multi-index idx of a shape. Strides are signed (a flip
// walks backwards), so offsets are computed in i32; elements stay below 2^31 (buffers are under 8 GiB).

// The number of (collapsed) axes: a constant, so the index steps below unroll (see elementwise.wgsl).
override RANK: u32 = 1u;

const WG: u32 = 256u;

struct Params {
  n: u32,
  src_offset: u32,
  dst_offset: u32,
  shape: array<vec4<u32>, 2>,
  src_strides: array<vec4<i32>, 2>,
  dst_strides: array<vec4<i32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

// Peels axis `ax` off the running index: adds that axis' coordinate times each side's stride.
fn peel(ax: u32, rem: ptr<function, u32>, o: ptr<function, vec2<i32>>) {
  let v = ax / 4u;
  let l = ax % 4u;
  let d = p.shape[v][l];
  let c = *rem % d;
  *rem = *rem / d;
  *o += i32(c) * vec2<i32>(p.src_strides[v][l], p.dst_strides[v][l]);
}

@compute @workgroup_size(WG)
fn strided_copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  var rem = i;
  var o = vec2<i32>(i32(p.src_offset), i32(p.dst_offset));
  if (RANK > 0u) { peel(RANK - 1u, &rem, &o); }
  if (RANK > 1u) { peel(RANK - 2u, &rem, &o); }
  if (RANK > 2u) { peel(RANK - 3u, &rem, &o); }
  if (RANK > 3u) { peel(RANK - 4u, &rem, &o); }
  if (RANK > 4u) { peel(RANK - 5u, &rem, &o); }
  if (RANK > 5u) { peel(RANK - 6u, &rem, &o); }
  if (RANK > 6u) { peel(RANK - 7u, &rem, &o); }
  if (RANK > 7u) { peel(RANK - 8u, &rem, &o); }
  dst[u32(o.y)] = src[u32(o.x)];
}
