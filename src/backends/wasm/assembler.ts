// A small WebAssembly assembler: kernels are written in TypeScript as expression trees (each helper returns
// the bytes of one instruction and its operands) and encoded into a module at run time, with no build step.
// Only what the kernels use is here: numeric and SIMD128 instructions, loops, locals, one imported memory.

/**
 * The bytes of an instruction sequence (an expression leaves its value on the stack, a statement none), as a
 * tree of byte arrays: nesting is free while kernels are composed, and the tree is flattened once per function.
 */
export type Code = readonly CodeItem[];
/** A byte, or a nested sequence. */
export type CodeItem = number | Code;

/** Value types of locals, parameters and results. */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
const TYPE_BYTE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** A local variable (or parameter) of a function being assembled. */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function sleb(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/** Statements, nested in lists as the kernel's structure suggests. */
export type Stmts = Code;

const cat = (...parts: Code[]): Code => parts;
/** The bytes of a code tree, in order (Array.prototype.flat is several times slower on deep trees). */
function bytesOf(code: Code): number[] {
  const out: number[] = [];
  const walk = (c: Code) => {
    for (const x of c) {
      if (typeof x === 'number') out.push(x);
      else walk(x);
    }
  };
  walk(code);
  return out;
}

/** A statement list: the concatenation of its statements. */
export const seq = (...stmts: Code[]): Code => stmts;

// Locals --------------------------------------------------------------------------------------------
export const get = (l: Local): Code => [0x20, ...uleb(l.index)];
export const set = (l: Local, value: Code): Code => [...value, 0x21, ...uleb(l.index)];
export const tee = (l: Local, value: Code): Code => [...value, 0x22, ...uleb(l.index)];

// Control ---------------------------------------------------------------------------------------------
const EMPTY_BLOCK = 0x40;
/** A block whose `br(depth)` inside jumps to its end. */
export const block = (...body: Stmts[]): Code => cat([0x02, EMPTY_BLOCK], ...body, [0x0b]);
/** A loop whose `br(depth)` inside jumps back to its start. */
export const loop = (...body: Stmts[]): Code => cat([0x03, EMPTY_BLOCK], ...body, [0x0b]);
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];
export const brIf = (depth: number, cond: Code): Code => [...cond, 0x0d, ...uleb(depth)];
export const ifElse = (cond: Code, then: Stmts, otherwise?: Stmts): Code =>
  otherwise
    ? cat(cond, [0x04, EMPTY_BLOCK], then, [0x05], otherwise, [0x0b])
    : cat(cond, [0x04, EMPTY_BLOCK], then, [0x0b]);
export const ret = (value?: Code): Code => [...(value ?? []), 0x0f];
export const drop = (value: Code): Code => [...value, 0x1a];
/** `a` when `cond` is non-zero, else `b` (both evaluated). */
export const select = (a: Code, b: Code, cond: Code): Code => cat(a, b, cond, [0x1b]);

/**
 * for (i = from; i < to; i += step) body: a counted loop that runs zero times when from >= to (signed
 * compare); step is a constant or an expression (e.g. a local). `body` must not branch out of the loop.
 */
export function forRange(i: Local, from: Code, to: Code, step: number | Code, ...body: Stmts[]): Code {
  const by = typeof step === 'number' ? i32.const(step) : step;
  return seq(
    set(i, from),
    block(
      brIf(0, i32.geS(get(i), to)),
      loop(...body, set(i, i32.add(get(i), by)), brIf(0, i32.ltS(get(i), to))),
    ),
  );
}

/** The byte address of float32 element i of an array at byte address base. */
export const f32Addr = (base: Code, i: Code): Code => i32.add(base, i32.shl(i, i32.const(2)));

// Scalars ---------------------------------------------------------------------------------------------
const op =
  (byte: number) =>
  (...args: Code[]): Code =>
    cat(...args, [byte]);
/** A memory access: address expression, static byte offset, log2 of the alignment hint. */
const mem =
  (bytes: number[], align: number) =>
  (addr: Code, offset = 0) =>
    cat(addr, bytes, uleb(align), uleb(offset));
