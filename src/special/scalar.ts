// Special functions of float64 numbers: log-gamma and its derivatives, the error function and its inverse,
// the regularised incomplete gamma and beta functions, and the distribution functions built on them.

const EPS = 2.220446049250313e-16;
const LOG_SQRT_2PI = 0.9189385332046728; // log(sqrt(2 pi))
const EULER_GAMMA = 0.5772156649015329;
const SQRT_PI = 1.772453850905516;

/** Bernoulli numbers B_2, B_4, ..., B_20 (exact rationals, as float64). */
const BERNOULLI = [
  1 / 6,
  -1 / 30,
  1 / 42,
  -1 / 30,
  5 / 66,
  -691 / 2730,
  7 / 6,
  -3617 / 510,
  43867 / 798,
  -174611 / 330,
];

/**
 * Hurwitz zeta zeta(s, q) = sum_{n>=0} (q + n)^-s for s > 1, q > 0, by Euler-Maclaurin summation: the first
 * N terms directly, the tail as an integral plus Bernoulli corrections. With N = 40 and q + N >= 40 the
 * first omitted correction is below 1e-17 relative for s <= 60.
 */
export function hurwitzZeta(s: number, q: number): number {
  const N = 40;
  let sum = 0;
  for (let n = 0; n < N; n++) sum += (q + n) ** -s;
  const w = q + N;
  sum += w ** (1 - s) / (s - 1) + 0.5 * w ** -s;
  // B_2j / (2j)! * s (s+1) ... (s+2j-2) * w^(-s-2j+1)
  let rising = s; // s (s+1) ... (s+2j-2)
  let fact = 2; // (2j)!
  let pow = w ** (-s - 1);
  for (let j = 1; j <= 6; j++) {
    const term = (BERNOULLI[j - 1] / fact) * rising * pow;
    sum += term;
    if (Math.abs(term) < 1e-17 * sum) break;
    rising *= (s + 2 * j - 1) * (s + 2 * j);
    fact *= (2 * j + 1) * (2 * j + 2);
    pow /= w * w;
  }
  return sum;
}

/** zeta(k) - 1 for k = 0..60 (entries 0 and 1 unused): coefficients of the Taylor series of lgamma. */
const ZETA_MINUS_ONE: number[] = (() => {
  const out = [NaN, NaN];
  for (let k = 2; k <= 60; k++) out.push(hurwitzZeta(k, 2));
  return out;
})();

/**
 * The Stirling correction lgamma(x) - [(x - 1/2) log x - x + log sqrt(2 pi)] for x >= 10, from the
 * asymptotic series sum B_2k / (2k (2k-1) x^(2k-1)); eight terms leave an error below 1e-17 there.
 */
function stirlingCorrection(x: number): number {
  const x2 = 1 / (x * x);
  let sum = 0;
  let p = 1 / x;
  for (let k = 1; k <= 8; k++) {
    sum += (BERNOULLI[k - 1] / (2 * k * (2 * k - 1))) * p;
    p *= x2;
  }
  return sum;
}

/** lgamma(1 + z) = lgamma(2 + z) - log(1 + z) for |z| <= 0.5: no cancellation near the root z = 0. */
function lgamma1pSeries(z: number): number {
  return lgamma2pSeries(z) - Math.log1p(z);
}

