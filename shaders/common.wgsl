// Helpers shared by every gradbox kernel; prepended to each shader module (see src/backends/webgpu/shaders.ts).
// NaN and infinity are made and tested through their bits: WGSL lets compilers assume they never occur in
// float arithmetic, so `x != x` is not a reliable NaN test.

var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;

fn nan_f32() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf_f32() -> f32 { return bitcast<f32>(INF_BITS); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }

// A flat invocation index over a 2-D grid of workgroups, for arrays longer than 65535 workgroups.
fn flat_id(gid: vec3<u32>, nwg: vec3<u32>, wg_size: u32) -> u32 {
  return gid.x + gid.y * nwg.x * wg_size;
}

// log with IEEE meaning at the edges: log(0) = -Inf, log(negative) = NaN, log(+Inf) = +Inf.
fn log_ieee(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan_f32(); }
  if (x == 0.0) { return -inf_f32(); }
  if (!is_finite(x)) { return x; }
  return log(x);
}

// exp that keeps NaN (some drivers' fast exp turns NaN into +Inf).
fn exp_ieee(x: f32) -> f32 { return select(exp(x), x, is_nan(x)); }
