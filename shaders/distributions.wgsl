// Samplers with a loop per element: Gamma (Marsaglia-Tsang), Poisson (inversion, PTRS), Binomial (inversion,
// BTRS), Categorical (binary search of a cdf row) and Multinomial (conditional binomials). Appended to
// random.wgsl (philox, unit, unit_open, cos_sin_turn, WG). Element i draws from its own Philox stream, the
// blocks (counter + i, 0, j, 0) for j = 0, 1, ..., so CPU and GPU consume the same words in the same order;
// src/backends/cpu/distributions.ts is the float64 twin and states the meaning.

// Which sampler: the codes follow SAMPLER_FAMILIES in src/backends/backend.ts.
override FAMILY: u32 = 0u;

const MAX_ROUNDS: i32 = 64;
const TAU: f32 = 6.2831853071795865;

struct SampleParams {
  n: u32,
  batch: u32,
  width: u32,
  key_lo: u32,
  key_hi: u32,
  counter_lo: u32,
  counter_hi: u32,
}

@group(0) @binding(0) var<uniform> sp: SampleParams;
@group(0) @binding(1) var<storage, read> param0: array<f32>;
@group(0) @binding(2) var<storage, read> param1: array<f32>;
@group(0) @binding(3) var<storage, read_write> samples: array<f32>;

// The element's stream: its counter block, the next j, and the block being read.
var<private> s_lo: u32;
var<private> s_hi: u32;
var<private> s_j: u32;
var<private> s_lane: u32;
var<private> s_bits: vec4<u32>;

fn stream_start(i: u32) {
  s_lo = sp.counter_lo + i;
  s_hi = sp.counter_hi + select(0u, 1u, s_lo < i);
  s_j = 0u;
  s_lane = 4u;
}

fn next_word() -> u32 {
  if (s_lane == 4u) {
    s_bits = philox(vec4<u32>(s_lo, s_hi, s_j, 0u), vec2<u32>(sp.key_lo, sp.key_hi));
    s_j = s_j + 1u;
    s_lane = 0u;
  }
  let w = s_bits[s_lane];
  s_lane = s_lane + 1u;
  return w;
}

fn next_unit() -> f32 { return unit(next_word()); }
fn next_unit_open() -> f32 { return unit_open(next_word()); }

// Box-Muller: the radius from the first word, the angle from the second.
fn next_normal() -> f32 {
  let r = sqrt(-2.0 * log(next_unit_open()));
  return r * cos_sin_turn(next_unit()).x;
}


// Gamma(alpha, 1) by Marsaglia and Tsang; alpha < 1 through Gamma(alpha + 1) U^(1/alpha).
fn sample_gamma(alpha: f32) -> f32 {
  if (!(alpha > 0.0)) { return nan_f32(); }
  if (!is_finite(alpha)) { return alpha; }
  let a = select(alpha, alpha + 1.0, alpha < 1.0);
  let d = a - 1.0 / 3.0;
  let c = 1.0 / sqrt(9.0 * d);
  for (var round = 0; round < MAX_ROUNDS; round++) {
    let x = next_normal();
    var v = 1.0 + c * x;
    if (v <= 0.0) { continue; }
    v = v * v * v;
    let u = next_unit_open();
    let x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2 || log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) {
      let g = d * v;
      if (alpha < 1.0) { return g * exp(log(next_unit_open()) / alpha); }
      return g;
    }
  }
  return nan_f32();
}

// log(1 + x) for x > -1, accurate for tiny x (a Taylor polynomial below 1e-2, where the builtin's rounding of
// 1 + x would dominate).
fn log1p_small(x: f32) -> f32 {
  if (abs(x) < 1e-2) { return x * (1.0 - x * (0.5 - x * (1.0 / 3.0 - x * 0.25))); }
  return log(1.0 + x);
}

// Stirling's error log(k!) - [(k + 1/2) log k - k + log sqrt(2 pi)] for integers k >= 1 (Loader 2000).
fn stirling_error(k: f32) -> f32 {
  if (k < 10.0) {
    switch u32(k) {
      case 1u: { return 0.08106146679532726; }
      case 2u: { return 0.04134069595540929; }
      case 3u: { return 0.02767792568499834; }
      case 4u: { return 0.02079067210376509; }
      case 5u: { return 0.01664469118982119; }
      case 6u: { return 0.01387612882307075; }
      case 7u: { return 0.01189670994589177; }
      case 8u: { return 0.0104112652619721; }
      default: { return 0.009255462182712733; }
    }
  }
  let r = 1.0 / k;
  let r2 = r * r;
  return r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 / 1260.0));
}

// Loader's deviance x log(x / m) + m - x as m ((1 + d) (log(1 + d) - d) + d^2), d = (x - m) / m; the
// bracket's log(1 + d) - d from its atanh series near 0 (no cancellation of two O(1) terms in float32).
fn deviance(x: f32, m: f32) -> f32 {
  let d = (x - m) / m;
  var l: f32;
  if (abs(d) > 0.3) {
    l = log(x / m) - d;
  } else {
    let u = d / (2.0 + d);
    let u2 = u * u;
    l = -d * d / (2.0 + d) + u2 * u * (2.0 / 3.0 + u2 * (2.0 / 5.0 + u2 * (2.0 / 7.0 + u2 * (2.0 / 9.0))));
  }
  return m * ((1.0 + d) * l + d * d);
}

fn poisson_log_pmf(k: f32, rate: f32) -> f32 {
  if (k == 0.0) { return -rate; }
  return -stirling_error(k) - deviance(k, rate) - 0.5 * log(TAU * k);
}