/** lgamma(2 + z) for |z| <= 0.5: (1 - gamma) z + sum_k (-1)^k (zeta(k) - 1) z^k / k. */
function lgamma2pSeries(z: number): number {
  let sum = 0;
  let p = -z;
  for (let k = 2; k <= 60; k++) {
    p *= -z; // (-z)^k
    const term = (ZETA_MINUS_ONE[k] * p) / k;
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return (1 - EULER_GAMMA) * z + sum;
}

/**
 * log |Gamma(x)|. Near the roots x = 1 and 2 from Taylor series (relative accuracy kept there), below 2.5
 * shifted into those series, from 2.5 to 10 by the recurrence down to [1.5, 2.5), from 10 on by Stirling's
 * series; negative x by reflection. +Infinity at 0 and the negative integers, as SciPy's gammaln.
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!Number.isFinite(x)) return Infinity;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
    return Math.log(Math.PI / Math.abs(sinPi(x))) - lgamma(1 - x);
  }
  if (x < 0.5) return lgamma1pSeries(x) - Math.log(x);
  if (x < 1.5) return lgamma1pSeries(x - 1);
  if (x < 2.5) return lgamma2pSeries(x - 2);
  if (x < 10) {
    let y = x;
    let prod = 1;
    while (y >= 2.5) {
      y -= 1;
      prod *= y;
    }
    return Math.log(prod) + lgamma2pSeries(y - 2);
  }
  return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + stirlingCorrection(x);
}

/** sin(pi x) from x = n + r, r in [-1/2, 1/2] (exact): (-1)^n sin(pi r), relative accuracy kept near the integers. */
function sinPi(x: number): number {
  const n = Math.round(x);
  const r = x - n;
  if (r === 0) return 0;
  const s = Math.sin(Math.PI * r);
  return n % 2 === 0 ? s : -s;
}

/** tan(pi x) with the argument reduced to (-1/2, 1/2]. */
function tanPi(x: number): number {
  const r = x - Math.round(x);
  return Math.tan(Math.PI * r);
}

/** log Beta(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), for a, b > 0, without the cancellation of large lgammas. */
export function lbeta(a: number, b: number): number {
  const big = Math.max(a, b);
  const small = Math.min(a, b);
  if (big < 10) return lgamma(a) + lgamma(b) - lgamma(a + b);
  if (small >= 10) {
    // Stirling for all three: log B = log sqrt(2 pi) + (a-1/2) log a + (b-1/2) log b - (a+b-1/2) log(a+b) + corrections.
    const c = a + b;
    return (
      LOG_SQRT_2PI -
      0.5 * Math.log(b) +
      a * Math.log(a / c) +
      (b - 0.5) * Math.log(b / c) +
      stirlingCorrection(a) +
      stirlingCorrection(b) -
      stirlingCorrection(c)
    );
  }
  // lgamma(big) - lgamma(big + small) by Stirling in a form free of cancellation (see lgammaRatio).
  return lgamma(small) + lgammaDifference(big, small);
}

/** lgamma(a) - lgamma(a + b) for a >= 10, b > 0. */
function lgammaDifference(a: number, b: number): number {
  const r = b / a;
  return (
    -a * log1pmx(r) +
    0.5 * Math.log1p(r) -
    b * Math.log(a + b) +
    stirlingCorrection(a) -
    stirlingCorrection(a + b)
  );
}

/** log(1 + d) - d for d > -1, accurate near 0 (where both terms cancel). */
export function log1pmx(d: number): number {
  if (Math.abs(d) > 0.3) return Math.log1p(d) - d;
  // log(1 + d) = 2 atanh(u) with u = d / (2 + d), so log(1 + d) - d = -d^2 / (2 + d) + 2 sum_k u^(2k+1) / (2k+1).
  const u = d / (2 + d);
  const u2 = u * u;
  let p = u * u2;
  let sum = 0;
  for (let k = 1; k < 40; k++) {
    const term = p / (2 * k + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    p *= u2;
  }
  return (-d * d) / (2 + d) + 2 * sum;
}

/** The root of digamma on the positive axis, split in two doubles so that x - root keeps its digits. */
const DIGAMMA_ROOT_HI = 1.4616321449683622;
const DIGAMMA_ROOT_LO = 9.549995429965697e-17;

/** Taylor coefficients of digamma around its positive root: (-1)^(k+1) zeta(k+1, root), k = 1..40. */
const DIGAMMA_ROOT_COEFFS: number[] = (() => {
  const out: number[] = [];
  for (let k = 1; k <= 40; k++)
    out.push((k % 2 ? 1 : -1) * hurwitzZeta(k + 1, DIGAMMA_ROOT_HI + DIGAMMA_ROOT_LO));
  return out;
})();

/**
 * The digamma function psi(x) = d/dx lgamma(x). Near its positive root a Taylor series around the root
 * (relative accuracy kept where psi crosses 0); elsewhere the recurrence psi(x) = psi(x + 1) - 1/x up to
 * x >= 10 and the asymptotic series; negative x by reflection. NaN at the negative integers, -Infinity at 0
 * (as SciPy's psi).
 */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (x === 0) return -Infinity;
    if (Number.isInteger(x)) return NaN;
    // Reflection: psi(1 - x) - psi(x) = pi / tan(pi x).
    return digamma(1 - x) - Math.PI / tanPi(x);
  }
  const z = x - DIGAMMA_ROOT_HI - DIGAMMA_ROOT_LO;
  if (Math.abs(z) < 0.25) {
    let sum = 0;
    let p = 1;
    for (let k = 0; k < DIGAMMA_ROOT_COEFFS.length; k++) {
      p *= z;
      const term = DIGAMMA_ROOT_COEFFS[k] * p;
      sum += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    }
    return sum;
  }
  let shift = 0;
  let y = x;
  while (y < 10) {
    shift += 1 / y;
    y += 1;
  }
  // psi(y) ~ log y - 1/(2y) - sum_k B_2k / (2k y^2k)
  const y2 = 1 / (y * y);
  let series = 0;
  let p = y2;
  for (let k = 1; k <= 8; k++) {
    series += (BERNOULLI[k - 1] / (2 * k)) * p;
    p *= y2;
  }
  return Math.log(y) - 0.5 / y - series - shift;
}

