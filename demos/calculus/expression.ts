// A small, safe parser for functions typed by the learner, like "sin(x)*cos(y) + x^2/3": a tokenizer and
// a recursive-descent parser into a tree (never eval or Function), evaluated with gradbox ops so that
// grad, hessian and jacobian apply, and written back as TeX. Errors say where and what was expected.
import type { Tensor } from '../../src/index';

/** The parsed form. */
export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'var'; name: string }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/' | '^'; left: Expr; right: Expr }
  | { kind: 'call'; fn: FunctionName; arg: Expr };

/** Functions a learner may call, each with one argument. */
export const FUNCTIONS = [
  'sin',
  'cos',
  'tan',
  'exp',
  'log',
  'ln',
  'sqrt',
  'abs',
  'tanh',
  'sinh',
  'cosh',
  'atan',
  'asin',
  'acos',
  'sigmoid',
  'relu',
  'softplus',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

/** A parse error: the message names the place (1-based character) and what was expected there. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

interface Token {
  kind: 'num' | 'name' | 'op' | 'end';
  text: string;
  at: number; // 0-based
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9.]/.test(c)) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) throw new ExpressionError(`"${c}" at character ${i + 1} does not start a number`, i + 1);
      tokens.push({ kind: 'num', text: m[0], at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z_0-9]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'name', text: m[0], at: i });
      i += m[0].length;
    } else if ('+-*/^(),'.includes(c)) {
      tokens.push({ kind: 'op', text: c, at: i });
      i++;
    } else {
      throw new ExpressionError(
        `"${c}" at character ${i + 1} is not part of an expression (use numbers, x, y, + - * / ^, ` +
          'parentheses and functions like sin, exp, sqrt)',
        i + 1,
      );
    }
  }
  tokens.push({ kind: 'end', text: 'the end', at: text.length });
  return tokens;
}

/**
 * Parses `text` into an expression over the variables in `variables` (e.g. ['x', 'y']). `^` is a power
 * (right-associative, above unary minus: -x^2 is -(x^2)); `**` means the same; a number or parenthesis
 * next to a name multiplies (2x, 3(x+1)). Throws ExpressionError with the place and what was expected.
 */