const store =
  (bytes: number[], align: number) =>
  (addr: Code, value: Code, offset = 0) =>
    cat(addr, value, bytes, uleb(align), uleb(offset));

export const i32 = {
  const: (v: number): Code => [0x41, ...sleb(v | 0)],
  load: mem([0x28], 2),
  store: store([0x36], 2),
  eqz: op(0x45),
  eq: op(0x46),
  ne: op(0x47),
  ltS: op(0x48),
  ltU: op(0x49),
  gtS: op(0x4a),
  gtU: op(0x4b),
  leS: op(0x4c),
  geS: op(0x4e),
  add: op(0x6a),
  sub: op(0x6b),
  mul: op(0x6c),
  divS: op(0x6d),
  divU: op(0x6e),
  remU: op(0x70),
  and: op(0x71),
  or: op(0x72),
  xor: op(0x73),
  shl: op(0x74),
  shrS: op(0x75),
  shrU: op(0x76),
  rotl: op(0x77),
  wrapI64: op(0xa7),
  truncSatF32S: (x: Code): Code => cat(x, [0xfc, 0x00]),
  truncSatF64S: (x: Code): Code => cat(x, [0xfc, 0x02]),
  reinterpretF32: op(0xbc),
};

export const i64 = {
  const: (v: number | bigint): Code => [0x42, ...sleb(v)],
  add: op(0x7c),
  mul: op(0x7e),
  and: op(0x83),
  shrU: op(0x88),
  extendI32U: op(0xad),
};

export const f32 = {
  const: (v: number): Code => {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return [0x43, ...b];
  },
  load: mem([0x2a], 2),
  store: store([0x38], 2),
  eq: op(0x5b),
  ne: op(0x5c),
  lt: op(0x5d),
  gt: op(0x5e),
  le: op(0x5f),
  ge: op(0x60),
  abs: op(0x8b),
  neg: op(0x8c),
  floor: op(0x8e),
  sqrt: op(0x91),
  add: op(0x92),
  sub: op(0x93),
  mul: op(0x94),
  div: op(0x95),
  min: op(0x96),
  max: op(0x97),
  demoteF64: op(0xb6),
  convertI32S: op(0xb2),
  convertI32U: op(0xb3),
  reinterpretI32: op(0xbe),
};

export const f64 = {
  const: (v: number): Code => {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return [0x44, ...b];
  },
  load: mem([0x2b], 3),
  store: store([0x39], 3),
  add: op(0xa0),
  sub: op(0xa1),
  mul: op(0xa2),
  div: op(0xa3),
  promoteF32: op(0xbb),
  convertI32S: op(0xb7),
  convertI32U: op(0xb8),
};

// SIMD128 ---------------------------------------------------------------------------------------------
const simd =
  (code: number) =>
  (...args: Code[]): Code =>
    cat(...args, [0xfd], uleb(code));
const simdMem =
  (code: number, align: number) =>
  (addr: Code, offset = 0) =>
    cat(addr, [0xfd], uleb(code), uleb(align), uleb(offset));
const lane = (code: number) => (x: Code, laneIndex: number) => cat(x, [0xfd], uleb(code), [laneIndex]);

export const v128 = {
  load: simdMem(0, 4),
  /** Loads one f32 (or i32) and copies it into all four lanes. */
  load32Splat: simdMem(9, 2),
  store: (addr: Code, value: Code, offset = 0): Code =>
    cat(addr, value, [0xfd], uleb(11), uleb(4), uleb(offset)),
  const: (bytes: Uint8Array): Code => cat([0xfd], uleb(12), [...bytes]),
  not: simd(77),
  and: simd(78),
  andnot: simd(79),
  or: simd(80),
  xor: simd(81),
  /** Lanes of `a` where `mask` bits are 1, else of `b`. */
  bitselect: (a: Code, b: Code, mask: Code): Code => cat(a, b, mask, [0xfd], uleb(82)),
  anyTrue: simd(83),
  /** Lane `laneIndex` of a 4-lane value, stored as 32 bits at addr. */
  store32Lane: (addr: Code, value: Code, laneIndex: number, offset = 0): Code =>
    cat(addr, value, [0xfd], uleb(90), uleb(2), uleb(offset), [laneIndex]),
  /** Byte shuffle of two vectors: lane i of the result is byte `lanes[i]` of a ++ b. */
  shuffle: (a: Code, b: Code, lanes: readonly number[]): Code => cat(a, b, [0xfd], uleb(13), [...lanes]),
};