/**
 * The trigamma function psi'(x) = d^2/dx^2 lgamma(x): the Hurwitz zeta function zeta(2, x) for x > 0,
 * reflection psi'(1 - x) + psi'(x) = pi^2 / sin^2(pi x) below. +Infinity at 0 and the negative integers.
 */
export function trigamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    const s = sinPi(x);
    return (Math.PI * Math.PI) / (s * s) - trigamma(1 - x);
  }
  return hurwitzZeta(2, x);
}

/** exp(-x^2) with x^2 split so that its rounding does not grow into a relative error of x^2 ulps. */
function expNegSquare(x: number): number {
  const ax = Math.abs(x);
  const hi = Math.fround(ax); // 24 significant bits: hi^2 is exact in float64
  const lo = ax - hi;
  return Math.exp(-hi * hi) * Math.exp(-lo * (2 * hi + lo));
}

/**
 * erfc(x) for x >= 0.5 from the continued fraction of the upper incomplete gamma function Q(1/2, x^2)
 * (modified Lentz), relative accuracy kept deep in the tail.
 */
function erfcContinuedFraction(x: number): number {
  if (x > 27.3) return 0; // erfc(27.3) < 1e-325: below the smallest double
  const t = x * x;
  return ((expNegSquare(x) * x) / SQRT_PI) * upperGammaFraction(0.5, t);
}

/** erf(x) for |x| < 2 by the series 2/sqrt(pi) x e^(-x^2) sum_n (2x^2)^n / (1 3 5 ... (2n+1)): all terms positive. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term <= 1e-17 * sum) break;
  }
  return (2 / SQRT_PI) * x * expNegSquare(x) * sum;
}

/** The error function erf(x) = 2/sqrt(pi) int_0^x e^(-t^2) dt. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 1.5) return erfSeries(x);
  return Math.sign(x) * (1 - erfcContinuedFraction(ax));
}

/** The complementary error function erfc(x) = 1 - erf(x), with relative accuracy in the right tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 0.5) return 1 - erfSeries(x);
  if (x < 1.5) return 1 - erfSeries(x);
  return erfcContinuedFraction(x);
}

/**
 * A starting point for erfinv within about 2e-3 relative (Winitzki's closed form), written in terms of
 * log(1 - y^2) = log(q (2 - q)) with q = 1 - |y| so it works deep in the tails.
 */