export function parseExpression(text: string, variables: readonly string[] = ['x', 'y']): Expr {
  if (text.trim() === '') throw new ExpressionError('the expression is empty: type one, like x^2 + y^2', 1);
  const tokens = tokenize(text.replace(/\*\*/g, '^ '));
  let k = 0;
  const peek = () => tokens[k];
  const where = (t: Token) => (t.kind === 'end' ? 'at the end' : `"${t.text}" at character ${t.at + 1}`);
  const fail = (t: Token, expected: string): never => {
    throw new ExpressionError(`expected ${expected}, found ${where(t)}`, t.at + 1);
  };
  const isOp = (t: Token, ops: string) => t.kind === 'op' && ops.includes(t.text);
  const startsPrimary = (t: Token) => t.kind === 'num' || t.kind === 'name' || isOp(t, '(');

  const expr = (): Expr => {
    let left = term();
    while (isOp(peek(), '+-')) {
      const op = tokens[k++].text as '+' | '-';
      left = { kind: 'bin', op, left, right: term() };
    }
    return left;
  };
  const term = (): Expr => {
    let left = unary();
    for (;;) {
      if (isOp(peek(), '*/')) {
        const op = tokens[k++].text as '*' | '/';
        left = { kind: 'bin', op, left, right: unary() };
      } else if (startsPrimary(peek())) {
        left = { kind: 'bin', op: '*', left, right: power() }; // implicit product: 2x, x y, 3(x + 1)
      } else return left;
    }
  };
  const unary = (): Expr => {
    if (isOp(peek(), '-')) {
      k++;
      return { kind: 'neg', arg: unary() };
    }
    if (isOp(peek(), '+')) {
      k++;
      return unary();
    }
    return power();
  };
  const power = (): Expr => {
    const base = primary();
    if (isOp(peek(), '^')) {
      k++;
      return { kind: 'bin', op: '^', left: base, right: unary() };
    }
    return base;
  };
  const primary = (): Expr => {
    const t = peek();
    if (t.kind === 'num') {
      k++;
      return { kind: 'num', value: Number(t.text) };
    }
    if (isOp(t, '(')) {
      k++;
      const inner = expr();
      if (!isOp(peek(), ')')) fail(peek(), `")" to close the "(" at character ${t.at + 1}`);
      k++;
      return inner;
    }
    if (t.kind === 'name') {
      k++;
      const name = t.text;
      if ((FUNCTIONS as readonly string[]).includes(name)) {
        if (!isOp(peek(), '(')) fail(peek(), `"(" after the function ${name}`);
        const open = tokens[k++];
        const arg = expr();
        if (isOp(peek(), ',')) fail(peek(), `")": ${name} takes one argument`);
        if (!isOp(peek(), ')')) fail(peek(), `")" to close the "(" at character ${open.at + 1}`);
        k++;
        return { kind: 'call', fn: name as FunctionName, arg };
      }
      if (variables.includes(name)) return { kind: 'var', name };
      if (name in CONSTANTS) return { kind: 'num', value: CONSTANTS[name] };
      throw new ExpressionError(
        `unknown name "${name}" at character ${t.at + 1}: use ${variables.join(', ')}, pi, e or a function (${FUNCTIONS.join(', ')})`,
        t.at + 1,
      );
    }
    return fail(t, `a number, ${variables.join(' or ')}, a function or "("`);
  };

  const result = expr();
  if (peek().kind !== 'end') fail(peek(), 'an operator (+ - * / ^) or the end');
  return result;
}

/** What an evaluation works on: gradbox tensors, or plain numbers for constant parts. */
export interface Arith<T> {
  add(a: T, b: T | number): T;
  sub(a: T, b: T | number): T;
  mul(a: T, b: T | number): T;
  div(a: T, b: T | number): T;
  pow(a: T, b: T | number): T;
  neg(a: T): T;
  call(fn: FunctionName, a: T): T;
  /** A constant as a T shaped like the variables (only for an expression without variables). */
  constant(v: number): T;
}

const NUMBER_FUNCTIONS: Record<FunctionName, (v: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  exp: Math.exp,
  log: Math.log,
  ln: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sinh: Math.sinh,
  cosh: Math.cosh,
  atan: Math.atan,
  asin: Math.asin,
  acos: Math.acos,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  relu: (v) => Math.max(v, 0),
  softplus: (v) => Math.log1p(Math.exp(v)),
};

/**
 * Evaluates `e` with variables bound in `vars`, using `ops` wherever a variable is involved and plain
 * arithmetic for constant subexpressions (so "2^3" is 8, not an op).
 */
export function evaluate<T>(e: Expr, vars: Record<string, T>, ops: Arith<T>): T {
  const go = (n: Expr): T | number => {
    switch (n.kind) {
      case 'num':
        return n.value;
      case 'var':
        return vars[n.name];
      case 'neg': {
        const a = go(n.arg);
        return typeof a === 'number' ? -a : ops.neg(a);
      }
      case 'call': {
        const a = go(n.arg);
        return typeof a === 'number' ? NUMBER_FUNCTIONS[n.fn](a) : ops.call(n.fn, a);
      }
      case 'bin': {
        const [a, b] = [go(n.left), go(n.right)];
        if (typeof a === 'number' && typeof b === 'number') {
          return { '+': a + b, '-': a - b, '*': a * b, '/': a / b, '^': a ** b }[n.op];
        }
        if (typeof a === 'number') {
          // number (op) tensor: commute where it can, else lift the number to a tensor.
          if (n.op === '+') return ops.add(b as T, a);
          if (n.op === '*') return ops.mul(b as T, a);
          if (n.op === '-') return ops.add(ops.neg(b as T), a);
          const lifted = ops.add(ops.mul(b as T, 0), a);
          return n.op === '/' ? ops.div(lifted, b as T) : ops.pow(lifted, b as T);
        }
        const method = { '+': ops.add, '-': ops.sub, '*': ops.mul, '/': ops.div, '^': ops.pow }[n.op];
        return method.call(ops, a, b);
      }
    }
  };
  const v = go(e);
  return typeof v === 'number' ? ops.constant(v) : v;
}

