// Special functions in float32: lgamma, digamma, trigamma, erfc, erfinv, erfcinv, the regularised incomplete
// gamma functions P and Q, and the regularised incomplete beta function; elementwise with broadcasting.
// Appended to elementwise.wgsl (its parameters, bindings, offsets() and helpers: log1p_f32, log_normal,
// sin_f32, erf_f32). The float64 twins, the meaning these must match, are in src/special/scalar.ts.

// Which function: the codes follow SPECIAL_OPS in src/backends/backend.ts.
override SPECIAL_OP: u32 = 0u;

const EULER_GAMMA: f32 = 0.57721566490153286;
const LOG_SQRT_2PI: f32 = 0.91893853320467274;
const SQRT_PI: f32 = 1.7724538509055160;
const TWO_PI: f32 = 6.2831853071795865;

// log of a positive finite number to a few ulps (log_normal) also below the normal range, where drivers
// may flush: x 2^64 is normal for any positive float32.
fn log_pos(x: f32) -> f32 {
  if (x < 1.1754944e-38) { return log_normal(x * 18446744073709551616.0) - 44.361419555836500; }
  return log_normal(x);
}

// lgamma(2 + z) for |z| <= 1/2: (1 - gamma) z + sum_k (zeta(k) - 1) (-z)^k / k, k = 2..14 (the terms fall
// as 4^-k, truncation below 3e-10).
fn lgamma2p(z: f32) -> f32 {
  var s = 4.3748667899074878e-6;
  s = 9.4394882752683959e-6 - z * s;
  s = 2.0507212775670692e-5 - z * s;
  s = 4.4926236738133142e-5 - z * s;
  s = 9.9457512781808534e-5 - z * s;
  s = 2.2315475845357938e-4 - z * s;
  s = 5.0966952474304242e-4 - z * s;
  s = 1.1927539117032610e-3 - z * s;
  s = 2.8905103307415233e-3 - z * s;
  s = 7.3855510286739853e-3 - z * s;
  s = 2.0580808427784548e-2 - z * s;
  s = 6.7352301053198095e-2 - z * s;
  s = 3.2246703342411322e-1 - z * s;
  return (1.0 - EULER_GAMMA) * z + z * z * s;
}

// The Stirling correction lgamma(x) - [(x - 1/2) log x - x + log sqrt(2 pi)] for x >= 8 (error < 1e-10).
fn stirling_corr(x: f32) -> f32 {
  let r = 1.0 / x;
  let r2 = r * r;
  return r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0)));
}

// log|Gamma(x)|: Taylor series around 1 and 2 where lgamma crosses 0 (relative accuracy kept there), the
// recurrence down to [1.5, 2.5) below 8, Stirling's series from 8, reflection for x < 0. +Inf at the poles.
fn lgamma_pos(x: f32) -> f32 {
  if (x < 0.5) { return lgamma2p(x) - log1p_f32(x) - log_pos(x); }
  if (x < 1.5) {
    let z = x - 1.0;
    return lgamma2p(z) - log1p_f32(z);
  }
  if (x < 2.5) { return lgamma2p(x - 2.0); }
  if (x < 8.0) {
    var y = x;
    var prod = 1.0;
    while (y >= 2.5) {
      y = y - 1.0;
      prod = prod * y;
    }
    return log_normal(prod) + lgamma2p(y - 2.0);
  }
  if (!is_finite(x)) { return x; }
  return (x - 0.5) * log_normal(x) - x + LOG_SQRT_2PI + stirling_corr(x);
}

// sin(pi x) from x = n + r with r in [-1/2, 1/2] (exact): (-1)^n sin(pi r), so near a pole the small
// sin keeps its relative accuracy.
fn sin_pi(x: f32) -> f32 {
  let n = round(x);
  let s = sin_f32(PI * (x - n));
  return select(s, -s, n - 2.0 * floor(0.5 * n) != 0.0);
}

fn lgamma_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 0.0) { return lgamma_pos(x); }
  if (floor(x) == x) { return inf_f32(); } // 0, the negative integers, -Inf
  // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
  return log_pos(PI / abs(sin_pi(x))) - lgamma_pos(1.0 - x);
}

// digamma: the recurrence psi(x) = psi(x + 1) - 1/x up to x >= 6, then the asymptotic series; reflection
// psi(1 - x) - psi(x) = pi / tan(pi x) below 0. Near its root 1.4616 the error is a few 1e-7 absolute.
fn digamma_pos(x: f32) -> f32 {
  var y = x;
  var shift = 0.0;
  while (y < 6.0) {
    shift = shift + 1.0 / y;
    y = y + 1.0;
  }
  let r2 = 1.0 / (y * y);
  let series = r2 * (1.0 / 12.0 - r2 * (1.0 / 120.0 - r2 * (1.0 / 252.0 - r2 * (1.0 / 240.0))));
  return log_normal(y) - 0.5 / y - series - shift;
}

