// The calculus demo's expression parser: precedence and associativity as in mathematics, evaluation with
// gradbox ops on both backends against the same formulas in float64, gradients through parsed
// expressions, TeX output, and errors that say where and what was expected. It never evaluates text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile, ExpressionError, parseExpression, toTex } from '../demos/calculus/expression';
import type { Tensor } from '../src/index';
import { eachBackend } from './helpers/backends';
import { expectClose } from './helpers/close';

/** Typed text and the same function written in TypeScript. */
const CASES: [string, (x: number, y: number) => number][] = [
  ['x + y * 2', (x, y) => x + y * 2],
  ['x - y - 1', (x, y) => x - y - 1],
  ['x / y / 2', (x, y) => x / y / 2],
  ['-x^2', (x) => -(x ** 2)],
  ['2^3^2', () => 2 ** 9],
  ['x^2^0.5 + y', (x, y) => x ** Math.SQRT2 + y],
  ['2x y + 3(x + 1)', (x, y) => 2 * x * y + 3 * (x + 1)],
  ['x**3 - 2*x', (x) => x ** 3 - 2 * x],
  [
    'sin(x)*cos(y) + exp(-(x^2 + y^2)/2)',
    (x, y) => Math.sin(x) * Math.cos(y) + Math.exp(-(x * x + y * y) / 2),
  ],
  [
    'sqrt(x^2 + y^2 + 1) - ln(abs(y) + 1)',
    (x, y) => Math.sqrt(x * x + y * y + 1) - Math.log(Math.abs(y) + 1),
  ],
  [
    'tanh(x) + sigmoid(y) + atan(x*y) + softplus(x - y)',
    (x, y) => Math.tanh(x) + 1 / (1 + Math.exp(-y)) + Math.atan(x * y) + Math.log1p(Math.exp(x - y)),
  ],
  ['pi * e', () => Math.PI * Math.E],
  ['(-x)^3 + 1.5e-1', (x) => (-x) ** 3 + 0.15],
  ['2 / x + 1 - y', (x, y) => 2 / x + 1 - y],
];

const XS = [0.7, -1.3, 2.1, -0.4, 1.9];
const YS = [0.3, 1.1, -0.8, -2.2, 0.6];

eachBackend('calculus demo: parsed expressions evaluated with gradbox', (use) => {
  for (const [text, ref] of CASES) {
    it(`${text}`, async () => {
      const gb = use();
      const f = compile(text);
      const [x, y] = [gb.tensor(XS), gb.tensor(YS)];
      const v = f.at(x, y);
      // float32 arithmetic and transcendental functions (a few ulps) on values of order 1-100.
      expectClose(
        await v.data(),
        Float64Array.from(XS, (xv, i) => ref(xv, YS[i])),
        { rtol: 2e-5, atol: 2e-5 },
      );
      [x, y, v].forEach((t) => t.dispose());
    });
  }

  it('gradients flow through a parsed expression (grad, hessian)', async () => {
    const gb = use();
    const f = compile('sin(x)*cos(y) + x^2*y');
    const p = gb.tensor([0.9, -0.4]);
    const loss = (q: Tensor) => {
      const [x, y] = q.split(2);
      return f.at(x, y).sum();
    };
    const [g] = gb.grad(loss)(p);
    const [x, y] = [0.9, -0.4];
    expectClose(await g.data(), [Math.cos(x) * Math.cos(y) + 2 * x * y, -Math.sin(x) * Math.sin(y) + x * x], {
      rtol: 1e-5,
      atol: 1e-6,
    });
    const H = gb.hessian(loss)(p);
    const hxy = -Math.cos(x) * Math.sin(y) + 2 * x;
    expectClose(await H.data(), [-Math.sin(x) * Math.cos(y) + 2 * y, hxy, hxy, -Math.sin(x) * Math.cos(y)], {
      rtol: 1e-5,
      atol: 1e-6,
    });
    [p, g, H].forEach((t) => t.dispose());
  });

  it('a constant expression is a tensor of the variables shape', async () => {
    const gb = use();
    const x = gb.tensor([1, 2, 3]);
    const v = compile('2^3 - 1').at(x, x);
    expect(v.shape).toEqual([3]);
    expectClose(await v.data(), [7, 7, 7]);
    [x, v].forEach((t) => t.dispose());
  });
});

describe('calculus demo: expression errors and TeX', () => {
  const message = (text: string, vars?: string[]) => {
    try {
      parseExpression(text, vars);
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      return (e as Error).message;
    }
    throw new Error(`${text} parsed`);
  };

  it('says where and what was expected', () => {
    expect(message('')).toBe('the expression is empty: type one, like x^2 + y^2');
    expect(message('x +')).toBe('expected a number, x or y, a function or "(", found at the end');
    expect(message('x + )')).toBe('expected a number, x or y, a function or "(", found ")" at character 5');
    expect(message('(x + y')).toBe('expected ")" to close the "(" at character 1, found at the end');
    expect(message('sin x')).toBe('expected "(" after the function sin, found "x" at character 5');
    expect(message('atan(x, y)')).toBe('expected ")": atan takes one argument, found "," at character 7');
    expect(message('x $ y')).toMatch(/^"\$" at character 3 is not part of an expression/);
    expect(message('foo(x)')).toMatch(
      /^unknown name "foo" at character 1: use x, y, pi, e or a function \(sin, cos/,
    );
    expect(message('x + y', ['x'])).toMatch(/^unknown name "y" at character 5: use x, pi, e/);
    expect(message('x y)')).toBe('expected an operator (+ - * / ^) or the end, found ")" at character 4');
  });

  it('writes TeX', () => {
    expect(toTex(parseExpression('-x^2 + sqrt(y)/2'))).toBe('-{x}^{2} + \\frac{\\sqrt{y}}{2}');
    expect(toTex(parseExpression('(x + y) * atan(x)'))).toBe(
      '\\left(x + y\\right)\\,\\arctan\\left(x\\right)',
    );
  });

  it('never evaluates text as code', () => {
    const source = readFileSync('demos/calculus/expression.ts', 'utf8');
    expect(source).not.toMatch(/\beval\s*\(|new Function|Function\s*\(/);
  });
});