/** A constant vector of four equal f32 lanes. */
const f32x4Const = (v: number): Code => v128.const(new Uint8Array(new Float32Array([v, v, v, v]).buffer));
/** A constant vector of four equal i32 lanes. */
const i32x4Const = (v: number): Code => v128.const(new Uint8Array(new Int32Array([v, v, v, v]).buffer));

export const f32x4 = {
  const: f32x4Const,
  splat: simd(19),
  extractLane: lane(31),
  eq: simd(65),
  ne: simd(66),
  lt: simd(67),
  gt: simd(68),
  le: simd(69),
  ge: simd(70),
  ceil: simd(103),
  floor: simd(104),
  trunc: simd(105),
  /** Round half to even. */
  nearest: simd(106),
  abs: simd(224),
  neg: simd(225),
  sqrt: simd(227),
  add: simd(228),
  sub: simd(229),
  mul: simd(230),
  div: simd(231),
  /** NaN-propagating minimum (-0 < +0). */
  min: simd(232),
  max: simd(233),
  /** b < a ? b : a: one instruction on x86 (minps), but NaN in b is dropped; NaN in a is kept. */
  pmin: simd(234),
  /** a < b ? b : a: like pmin. */
  pmax: simd(235),
  convertI32x4S: simd(250),
  /**
   * a * b + c, fused or not as the engine chooses (relaxed SIMD: one FMA instruction where the CPU has it).
   * Only in modules made for engines that validate it (see support.ts).
   */
  relaxedMadd: (a: Code, b: Code, c: Code): Code => cat(a, b, c, [0xfd], uleb(261)),
  /** Lanes 0 and 1 widened to f64. */
  promoteLow: simd(95),
};

export const i32x4 = {
  const: i32x4Const,
  splat: simd(17),
  extractLane: lane(27),
  eq: simd(55),
  ltU: simd(58),
  gtS: simd(59),
  shl: simd(171),
  shrS: simd(172),
  shrU: simd(173),
  add: simd(174),
  sub: simd(177),
  mul: simd(181),
  truncSatF32x4S: simd(248),
};

export const i64x2 = {
  /** Lanes 0 and 1 of two i32x4, as unsigned, multiplied into two 64-bit lanes. */
  extmulLowI32x4U: simd(222),
  /** Lanes 2 and 3 likewise. */
  extmulHighI32x4U: simd(223),
};

export const f64x2 = {
  splat: simd(20),
  add: simd(240),
  sub: simd(241),
  extractLane: lane(33),
  /** Two f64 lanes rounded to f32 in lanes 0 and 1; lanes 2 and 3 are 0. */
  demoteZero: simd(94),
};

// Modules ---------------------------------------------------------------------------------------------

/** A function being assembled: its parameters and locals. */
export class FunctionBuilder {
  private readonly localTypes: ValType[] = [];
  /** The parameters, in order. */
  readonly params: Local[];