fn digamma_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x == 0.0) { return -inf_f32(); }
  if (x > 0.0) {
    if (!is_finite(x)) { return x; }
    return digamma_pos(x);
  }
  if (floor(x) == x) { return nan_f32(); }
  let r = x - round(x);
  return digamma_pos(1.0 - x) - PI * cos_f32(PI * r) / sin_f32(PI * r);
}

// trigamma: psi'(x) = psi'(x + 1) + 1/x^2 up to x >= 6, then 1/y + 1/(2y^2) + sum B_2k / y^(2k+1);
// reflection psi'(1 - x) + psi'(x) = pi^2 / sin^2(pi x).
fn trigamma_pos(x: f32) -> f32 {
  var y = x;
  var shift = 0.0;
  while (y < 6.0) {
    shift = shift + 1.0 / (y * y);
    y = y + 1.0;
  }
  let r = 1.0 / y;
  let r2 = r * r;
  let series = r * (1.0 + r * (0.5 + r * (1.0 / 6.0 - r2 * (1.0 / 30.0 - r2 * (1.0 / 42.0 - r2 * (1.0 / 30.0))))));
  return series + shift;
}

fn trigamma_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 0.0) {
    if (!is_finite(x)) { return 0.0; }
    return trigamma_pos(x);
  }
  if (floor(x) == x) { return inf_f32(); }
  let s = sin_pi(x);
  return PI * PI / (s * s) - trigamma_pos(1.0 - x);
}

// erfc(a) for a >= 0 with relative accuracy in the tail: erf_f32's own Chebyshev fit (elementwise.wgsl) from
// 0.5 on, 1 - erf below.
fn erfc_pos(a: f32) -> f32 {
  if (a < 0.5) { return 1.0 - erf_f32(a); }
  return erfc_cheb(a);
}

fn erfc_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x < 0.0) { return 2.0 - erfc_pos(-x); }
  if (x > 10.1) { return 0.0; } // erfc(10.1) < 1e-45, the smallest float32
  return erfc_pos(x);
}

// A start for erfinv within ~2e-3 relative (Winitzki's closed form) from log(1 - y^2) = log(q (2 - q)).
fn erfinv_guess(log_one_minus_y2: f32) -> f32 {
  let a = 0.147;
  let t = 2.0 / (PI * a) + 0.5 * log_one_minus_y2;
  return sqrt(sqrt(t * t - log_one_minus_y2 / a) - t);
}

// Solves erfc(x) = q for 0 < q <= 1/2 by three Halley steps (f' = -2/sqrt(pi) e^(-x^2), f'' = -2x f', so a
// step is f / (f' + x f)): cubic convergence takes the guess's 2e-3 below float32 rounding.
fn erfcinv_small(q: f32) -> f32 {
  var x = erfinv_guess(log_pos(q) + log_normal(2.0 - q));
  for (var i = 0; i < 3; i++) {
    let f = erfc_pos(x) - q;
    let fp = -2.0 / SQRT_PI * exp(-x * x);
    x = x - f / (fp + x * f);
  }
  return x;
}

fn erfinv_f32(y: f32) -> f32 {
  if (is_nan(y) || y < -1.0 || y > 1.0) { return nan_f32(); }
  if (abs(y) == 1.0) { return copy_sign(inf_f32(), y); }
  if (y == 0.0) { return y; }
  let ay = abs(y);
  if (ay > 0.5) { return copy_sign(erfcinv_small(1.0 - ay), y); }
  var x = erfinv_guess(log1p_f32(-ay * ay));
  for (var i = 0; i < 3; i++) {
    let f = erf_f32(x) - ay;
    let fp = 2.0 / SQRT_PI * exp(-x * x);
    x = x - f / (fp + x * f);
  }
  return copy_sign(x, y);
}

fn erfcinv_f32(q: f32) -> f32 {
  if (is_nan(q) || q < 0.0 || q > 2.0) { return nan_f32(); }
  if (q == 0.0) { return inf_f32(); }
  if (q == 2.0) { return -inf_f32(); }
  if (q <= 0.5) { return erfcinv_small(q); }
  if (q >= 1.5) { return -erfcinv_small(2.0 - q); }
  return erfinv_f32(1.0 - q); // exact for q in [0.5, 1.5]
}

