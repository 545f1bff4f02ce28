// Philox4x32-10, a counter-based generator: block b of a stream is philox(counter + b, key), four u32s.
// src/random.ts computes the same function on the CPU, so both backends draw the same numbers.

const WG: u32 = 64u;
// 0 = uniform in [0, 1), 1 = standard normal (Box-Muller on pairs).
override DIST: u32 = 0u;

struct Params {
  n: u32,
  key_lo: u32,
  key_hi: u32,
  counter_lo: u32,
  counter_hi: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

// The 64-bit product of two u32s as (hi, lo), built from 16-bit halves (WGSL has no 64-bit integers).
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let ll = a_lo * b_lo;
  let lh = a_lo * b_hi;
  let hl = a_hi * b_lo;
  let hh = a_hi * b_hi;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  let hi = hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
  return vec2<u32>(hi, a * b);
}

fn philox(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mulhilo(0xd2511f53u, c.x);
    let p1 = mulhilo(0xcd9e8d57u, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return c;
}

fn unit(u: u32) -> f32 { return f32(u >> 8u) * (1.0 / 16777216.0); }
fn unit_open(u: u32) -> f32 { return f32((u >> 8u) + 1u) * (1.0 / 16777216.0); }

@compute @workgroup_size(WG)
fn random_fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flat_id(gid, nwg, WG);
  if (b * 4u >= p.n) { return; }
  let lo = p.counter_lo + b;
  let carry = select(0u, 1u, lo < b);
  let bits = philox(vec4<u32>(lo, p.counter_hi + carry, 0u, 0u), vec2<u32>(p.key_lo, p.key_hi));
  var v: vec4<f32>;
  if (DIST == 0u) {
    v = vec4<f32>(unit(bits.x), unit(bits.y), unit(bits.z), unit(bits.w));
  } else {
    let two_pi = 6.283185307179586;
    let r0 = sqrt(-2.0 * log(unit_open(bits.x)));
    let r1 = sqrt(-2.0 * log(unit_open(bits.z)));
    let t0 = two_pi * unit(bits.y);
    let t1 = two_pi * unit(bits.w);
    v = vec4<f32>(r0 * cos(t0), r0 * sin(t0), r1 * cos(t1), r1 * sin(t1));
  }
  for (var k = 0u; k < 4u; k++) {
    if (b * 4u + k < p.n) { out[b * 4u + k] = v[k]; }
  }
}