const PRECEDENCE: Record<Expr['kind'] | '+' | '-' | '*' | '/' | '^', number> = {
  '+': 1,
  '-': 1,
  '*': 2,
  '/': 2,
  neg: 3,
  '^': 4,
  call: 5,
  num: 5,
  var: 5,
  bin: 0,
};

const TEX_NAMES: Partial<Record<FunctionName, string>> = {
  atan: '\\arctan',
  asin: '\\arcsin',
  acos: '\\arccos',
  sigmoid: '\\sigma',
  relu: '\\operatorname{relu}',
  softplus: '\\operatorname{softplus}',
};

/** The expression as TeX (for KaTeX). */
export function toTex(e: Expr): string {
  const prec = (n: Expr) => (n.kind === 'bin' ? PRECEDENCE[n.op] : PRECEDENCE[n.kind]);
  const wrap = (n: Expr, min: number) => (prec(n) < min ? `\\left(${toTex(n)}\\right)` : toTex(n));
  switch (e.kind) {
    case 'num':
      return e.value === Math.PI ? '\\pi' : e.value === Math.E ? 'e' : String(+e.value.toPrecision(6));
    case 'var':
      return e.name;
    case 'neg':
      return `-${wrap(e.arg, 3)}`;
    case 'call':
      if (e.fn === 'sqrt') return `\\sqrt{${toTex(e.arg)}}`;
      if (e.fn === 'abs') return `\\left|${toTex(e.arg)}\\right|`;
      return `${TEX_NAMES[e.fn] ?? `\\${e.fn}`}\\left(${toTex(e.arg)}\\right)`;
    case 'bin':
      if (e.op === '/') return `\\frac{${toTex(e.left)}}{${toTex(e.right)}}`;
      if (e.op === '^') return `{${wrap(e.left, 5)}}^{${toTex(e.right)}}`;
      if (e.op === '*') return `${wrap(e.left, 2)}\\,${wrap(e.right, 3)}`;
      return `${wrap(e.left, 1)} ${e.op} ${wrap(e.right, 2)}`;
  }
}

/** Evaluation with gradbox ops; `like` (a variable) gives a constant expression its shape. */
export function tensorArith(like: Tensor): Arith<Tensor> {
  return {
    add: (a, b) => a.add(b),
    sub: (a, b) => a.sub(b),
    mul: (a, b) => a.mul(b),
    div: (a, b) => a.div(b),
    pow: (a, b) => a.pow(b),
    neg: (a) => a.neg(),
    call: (fn, a) => (fn === 'ln' ? a.log() : a[fn]()),
    constant: (v) => like.mul(0).add(v),
  };
}

/** A parsed function of named variables: its tree, its TeX, and its evaluation on tensors. */
export interface Compiled {
  text: string;
  expr: Expr;
  tex: string;
  /** Evaluates on tensors of one shape, one per variable in the order given to compile. */
  at(...vars: Tensor[]): Tensor;
}

/** Parses `text` over `variables` and returns it ready to evaluate on tensors. */
export function compile(text: string, variables: readonly string[] = ['x', 'y']): Compiled {
  const expr = parseExpression(text, variables);
  return {
    text,
    expr,
    tex: toTex(expr),
    at: (...vals) =>
      evaluate(expr, Object.fromEntries(variables.map((v, i) => [v, vals[i]])), tensorArith(vals[0])),
  };
}