// log(1 + d) - d, accurate near 0: -d^2 / (2 + d) + 2 (u^3/3 + u^5/5 + ...) with u = d / (2 + d).
fn log1pmx_f32(d: f32) -> f32 {
  let u = d / (2.0 + d);
  let u2 = u * u;
  let s = u2 * u * (2.0 / 3.0 + u2 * (2.0 / 5.0 + u2 * (2.0 / 7.0 + u2 * (2.0 / 9.0 + u2 * (2.0 / 11.0)))));
  return -d * d / (2.0 + d) + s;
}

// log(1 + d) - d given r = 1 + d and d, each formed directly by the caller.
fn log1pmx_of(r: f32, d: f32) -> f32 {
  if (abs(d) > 0.3) { return log_pos(r) - d; }
  return log1pmx_f32(d);
}

// x^a e^-x / Gamma(a); for a >= 8 in Stirling's form, free of the cancellation of a log x - x - lgamma(a).
fn gamma_prefix(a: f32, x: f32) -> f32 {
  if (a < 8.0) { return exp(a * log_pos(x) - x - lgamma_pos(a)); }
  return sqrt(a / TWO_PI) * exp(a * log1pmx_of(x / a, (x - a) / a) - stirling_corr(a));
}

const MAX_ITER: i32 = 4096;
const EPS32: f32 = 1.1920929e-7;

// (P(a, x), Q(a, x)): the series for P below x = a + 1, the continued fraction for Q (modified Lentz)
// above; each computed directly where it is the smaller. Iterations grow as sqrt(a) near x = a.
fn igamma_pair(a: f32, x: f32) -> vec2<f32> {
  if (is_nan(a) || is_nan(x) || a < 0.0 || x < 0.0) { return vec2<f32>(nan_f32()); }
  if (a == 0.0) {
    if (x > 0.0) { return vec2<f32>(1.0, 0.0); }
    return vec2<f32>(nan_f32());
  }
  if (x == 0.0) { return vec2<f32>(0.0, 1.0); }
  if (!is_finite(x)) { return vec2<f32>(1.0, 0.0); }
  if (!is_finite(a)) { return vec2<f32>(0.0, 1.0); }
  if (x < a + 1.0) {
    var term = 1.0;
    var sum = 1.0;
    for (var n = 1; n < MAX_ITER; n++) {
      term = term * x / (a + f32(n));
      sum = sum + term;
      if (term <= sum * 1e-8) { break; }
    }
    let p = gamma_prefix(a, x) / a * sum;
    return vec2<f32>(p, 1.0 - p);
  }
  let tiny = 1e-30;
  var b = x + 1.0 - a;
  var c = 1.0 / tiny;
  var d = 1.0 / b;
  var h = d;
  for (var i = 1; i < MAX_ITER; i++) {
    let fi = f32(i);
    let an = -fi * (fi - a);
    b = b + 2.0;
    d = an * d + b;
    if (abs(d) < tiny) { d = tiny; }
    c = b + an / c;
    if (abs(c) < tiny) { c = tiny; }
    d = 1.0 / d;
    let delta = d * c;
    h = h * delta;
    if (abs(delta - 1.0) <= EPS32) { break; }
  }
  let q = gamma_prefix(a, x) * h;
  return vec2<f32>(1.0 - q, q);
}

// lgamma(a) - lgamma(a + b) for a >= 8 by Stirling's series, without the cancellation of two large lgammas.
fn lgamma_difference(a: f32, b: f32) -> f32 {
  let r = b / a;
  return -a * log1pmx_of(1.0 + r, r) + 0.5 * log1p_f32(r) - b * log_normal(a + b) + stirling_corr(a) -
    stirling_corr(a + b);
}

fn lbeta_f32(a: f32, b: f32) -> f32 {
  let big = max(a, b);
  let small = min(a, b);
  if (big < 8.0) { return lgamma_pos(a) + lgamma_pos(b) - lgamma_pos(a + b); }
  return lgamma_pos(small) + lgamma_difference(big, small);
}

// x^a y^b / B(a, b) with y = 1 - x; for a, b >= 8 in Stirling's form (as src/special/scalar.ts).
fn beta_prefix(a: f32, b: f32, x: f32, y: f32) -> f32 {
  if (min(a, b) >= 8.0) {
    let c = a + b;
    let e = x * b - y * a;
    return sqrt(a * b / (TWO_PI * c)) *
      exp(a * log1pmx_of(x * c / a, e / a) + b * log1pmx_of(y * c / b, -e / b) + stirling_corr(c) -
        stirling_corr(a) - stirling_corr(b));
  }
  let lx = select(log1p_f32(-y), log_pos(x), x < 0.5);
  let ly = select(log1p_f32(-x), log_pos(y), y < 0.5);
  return exp(a * lx + b * ly - lbeta_f32(a, b));
}