function erfinvGuess(logOneMinusY2: number): number {
  const a = 0.147;
  const t = 2 / (Math.PI * a) + logOneMinusY2 / 2;
  return Math.sqrt(Math.sqrt(t * t - logOneMinusY2 / a) - t);
}

/**
 * Solves erfc(x) = q for q in (0, 1] by Halley's method from Winitzki's guess. For erfc, f' = -2/sqrt(pi)
 * e^(-x^2) and f'' = -2x f', so Halley's step is f / (f' + x f).
 */
function erfcinvSmall(q: number): number {
  let x = erfinvGuess(Math.log(q) + Math.log(2 - q));
  for (let i = 0; i < 50; i++) {
    const f = erfc(x) - q;
    const fp = (-2 / SQRT_PI) * expNegSquare(x);
    if (fp === 0) break;
    const dx = f / (fp + x * f);
    x -= dx;
    if (Math.abs(dx) <= 1e-15 * Math.abs(x)) break;
  }
  return x;
}

/**
 * The inverse error function: erf(erfinv(y)) = y for y in [-1, 1], +-Infinity at +-1, NaN outside.
 * Halley's method on erf for |y| <= 1/2 and on erfc(x) = 1 - |y| beyond (1 - |y| is exact there), so the
 * result has relative accuracy everywhere.
 */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  const ay = Math.abs(y);
  if (ay > 0.5) return Math.sign(y) * erfcinvSmall(1 - ay);
  let x = erfinvGuess(Math.log1p(-ay * ay));
  for (let i = 0; i < 50; i++) {
    const f = erf(x) - ay;
    const fp = (2 / SQRT_PI) * expNegSquare(x);
    const dx = f / (fp + x * f);
    x -= dx;
    if (Math.abs(dx) <= 1e-15 * Math.abs(x)) break;
  }
  return Math.sign(y) * x;
}

/** The inverse complementary error function: erfc(erfcinv(q)) = q for q in [0, 2]; relative accuracy for tiny q. */
export function erfcinv(q: number): number {
  if (Number.isNaN(q) || q < 0 || q > 2) return NaN;
  if (q === 0) return Infinity;
  if (q === 2) return -Infinity;
  if (q <= 0.5) return erfcinvSmall(q);
  if (q >= 1.5) return -erfcinvSmall(2 - q);
  return erfinv(1 - q); // 1 - q is exact for q in [0.5, 1.5]
}

/**
 * x^a e^-x / Gamma(a), the factor in front of both incomplete gamma expansions. For a >= 10 written with
 * Stirling's series as sqrt(a / 2 pi) exp(a log1pmx((x - a)/a) - correction(a)), which avoids the
 * cancellation of a log x - x - lgamma(a) for large a.
 */
function gammaPrefix(a: number, x: number): number {
  if (a < 10) return Math.exp(a * Math.log(x) - x - lgamma(a));
  return Math.sqrt(a / (2 * Math.PI)) * Math.exp(a * log1pmxOf(x / a, (x - a) / a) - stirlingCorrection(a));
}

/**
 * log(1 + d) - d given both r = 1 + d and d, each computed directly by the caller: the series near d = 0,
 * log(r) - d far from it (where forming 1 + d from d would lose the digits of a small r).
 */
function log1pmxOf(r: number, d: number): number {
  return Math.abs(d) > 0.3 ? Math.log(r) - d : log1pmx(d);
}

/** The series sum_n x^n / ((a+1)...(a+n)), so that P(a, x) = gammaPrefix(a, x) / a times it. Fast for x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 1e6; n++) {
    term *= x / (a + n);
    sum += term;
    if (term <= 1e-17 * sum) break;
  }
  return sum;
}

/**
 * The continued fraction 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...))) so that
 * Q(a, x) = gammaPrefix(a, x) times it (modified Lentz's algorithm). Fast for x > a + 1.
 */
function upperGammaFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1e6; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= EPS) break;
  }
  return h;
}