fn binomial_log_pmf(k: f32, n: f32, p: f32) -> f32 {
  if (k == 0.0) { return n * log1p_small(-p); }
  if (k == n) { return n * log(p); }
  let nk = n - k;
  return stirling_error(n) - stirling_error(k) - stirling_error(nk) - deviance(k, n * p) -
    deviance(nk, n * (1.0 - p)) + 0.5 * log(n / (TAU * k * nk));
}

// Poisson(rate): inversion by sequential search below rate 10, Hormann's PTRS from 10.
fn sample_poisson(rate: f32) -> f32 {
  if (!(rate >= 0.0)) { return nan_f32(); }
  if (rate == 0.0) { return 0.0; }
  if (!is_finite(rate)) { return rate; }
  if (rate < 10.0) {
    let u = next_unit();
    var k = 0.0;
    var p = exp(-rate);
    var cdf = p;
    while (u > cdf && k < 1000.0) {
      k = k + 1.0;
      p = p * rate / k;
      cdf = cdf + p;
    }
    return k;
  }
  let slam = sqrt(rate);
  let b = 0.931 + 2.53 * slam;
  let a = -0.059 + 0.02483 * b;
  let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  let vr = 0.9277 - 3.6224 / (b - 2.0);
  for (var round = 0; round < MAX_ROUNDS; round++) {
    let u = next_unit() - 0.5;
    let v = next_unit();
    let us = 0.5 - abs(u);
    let k = floor((2.0 * a / us + b) * u + rate + 0.43);
    if (us >= 0.07 && v <= vr) { return k; }
    if (k < 0.0 || (us < 0.013 && v > us)) { continue; }
    if (log(v * inv_alpha) - log(a / (us * us) + b) <= poisson_log_pmf(k, rate)) { return k; }
  }
  return nan_f32();
}

// Binomial(n, p): inversion below n min(p, 1 - p) = 10, Hormann's BTRS above.
fn sample_binomial(n: f32, p: f32) -> f32 {
  if (!(n >= 0.0) || floor(n) != n || !(p >= 0.0 && p <= 1.0)) { return nan_f32(); }
  if (n == 0.0 || p == 0.0) { return 0.0; }
  if (p == 1.0) { return n; }
  let flip = p > 0.5;
  let pp = select(p, 1.0 - p, flip);
  let q = 1.0 - pp;
  var k = nan_f32();
  if (n * pp < 10.0) {
    let odds = pp / q;
    let a = (n + 1.0) * odds;
    var r = exp(n * log1p_small(-pp));
    var u = next_unit();
    k = 0.0;
    while (u >= r && k < n && k < 1000.0) {
      u = u - r;
      k = k + 1.0;
      r = r * (a / k - odds);
    }
  } else {
    let spq = sqrt(n * pp * q);
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * pp;
    let c = n * pp + 0.5;
    let alpha = (2.83 + 5.1 / b) * spq;
    let vr = 0.92 - 4.2 / b;
    let m = floor((n + 1.0) * pp);
    let log_pmf_mode = binomial_log_pmf(m, n, pp);
    for (var round = 0; round < MAX_ROUNDS; round++) {
      let u = next_unit() - 0.5;
      let v = next_unit();
      let us = 0.5 - abs(u);
      let candidate = floor((2.0 * a / us + b) * u + c);
      if (candidate < 0.0 || candidate > n) { continue; }
      if ((us >= 0.07 && v <= vr) ||
          log(v * alpha / (a / (us * us) + b)) <= binomial_log_pmf(candidate, n, pp) - log_pmf_mode) {
        k = candidate;
        break;
      }
    }
  }
  return select(k, n - k, flip);
}

// The first j with cdf[j] > u cdf[width - 1] in the non-decreasing row starting at `row` of param0.
fn sample_categorical(row: u32, width: u32) -> f32 {
  let total = param0[row + width - 1u];
  let goal = next_unit() * total;
  if (!(total > 0.0) || !is_finite(total)) { return nan_f32(); }
  var lo = 0u;
  var hi = width - 1u;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (param0[row + mid] > goal) { hi = mid; } else { lo = mid + 1u; }
  }
  return f32(lo);
}

// One multinomial row of `width` counts by conditional binomials; param0 holds counts, param1 probs rows.
fn sample_multinomial_row(b: u32, out_at: u32) {
  let width = sp.width;
  let row = b * width;
  var total = 0.0;
  for (var j = 0u; j < width; j++) { total = total + param1[row + j]; }
  var remaining = param0[b];
  var mass_left = total;
  for (var j = 0u; j < width; j++) {
    var x: f32;
    if (j == width - 1u) {
      x = remaining;
    } else if (remaining <= 0.0) {
      x = 0.0;
    } else {
      var pj = 1.0;
      if (mass_left > 0.0) { pj = clamp(param1[row + j] / mass_left, 0.0, 1.0); }
      x = sample_binomial(remaining, pj);
    }
    mass_left = mass_left - param1[row + j];
    remaining = remaining - x;
    samples[out_at + j] = x;
  }
}

@compute @workgroup_size(WG)
fn sample(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= sp.n) { return; }
  stream_start(i);
  let b = i % sp.batch;
  switch FAMILY {
    case 0u: { samples[i] = sample_gamma(param0[b]); }
    case 1u: { samples[i] = sample_poisson(param0[b]); }
    case 2u: { samples[i] = sample_binomial(param0[b], param1[b]); }
    case 3u: { samples[i] = sample_categorical(b * sp.width, sp.width); }
    default: { sample_multinomial_row(b, i * sp.width); }
  }
}