// Lentz's factors kept as deviations from 1 (see betaFraction in src/special/scalar.ts).
struct Lentz {
  cc: f32,
  dd: f32,
}

fn lentz_step(s: ptr<function, Lentz>, coefficient: f32) -> f32 {
  let tiny = 1e-30;
  let c = 1.0 + (*s).cc;
  (*s).cc = coefficient / select(c, tiny, abs(c) < tiny);
  let d_old = 1.0 + (*s).dd;
  var den = 1.0 + coefficient * d_old;
  if (abs(den) < tiny) { den = tiny; }
  (*s).dd = -coefficient * d_old / den;
  return (*s).dd + (*s).cc + (*s).dd * (*s).cc;
}

// The continued fraction of I_x(a, b) (DLMF 8.17.22) times a, for x < (a + 1) / (a + b + 2).
fn beta_fraction(a: f32, b: f32, x: f32, y: f32) -> f32 {
  let first = -(a + b) * x / (a + 1.0);
  let one_plus_first = (1.0 - b * x + a * y) / (a + 1.0);
  var s = Lentz(0.0, -first / one_plus_first);
  var log_h = -log_pos(one_plus_first);
  var quiet = 0;
  for (var m = 1; m < MAX_ITER; m++) {
    let fm = f32(m);
    let m2 = 2.0 * fm;
    let even = lentz_step(&s, fm * (b - fm) * x / ((a + m2 - 1.0) * (a + m2)));
    let odd = lentz_step(&s, -(a + fm) * (a + b + fm) * x / ((a + m2) * (a + m2 + 1.0)));
    log_h = log_h + log1p_f32(even) + log1p_f32(odd);
    if (abs(even) + abs(odd) <= 1e-8) { quiet = quiet + 1; } else { quiet = 0; }
    if (quiet >= 2) { break; }
  }
  return exp(log_h);
}

fn ibeta_f32(a: f32, b: f32, x: f32) -> f32 {
  if (is_nan(a) || is_nan(b) || is_nan(x) || a < 0.0 || b < 0.0 || x < 0.0 || x > 1.0) { return nan_f32(); }
  if (a == 0.0 && b == 0.0) { return nan_f32(); }
  if (a == 0.0) { return 1.0; }
  if (b == 0.0 || x == 0.0) { return 0.0; }
  if (x == 1.0) { return 1.0; }
  let y = 1.0 - x;
  if (x < (a + 1.0) / (a + b + 2.0)) { return beta_prefix(a, b, x, y) / a * beta_fraction(a, b, x, y); }
  return 1.0 - beta_prefix(b, a, y, x) / b * beta_fraction(b, a, y, x);
}

fn special_fn(u: f32, v: f32, w: f32) -> f32 {
  switch SPECIAL_OP {
    case 0u: { return lgamma_f32(u); }
    case 1u: { return digamma_f32(u); }
    case 2u: { return trigamma_f32(u); }
    case 3u: { return erfinv_f32(u); }
    case 4u: { return erfc_f32(u); }
    case 5u: { return erfcinv_f32(u); }
    case 6u: { return igamma_pair(u, v).x; }
    case 7u: { return igamma_pair(u, v).y; }
    default: { return ibeta_f32(u, v, w); }
  }
}

@compute @workgroup_size(WG)
fn special1(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  var j = i;
  if (!CONTIGUOUS) { j = offsets(i).x; }
  out1[i] = special_fn(x0[j], 0.0, 0.0);
}

@compute @workgroup_size(WG)
fn special2(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  var o = vec3<u32>(i);
  if (!CONTIGUOUS) { o = offsets(i); }
  let a = operand(0u, p.c0, x0[min(o.x, arrayLength(&x0) - 1u)]);
  let b = operand(1u, p.c1, x1[min(o.y, arrayLength(&x1) - 1u)]);
  out2[i] = special_fn(a, b, 0.0);
}

@compute @workgroup_size(WG)
fn special3(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  var o = vec3<u32>(i);
  if (!CONTIGUOUS) { o = offsets(i); }
  let a = operand(0u, p.c0, x0[min(o.x, arrayLength(&x0) - 1u)]);
  let b = operand(1u, p.c1, x1[min(o.y, arrayLength(&x1) - 1u)]);
  let c = operand(2u, p.c2, x2[min(o.z, arrayLength(&x2) - 1u)]);
  out3[i] = special_fn(a, b, c);
}