/** Both regularised incomplete gamma functions [P, Q], each computed directly where it is the smaller. */
function incompleteGamma(a: number, x: number): [number, number] {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return [NaN, NaN];
  if (a === 0) return x > 0 ? [1, 0] : [NaN, NaN];
  if (x === 0) return [0, 1];
  if (x === Infinity) return [1, 0];
  if (a === Infinity) return [0, 1];
  if (x < a + 1) {
    const p = (gammaPrefix(a, x) / a) * lowerGammaSeries(a, x);
    return [p, 1 - p];
  }
  const q = gammaPrefix(a, x) * upperGammaFraction(a, x);
  return [1 - q, q];
}

/** The regularised lower incomplete gamma function P(a, x) = gamma(a, x) / Gamma(a), a > 0, x >= 0 (SciPy's gammainc). */
export function gammaP(a: number, x: number): number {
  return incompleteGamma(a, x)[0];
}

/** The regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x) (SciPy's gammaincc), accurate when small. */
export function gammaQ(a: number, x: number): number {
  return incompleteGamma(a, x)[1];
}

/**
 * x^a y^b / B(a, b) with y = 1 - x given separately (so that it keeps its digits when x is near 1). For a, b
 * >= 10 in Stirling's form sqrt(ab / (2 pi (a+b))) exp(a log1pmx(d1) + b log1pmx(d2) + corrections) with
 * d1 = (xb - ya)/a, d2 = -(xb - ya)/b, free of the cancellation of a log x + b log y - log B(a, b).
 */
function betaPrefix(a: number, b: number, x: number, y: number): number {
  if (Math.min(a, b) >= 10) {
    const c = a + b;
    const e = x * b - y * a;
    return (
      Math.sqrt((a * b) / (2 * Math.PI * c)) *
      Math.exp(
        a * log1pmxOf((x * c) / a, e / a) +
          b * log1pmxOf((y * c) / b, -e / b) +
          stirlingCorrection(c) -
          stirlingCorrection(a) -
          stirlingCorrection(b),
      )
    );
  }
  const lx = x < 0.5 ? Math.log(x) : Math.log1p(-y);
  const ly = y < 0.5 ? Math.log(y) : Math.log1p(-x);
  return Math.exp(a * lx + b * ly - lbeta(a, b));
}

/**
 * The continued fraction of I_x(a, b) (DLMF 8.17.22): I = prefix / a / (1 + d1 / (1 + d2 / (1 + ...))),
 * d_2m = m (b - m) x / ((a + 2m - 1)(a + 2m)), d_2m+1 = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
 * by modified Lentz. Converges fast for x < (a + 1) / (a + b + 2). Lentz's factors C = 1 + cc and D = 1 + dd
 * are kept as their deviations from 1 and the product of C D in logarithms: for large a and x near 1 every
 * factor lies within an ulp of 1 (a plain product would round them all to 1 and stop early, 5e-11 off).
 */
function betaFraction(a: number, b: number, x: number, y: number): number {
  const tiny = 1e-300;
  const first = (-(a + b) * x) / (a + 1);
  // 1 + first = (1 - b x + a y) / (a + 1), formed from y = 1 - x so that it keeps its digits when x is near 1.
  const onePlusFirst = (1 - b * x + a * y) / (a + 1);
  let cc = 0;
  let dd = -first / onePlusFirst;
  let logH = -Math.log(onePlusFirst);
  let quiet = 0;
  const step = (coefficient: number): number => {
    // C' = 1 + coefficient / C, D' = 1 / (1 + coefficient D); returns C' D' - 1.
    const c = 1 + cc;
    cc = Math.abs(c) < tiny ? coefficient / tiny : coefficient / c;
    const dOld = 1 + dd;
    let denominator = 1 + coefficient * dOld;
    if (Math.abs(denominator) < tiny) denominator = tiny;
    dd = (-coefficient * dOld) / denominator;
    return dd + cc + dd * cc;
  };
  for (let m = 1; m < 1e6; m++) {
    const m2 = 2 * m;
    const even = step((m * (b - m) * x) / ((a + m2 - 1) * (a + m2)));
    const odd = step((-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)));
    logH += Math.log1p(even) + Math.log1p(odd);
    // Converged once the factors stay below a tenth of an ulp for a few steps.
    quiet = Math.abs(even) + Math.abs(odd) <= 1e-17 ? quiet + 1 : 0;
    if (quiet >= 3) break;
  }
  return Math.exp(logH);
}

