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

// (cos, sin) of 2*pi*u for u in [0, 1), to ~1e-7: WGSL's own cos/sin only promise an absolute error of
// 2^-11, which would make the GPU's normals differ from the CPU's in the fourth digit.
fn cos_sin_turn(u: f32) -> vec2<f32> {
  let v = u * 4.0;
  let q = floor(v + 0.5);
  let x = (v - q) * 1.5707963267948966; // in [-pi/4, pi/4]
  let x2 = x * x;
  let s = x * (1.0 + x2 * (-1.0 / 6.0 + x2 * (1.0 / 120.0 + x2 * (-1.0 / 5040.0 + x2 * (1.0 / 362880.0)))));
  let c = 1.0 + x2 * (-0.5 + x2 * (1.0 / 24.0 + x2 * (-1.0 / 720.0 + x2 * (1.0 / 40320.0))));
  // Rotate by q quarter turns.
  switch u32(q) % 4u {
    case 0u: { return vec2<f32>(c, s); }
    case 1u: { return vec2<f32>(-s, c); }
    case 2u: { return vec2<f32>(-c, -s); }
    default: { return vec2<f32>(s, -c); }
  }
}

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
    let r0 = sqrt(-2.0 * log(unit_open(bits.x)));
    let r1 = sqrt(-2.0 * log(unit_open(bits.z)));
    let t0 = cos_sin_turn(unit(bits.y));
    let t1 = cos_sin_turn(unit(bits.w));
    v = vec4<f32>(r0 * t0.x, r0 * t0.y, r1 * t1.x, r1 * t1.y);
  }
  for (var k = 0u; k < 4u; k++) {
    if (b * 4u + k < p.n) { out[b * 4u + k] = v[k]; }
  }
}

// Issue 9: scans, sorting, scatter
// Integers in [low, low + range): word i of the stream (block i / 4, lane i % 4) as floor(w * range / 2^32).
struct IntParams {
  n: u32,
  key_lo: u32,
  key_hi: u32,
  counter_lo: u32,
  counter_hi: u32,
  low: i32,
  range: u32,
}

@group(0) @binding(0) var<uniform> ip: IntParams;
@group(0) @binding(1) var<storage, read_write> ints: array<f32>;

@compute @workgroup_size(WG)
fn random_int(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flat_id(gid, nwg, WG);
  if (b * 4u >= ip.n) { return; }
  let lo = ip.counter_lo + b;
  let carry = select(0u, 1u, lo < b);
  let bits = philox(vec4<u32>(lo, ip.counter_hi + carry, 0u, 0u), vec2<u32>(ip.key_lo, ip.key_hi));
  for (var k = 0u; k < 4u; k++) {
    if (b * 4u + k < ip.n) { ints[b * 4u + k] = f32(ip.low + i32(mulhilo(bits[k], ip.range).x)); }
  }
}