  constructor(
    readonly name: string,
    paramTypes: readonly ValType[],
    readonly result: ValType | null,
    /** Whether the module may use relaxed SIMD's multiply-add (see madd). */
    readonly fma: boolean,
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  /** a * b + c on four f32 lanes: relaxed SIMD's multiply-add where the module may, else a multiply and an add. */
  madd(a: Code, b: Code, c: Code): Code {
    return this.fma ? f32x4.relaxedMadd(a, b, c) : f32x4.add(c, f32x4.mul(a, b));
  }

  /** A new local of the given type (zero-initialised on entry). */
  local(type: ValType): Local {
    this.localTypes.push(type);
    return { index: this.params.length + this.localTypes.length - 1, type };
  }

  private readonly constants = new Map<string, Local>();
  private readonly prologue: Code[] = [];

  /**
   * A vector of four equal lanes (f32, or i32 bits), set once on entry: V8 does not hoist a v128.const out
   * of a loop, so kernels with many constants (polynomial coefficients) read them from locals instead.
   */
  splat(value: number, lanes: 'f32' | 'i32' = 'f32'): Code {
    const key = `${lanes}:${lanes === 'f32' ? Math.fround(value) : value | 0}`;
    let l = this.constants.get(key);
    if (!l) {
      l = this.local('v128');
      this.constants.set(key, l);
      this.prologue.push(set(l, lanes === 'f32' ? f32x4.const(value) : i32x4.const(value)));
    }
    return get(l);
  }

  /** The function body's encoding: local declarations, code, end. */
  encode(body: Code): number[] {
    const groups: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const decls = cat(uleb(groups.length), ...groups.map(([n, t]) => [...uleb(n), TYPE_BYTE[t]]));
    const fn = bytesOf([decls, this.prologue, body, [0x0b]]);
    return [...uleb(fn.length), ...fn];
  }
}

/** How the module's memory is imported: `env.memory`, shared (for threads) or not. */
export interface MemoryImport {
  minPages: number;
  maxPages: number;
  shared: boolean;
}

/** What a module is assembled for: its memory, and whether it may use relaxed SIMD's multiply-add. */
export interface ModuleOptions extends MemoryImport {
  fma?: boolean;
}

/** A module of exported functions over one imported memory, and functions imported from `env`. */
export class ModuleBuilder {
  private readonly imports: { name: string; params: readonly ValType[]; result: ValType | null }[] = [];
  private readonly funcs: { f: FunctionBuilder; body: Code }[] = [];

  constructor(private readonly memory: ModuleOptions) {}

  /** Declares a function imported as env.<name> (before any func()). */
  importFunc(name: string, params: readonly ValType[], result: ValType | null): void {
    if (this.funcs.length) throw new Error('assembler: imports come before functions');
    this.imports.push({ name, params, result });
  }

  /** Adds an exported function; `build` receives the builder (for parameters and locals) and returns the body. */
  func(
    name: string,
    params: readonly ValType[],
    result: ValType | null,
    build: (f: FunctionBuilder, ...params: Local[]) => Code,
  ): void {
    const f = new FunctionBuilder(name, params, result, this.memory.fma ?? false);
    this.funcs.push({ f, body: build(f, ...f.params) });
  }

  /** A call of an imported function or of one added earlier. */
  call(name: string, ...args: Code[]): Code {
    const imported = this.imports.findIndex((x) => x.name === name);
    const own = this.funcs.findIndex((x) => x.f.name === name);
    if (imported < 0 && own < 0) throw new Error(`assembler: no function named ${name}`);
    return cat(...args, [0x10], uleb(imported >= 0 ? imported : this.imports.length + own));
  }

  /** The binary module. */
  encode(): Uint8Array<ArrayBuffer> {
    const flat = (...parts: Code[]) => bytesOf(parts);
    const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
    const vec = (items: Code[]) => flat(uleb(items.length), ...items);
    const signature = (params: readonly ValType[], result: ValType | null) =>
      flat([0x60], vec(params.map((p) => [TYPE_BYTE[p]])), result ? [1, TYPE_BYTE[result]] : [0]);
    // One type per function: imported ones first, then the module's own (their indices follow suit).
    const types = [
      ...this.imports.map((x) => signature(x.params, x.result)),
      ...this.funcs.map(({ f }) =>
        signature(
          f.params.map((p) => p.type),
          f.result,
        ),
      ),
    ];
    const { minPages, maxPages, shared } = this.memory;
    const limits = [shared ? 0x03 : 0x01, ...uleb(minPages), ...uleb(maxPages)];
    const imports = vec([
      [utf8('env'), utf8('memory'), [0x02], limits],
      ...this.imports.map((x, i) => [utf8('env'), utf8(x.name), [0x00], uleb(i)]),
    ]);
    const first = this.imports.length;
    const bytes = flat(
      [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      section(1, vec(types)),
      section(2, imports),
      section(3, vec(this.funcs.map((_, i) => uleb(first + i)))),
      section(7, vec(this.funcs.map(({ f }, i) => [utf8(f.name), [0x00], uleb(first + i)]))),
      section(10, vec(this.funcs.map(({ f, body }) => f.encode(body)))),
    );
    return new Uint8Array(bytes);
  }
}
