// Elementwise kernels: unary functions, NumPy-broadcasting binary ops, where, and strided copies
// (transpose, broadcastTo). OP picks the function; the codes follow UNARY_OPS / BINARY_OPS in backend.ts.

override OP: u32 = 0u;
// How operands are addressed: 0 = through strides (broadcasting), 1 = all contiguous, same index.
override CONTIGUOUS: bool = false;
// Which operands of a binary op / where are constants taken from the params (bit k = operand k).
override CONST_MASK: u32 = 0u;
// The number of (collapsed) axes of a strided op: a constant, so the index loop has a fixed trip count
// that compilers can unroll (a loop bounded by a uniform cost ~10x on a software adapter).
override RANK: u32 = 1u;

const WG: u32 = 256u;
const MAX_RANK: u32 = 8u;

struct Params {
  n: u32,
  rank: u32,
  c0: f32,
  c1: f32,
  c2: f32,
  shape: array<vec4<u32>, 2>,
  s0: array<vec4<u32>, 2>,
  s1: array<vec4<u32>, 2>,
  s2: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;

fn unary_fn(x: f32) -> f32 {
  if (is_nan(x)) { return x; } // every unary function maps NaN to NaN; not every driver's exp does
  switch OP {
    case 0u: { return -x; }
    case 1u: { return abs(x); }
    case 2u: { return exp(x); }
    case 3u: { return log_ieee(x); }
    case 4u: { return select(sqrt(x), nan_f32(), x < 0.0); }
    case 5u: { return x * x; }
    case 6u: {
      // tanh(x) = sign(x) (1 - e) / (1 + e) with e = exp(-2|x|): no overflow for large |x|.
      if (is_nan(x)) { return x; }
      let e = exp(-2.0 * abs(x));
      return sign(x) * (1.0 - e) / (1.0 + e);
    }
    case 7u: {
      if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
      let e = exp(x);
      return e / (1.0 + e);
    }
    case 8u: { return select(select(0.0, x, x > 0.0), x, is_nan(x)); }
    case 10u: {
      // softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^-|x|); below -15, e^x alone (log(1 + t) ~ t).
      if (x < -15.0) { return exp(x); }
      return max(x, 0.0) + log(1.0 + exp(-abs(x)));
    }
    case 11u: { return sin_f32(x); }
    case 12u: { return cos_f32(x); }
    case 13u: { return sin_f32(x) / cos_f32(x); }
    case 14u: { return asin_f32(x); }
    case 15u: { return acos_f32(x); }
    case 16u: { return atan_f32(x); }
    case 17u: { return sinh_f32(x); }
    case 18u: { return cosh_f32(x); }
    case 19u: { return floor(x); }
    case 20u: { return ceil(x); }
    case 21u: { return rint_f32(x); }
    case 22u: { return sign(x); }
    case 23u: { return log1p_f32(x); }
    case 24u: { return expm1_f32(x); }
    case 25u: { return erf_f32(x); }
    case 26u: { return 1.0 / x; }
    case 27u: { return rsqrt_f32(x); }
    default: { return x; } // 9: copy
  }
}

// Special functions WGSL lacks, or whose WGSL accuracy bounds are loose (the spec allows log an absolute
// error of 2^-21 near 1 and atan 4096 ulp), written so every driver computes them to a few float32 ulps.
// Their float64 twins are in src/backends/cpu/elementwise.ts.

const PI: f32 = 3.14159265358979323846;
const HALF_PI: f32 = 1.57079632679489661923;
const QUARTER_PI: f32 = 0.78539816339744830962;
// ln 2 split in two (Cody and Waite): e * LN2_HI is exact for |e| < 2^15, LN2_LO carries the rest.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

// sin and cos (Cephes' sinf and cosf, S. L. Moshier): |x| = j pi/4 + r with j even and |r| <= pi/4, pi/4
// in three parts (Cody and Waite) whose products with j are exact for j < 2^13; then a degree-7 odd
// polynomial for sin r or a degree-8 even one for cos r. A few ulps for |x| < 8192; beyond, the reduced
// argument loses bits gradually (float32 values that large are a few ulp of pi apart anyway).
// (WGSL's builtins are allowed 2^-11 absolute error, and SwiftShader's err by 5e-5.)
struct Octant {
  r: f32,
  j: u32, // 0, 2, 4 or 6: which multiple of pi/4 (mod 2 pi) was taken off
}

fn reduce_octant(a: f32) -> Octant {
  var y = floor(a * 1.27323954473516268615); // 4 / pi
  y = y + (y - 2.0 * floor(0.5 * y)); // round up to even
  let r = ((a - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  return Octant(r, u32(y - 8.0 * floor(0.125 * y)));
}

fn sin_poly(r: f32) -> f32 {
  let z = r * r;
  return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
}

fn cos_poly(r: f32) -> f32 {
  let z = r * r;
  return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
}

fn sin_f32(x: f32) -> f32 {
  if (!is_finite(x)) { return nan_f32(); }
  let o = reduce_octant(abs(x));
  var v: f32;
  switch o.j {
    case 0u: { v = sin_poly(o.r); }
    case 2u: { v = cos_poly(o.r); }
    case 4u: { v = -sin_poly(o.r); }
    default: { v = -cos_poly(o.r); }
  }
  return select(v, -v, x < 0.0);
}

fn cos_f32(x: f32) -> f32 {
  if (!is_finite(x)) { return nan_f32(); }
  let o = reduce_octant(abs(x));
  switch o.j {
    case 0u: { return cos_poly(o.r); }
    case 2u: { return -sin_poly(o.r); }
    case 4u: { return -cos_poly(o.r); }
    default: { return sin_poly(o.r); }
  }
}

fn sign_bit(x: f32) -> bool { return (bitcast<u32>(x) & 0x80000000u) != 0u; }
fn copy_sign(v: f32, s: f32) -> f32 { return select(abs(v), -abs(v), sign_bit(s)); }

// arctan of t >= 0 (Cephes' atanf, S. L. Moshier: reduction to |t| <= tan(pi/8) by the identities
// atan t = pi/2 - atan(1/t) and pi/4 + atan((t-1)/(t+1)), then a degree-9 odd polynomial; relative
// error below 2e-7).
fn atan_pos(t: f32) -> f32 {
  var base = 0.0;
  var u = t;
  if (t > 2.414213562373095) {
    base = HALF_PI;
    u = -1.0 / t;
  } else if (t > 0.4142135623730950) {
    base = QUARTER_PI;
    u = (t - 1.0) / (t + 1.0);
  }
  let z = u * u;
  let poly = (((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1);
  return base + (poly * z * u + u);
}

fn atan_f32(x: f32) -> f32 { return copy_sign(atan_pos(abs(x)), x); }

// atan2(y, x) with the IEEE (C, JavaScript) meaning at zeros and infinities: the angle of the point (x, y).
fn atan2_f32(y: f32, x: f32) -> f32 {
  if (is_nan(x) || is_nan(y)) { return nan_f32(); }
  let x_inf = !is_finite(x);
  let y_inf = !is_finite(y);
  if (y == 0.0 && !x_inf) {
    // +-0 when x is +0 or positive, +-pi when x is -0 or negative.
    if (x > 0.0 || (x == 0.0 && !sign_bit(x))) { return y; }
    return copy_sign(PI, y);
  }
  if (x_inf) {
    if (y_inf) { return copy_sign(select(3.0 * QUARTER_PI, QUARTER_PI, x > 0.0), y); }
    return copy_sign(select(PI, 0.0, x > 0.0), y);
  }
  if (y_inf || x == 0.0) { return copy_sign(HALF_PI, y); }
  let a = atan_pos(abs(y / x)); // y / x may overflow to Inf (atan = pi/2) or underflow to 0: both right
  return copy_sign(select(PI - a, a, x > 0.0), y);
}

// asin and acos through atan2, with 1 - x^2 as (1 - x)(1 + x): 1 - x is exact near 1, so acos(1 - e)
// keeps its relative accuracy (WGSL's builtins may lose it there).
fn asin_f32(x: f32) -> f32 {
  if (abs(x) > 1.0) { return nan_f32(); }
  return atan2_f32(x, sqrt((1.0 - x) * (1.0 + x)));
}

fn acos_f32(x: f32) -> f32 {
  if (abs(x) > 1.0) { return nan_f32(); }
  return atan2_f32(sqrt((1.0 - x) * (1.0 + x)), x);
}

// e^x - 1: for |x| < 0.5 the Taylor series to x^9/9! (truncation below 1.1e-8 relative); beyond, exp(x) - 1
// loses at most ~1.3 bits to the subtraction (e^x / (e^x - 1) <= 2.6 there).
fn expm1_f32(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    let p = 1.0 + x / 9.0;
    let p8 = 1.0 + x / 8.0 * p;
    let p7 = 1.0 + x / 7.0 * p8;
    let p6 = 1.0 + x / 6.0 * p7;
    let p5 = 1.0 + x / 5.0 * p6;
    let p4 = 1.0 + x / 4.0 * p5;
    let p3 = 1.0 + x / 3.0 * p4;
    let p2 = 1.0 + x / 2.0 * p3;
    return x * p2;
  }
  return exp(x) - 1.0;
}

// 2 atanh(s) = log((1 + s) / (1 - s)) for |s| <= 0.1716, as 2 (s + s^3/3 + ... + s^11/11) (truncation
// below 1e-10 relative).
fn atanh_series2(s: f32) -> f32 {
  let z = s * s;
  return 2.0 * s * (1.0 + z * (1.0 / 3.0 + z * (1.0 / 5.0 + z * (1.0 / 7.0 + z * (1.0 / 9.0 + z / 11.0)))));
}

// log of a positive, finite, normal u: u = m 2^e with m in [sqrt(1/2), sqrt(2)), log u = e ln 2 + log m,
// log m = 2 atanh((m - 1) / (m + 1)). m - 1 is exact (Sterbenz), so log m keeps its relative accuracy.
fn log_normal(u: f32) -> f32 {
  let bits = bitcast<u32>(u);
  var e = i32((bits >> 23u) & 0xffu) - 127;
  var m = bitcast<f32>((bits & 0x007fffffu) | 0x3f800000u); // [1, 2)
  if (m > 1.41421356) {
    m = m * 0.5;
    e = e + 1;
  }
  let f = m - 1.0;
  let fe = f32(e);
  return fe * LN2_HI + (atanh_series2(f / (2.0 + f)) + fe * LN2_LO);
}

// log(1 + x). Where 1 + x lies in [sqrt(1/2), sqrt(2)], straight from x as 2 atanh(x / (2 + x)), so the
// rounding of 1 + x never enters; elsewhere log(1 + x), whose magnitude >= 0.34 dwarfs that rounding (an
// error of at most 2^-24 / (1 + x), under 2e-7 relative). (The shorter log(u) - ((u - 1) - x) / u
// correction was tried and fails: a compiler may simplify (1 + x - 1) - x to 0, as SwiftShader does.)
fn log1p_f32(x: f32) -> f32 {
  if (x < -1.0) { return nan_f32(); }
  if (x == -1.0) { return -inf_f32(); }
  if (!is_finite(x)) { return x; }
  if (x > -0.29289321 && x < 0.41421356) { return atanh_series2(x / (2.0 + x)); }
  return log_normal(1.0 + x);
}

// sinh and cosh: through expm1 below 1 (no cancellation in e^x - e^-x), and as (e^(|x|/2) / 2) e^(|x|/2)
// above, which stays finite up to the float32 limit (|x| ~ 89.4) where e^|x| alone would overflow at 88.7.
fn sinh_f32(x: f32) -> f32 {
  let a = abs(x);
  if (a < 1.0) {
    let u = expm1_f32(a);
    return copy_sign(0.5 * (u + u / (u + 1.0)), x);
  }
  let t = exp(0.5 * a);
  return copy_sign((0.5 * t) * t - (0.5 / t) / t, x);
}

fn cosh_f32(x: f32) -> f32 {
  let t = exp(0.5 * abs(x));
  return (0.5 * t) * t + (0.5 / t) / t;
}

// erfc(a) for a >= 0 from the Chebyshev fit of Numerical Recipes (Press et al., 2nd ed., section 6.2,
// erfcc): relative error below 1.2e-7 for every a >= 0 (special.wgsl's erfc uses it too).
fn erfc_cheb(a: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * a);
  var p = 0.17087277;
  p = -0.82215223 + t * p;
  p = 1.48851587 + t * p;
  p = -1.13520398 + t * p;
  p = 0.27886807 + t * p;
  p = -0.18628806 + t * p;
  p = 0.09678418 + t * p;
  p = 0.37409196 + t * p;
  p = 1.00002368 + t * p;
  p = -1.26551223 + t * p;
  return t * exp(p - a * a);
}

// erf: below |x| = 1 its Maclaurin series 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)) to n = 11
// (truncation below 1e-10); above, 1 - erfc with erfc from the Chebyshev fit of Numerical Recipes
// (Press et al., 2nd ed., section 6.2, erfcc), whose relative error is below 1.2e-7 for every x >= 0.
// Error against the float64 erf: a few 1e-8 absolute (a few ulps of the float32 result).
fn erf_f32(x: f32) -> f32 {
  let a = abs(x);
  if (a < 1.0) {
    let z = x * x;
    var s = 1.0 / 918086400.0;
    s = 1.0 / 76204800.0 - z * s;
    s = 1.0 / 6894720.0 - z * s;
    s = 1.0 / 685440.0 - z * s;
    s = 1.0 / 75600.0 - z * s;
    s = 1.0 / 9360.0 - z * s;
    s = 1.0 / 1320.0 - z * s;
    s = 1.0 / 216.0 - z * s;
    s = 1.0 / 42.0 - z * s;
    s = 1.0 / 10.0 - z * s;
    s = 1.0 / 3.0 - z * s;
    s = 1.0 - z * s;
    return 1.1283791670955126 * x * s;
  }
  return copy_sign(1.0 - erfc_cheb(a), x);
}

// Round half to even (NumPy's rint): 0.5 -> 0, 1.5 -> 2, -2.5 -> -2. x - floor(x) is exact in float32.
fn rint_f32(x: f32) -> f32 {
  if (!is_finite(x)) { return x; }
  let f = floor(x);
  let d = x - f;
  if (d > 0.5) { return f + 1.0; }
  if (d < 0.5) { return f; }
  let odd = f - 2.0 * floor(0.5 * f) != 0.0;
  return select(f, f + 1.0, odd);
}

// 1 / sqrt(x) with IEEE meaning at the edges: +Inf at 0, 0 at +Inf, NaN below 0.
fn rsqrt_f32(x: f32) -> f32 {
  if (x < 0.0) { return nan_f32(); }
  if (x == 0.0) { return copy_sign(inf_f32(), x); }
  if (!is_finite(x)) { return 0.0; }
  return 1.0 / sqrt(x);
}

// x^y with IEEE pow's meaning for the cases learners meet: negative bases with integer exponents keep
// their sign by parity, non-integer exponents of negative bases give NaN, 0^negative gives +Inf.
fn pow_ieee(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (is_nan(x) || is_nan(y)) { return nan_f32(); }
  if (x == 0.0) { return select(0.0, inf_f32(), y < 0.0); }
  let r = exp2(y * log2(abs(x)));
  if (x > 0.0) { return r; }
  if (floor(y) != y) { return nan_f32(); }
  let odd = abs(y) < 16777216.0 && fract(y * 0.5) != 0.0;
  return select(r, -r, odd);
}

fn binary_fn(a: f32, b: f32) -> f32 {
  let unordered = is_nan(a) || is_nan(b);
  switch OP {
    case 0u: { return a + b; }
    case 1u: { return a - b; }
    case 2u: { return a * b; }
    case 3u: { return a / b; }
    case 4u: { return pow_ieee(a, b); }
    case 5u: { return select(max(a, b), nan_f32(), unordered); }
    case 6u: { return select(min(a, b), nan_f32(), unordered); }
    case 7u: { return select(0.0, 1.0, !unordered && a > b); }
    case 8u: { return select(0.0, 1.0, !unordered && a >= b); }
    case 9u: { return select(0.0, 1.0, !unordered && a < b); }
    case 10u: { return select(0.0, 1.0, !unordered && a <= b); }
    case 11u: { return select(0.0, 1.0, !unordered && a == b); }
    case 12u: { return select(0.0, 1.0, unordered || a != b); }
    case 13u: { return atan2_f32(a, b); }
    default: { return a; }
  }
}

// Peels axis `ax` off the running index: adds that axis' coordinate times each operand's stride.
fn peel_axis(ax: u32, rem: ptr<function, u32>, o: ptr<function, vec3<u32>>) {
  let v = ax / 4u;
  let l = ax % 4u;
  let d = p.shape[v][l];
  let c = *rem % d;
  *rem = *rem / d;
  *o += c * vec3<u32>(p.s0[v][l], p.s1[v][l], p.s2[v][l]);
}

// Element offsets of output index i in up to three strided operands. Straight-line code, one step per
// axis from the last: RANK is a pipeline constant, so the steps beyond it vanish and the axis indices
// are constants. (A loop here measured 4-5x slower on SwiftShader, which does not unroll it.)
fn offsets(i: u32) -> vec3<u32> {
  if (RANK == 2u) {
    // The most common broadcast (a matrix with a row or a column): one division.
    let cols = p.shape[0][1];
    let r = i / cols;
    let c = i - r * cols;
    return r * vec3<u32>(p.s0[0][0], p.s1[0][0], p.s2[0][0]) + c * vec3<u32>(p.s0[0][1], p.s1[0][1], p.s2[0][1]);
  }
  var rem = i;
  var o = vec3<u32>(0u);
  if (RANK > 0u) { peel_axis(RANK - 1u, &rem, &o); }
  if (RANK > 1u) { peel_axis(RANK - 2u, &rem, &o); }
  if (RANK > 2u) { peel_axis(RANK - 3u, &rem, &o); }
  if (RANK > 3u) { peel_axis(RANK - 4u, &rem, &o); }
  if (RANK > 4u) { peel_axis(RANK - 5u, &rem, &o); }
  if (RANK > 5u) { peel_axis(RANK - 6u, &rem, &o); }
  if (RANK > 6u) { peel_axis(RANK - 7u, &rem, &o); }
  if (RANK > 7u) { peel_axis(RANK - 8u, &rem, &o); }
  return o;
}

@group(0) @binding(1) var<storage, read> x0: array<f32>;
@group(0) @binding(2) var<storage, read_write> out1: array<f32>;

// Unary functions and strided copies: out1[i] = f(x0[offset(i)]).
@compute @workgroup_size(WG)
fn unary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  var j = i;
  if (!CONTIGUOUS) { j = offsets(i).x; }
  out1[i] = unary_fn(x0[j]);
}

@group(0) @binding(2) var<storage, read> x1: array<f32>;
@group(0) @binding(3) var<storage, read_write> out2: array<f32>;

fn operand(k: u32, c: f32, v: f32) -> f32 { return select(v, c, (CONST_MASK & (1u << k)) != 0u); }

@compute @workgroup_size(WG)
fn binary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  var o = vec3<u32>(i);
  if (!CONTIGUOUS) { o = offsets(i); }
  // A constant operand's buffer is a placeholder: clamp its index so the load stays in bounds.
  let a = operand(0u, p.c0, x0[min(o.x, arrayLength(&x0) - 1u)]);
  let b = operand(1u, p.c1, x1[min(o.y, arrayLength(&x1) - 1u)]);
  out2[i] = binary_fn(a, b);
}

@group(0) @binding(3) var<storage, read> x2: array<f32>;
@group(0) @binding(4) var<storage, read_write> out3: array<f32>;

@compute @workgroup_size(WG)
fn where_select(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  var o = vec3<u32>(i);
  if (!CONTIGUOUS) { o = offsets(i); }
  let c = operand(0u, p.c0, x0[min(o.x, arrayLength(&x0) - 1u)]);
  let a = operand(1u, p.c1, x1[min(o.y, arrayLength(&x1) - 1u)]);
  let b = operand(2u, p.c2, x2[min(o.z, arrayLength(&x2) - 1u)]);
  out3[i] = select(b, a, c != 0.0 || is_nan(c));
}