/** I_x(a, b) with y = 1 - x supplied by the caller (exactly, where it can). */
function incompleteBetaPair(a: number, b: number, x: number, y: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(x) || a < 0 || b < 0 || x < 0 || x > 1) return NaN;
  if (a === 0 && b === 0) return NaN;
  if (a === 0) return 1;
  if (b === 0) return 0;
  if (x === 0) return 0;
  if (y === 0) return 1;
  if (x < (a + 1) / (a + b + 2)) return (betaPrefix(a, b, x, y) / a) * betaFraction(a, b, x, y);
  return 1 - (betaPrefix(b, a, y, x) / b) * betaFraction(b, a, y, x);
}

/** The regularised incomplete beta function I_x(a, b) for a, b > 0, 0 <= x <= 1 (SciPy's betainc). */
export function betaI(a: number, b: number, x: number): number {
  return incompleteBetaPair(a, b, x, 1 - x);
}

/** 1 - I_x(a, b) = I_(1-x)(b, a), accurate when small (SciPy's betaincc). */
export function betaIc(a: number, b: number, x: number): number {
  return incompleteBetaPair(b, a, 1 - x, x);
}

/** The standard normal distribution function Phi(x) = erfc(-x / sqrt 2) / 2 (relative accuracy in the left tail). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

/** The standard normal survival function 1 - Phi(x) (relative accuracy in the right tail). */
export function normalSf(x: number): number {
  return 0.5 * erfc(x * Math.SQRT1_2);
}

/** The standard normal quantile Phi^-1(p) = -sqrt 2 erfcinv(2p), p in [0, 1] (relative accuracy for tiny p). */
export function normalIcdf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  return -Math.SQRT2 * erfcinv(2 * p);
}

/** The two halves [x, y] = [df / (df + t^2), t^2 / (df + t^2)] of Student's t argument, each computed directly. */
function studentTSplit(t: number, df: number): [number, number] {
  const t2 = t * t;
  if (t2 === Infinity) {
    const r = df / t / t;
    return [r / (1 + r), 1 / (1 + r)];
  }
  return [df / (df + t2), t2 / (df + t2)];
}

/** Student's t distribution function with df > 0 degrees of freedom: 1 - I_x(df/2, 1/2) / 2 for t > 0, x = df / (df + t^2). */
export function studentTCdf(t: number, df: number): number {
  return studentTSf(-t, df);
}

/** Student's t survival function P(T > t), accurate in the right tail. */
export function studentTSf(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || df <= 0) return NaN;
  if (df === Infinity) return normalSf(t);
  if (t === 0) return 0.5;
  const [x, y] = studentTSplit(t, df);
  if (t > 0) return 0.5 * incompleteBetaPair(df / 2, 0.5, x, y);
  return 0.5 + 0.5 * incompleteBetaPair(0.5, df / 2, y, x);
}

/** The chi-square distribution function with df > 0 degrees of freedom: P(df/2, x/2). */
export function chiSquareCdf(x: number, df: number): number {
  if (df <= 0) return NaN;
  if (x <= 0) return Number.isNaN(x) ? NaN : 0;
  return gammaP(df / 2, x / 2);
}

/** The chi-square survival function Q(df/2, x/2), accurate in the right tail (the p-value of a chi-square test). */
export function chiSquareSf(x: number, df: number): number {
  if (df <= 0) return NaN;
  if (x <= 0) return Number.isNaN(x) ? NaN : 1;
  return gammaQ(df / 2, x / 2);
}

// The Kolmogorov-Smirnov distributions live in their own module and are re-exported here.
export { kolmogorovSf, ksTwoSidedSf, smirnovSf } from './kolmogorov';
