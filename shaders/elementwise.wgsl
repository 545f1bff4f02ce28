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
    default: { return x; } // 9: copy
  }
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
