// The fused optimiser step in WebAssembly SIMD: the update formulas of src/backends/cpu/optim.ts (and
// shaders/optim.wgsl) over four parameters at a time, in place, one function per rule.
import { OPTIMIZER_RULES, type OptimizerRule } from '../../backend';
import {
  type Code,
  f32x4,
  forRange,
  get,
  i32,
  type Local,
  type ModuleBuilder,
  seq,
  set,
  v128,
  f32Addr,
} from '../assembler';

const c = i32.const;
const at = f32Addr;

/**
 * optim_<rule>(p, g, m, v, n, lr, wd, b1, oneMinusB1, b2, oneMinusB2, eps, c1, c2): updates params p (and
 * the moments m, v) from grads g for n elements. 1 - beta is passed in (computed in float64 by the caller).
 */
export function addOptim(m: ModuleBuilder): void {
  for (const rule of OPTIMIZER_RULES) {
    m.func(
      `optim_${rule}`,
      ['i32', 'i32', 'i32', 'i32', 'i32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32'],
      null,
      (f, p, g, mb, vb, n, ...hyper) => {
        const [lr, wd, b1, omb1, b2, omb2, eps, c1, c2] = hyper.map((h) => {
          const l = f.local('v128');
          return { scalar: h, vec: l };
        });
        const i = f.local('i32');
        const n4 = f.local('i32');
        const w = f.local('v128');
        const gr = f.local('v128');
        const buf = f.local('v128');
        const s = f.local('v128');
        const V = (h: { vec: Local }) => get(h.vec);
        // One update of four lanes at addresses of element i; `load`/`store` are full or single-lane.
        const update = (load: (base: Local) => Code, store: (base: Local, v: Code) => Code): Code => {
          const body = stepFor(rule);
          return seq(
            set(w, load(p)),
            set(gr, rule === 'adamw' ? load(g) : f32x4.add(load(g), f32x4.mul(V(wd), get(w)))),
            body(load, store),
          );
        };
        const stepFor =
          (r: OptimizerRule) => (load: (b: Local) => Code, store: (b: Local, v: Code) => Code) => {
            const newW = (delta: Code) => store(p, f32x4.sub(get(w), f32x4.mul(V(lr), delta)));
            switch (r) {
              case 'sgd':
                return newW(get(gr));
              case 'momentum':
              case 'nesterov':
                return seq(
                  set(buf, f32x4.add(f32x4.mul(V(b1), load(mb)), get(gr))),
                  store(mb, get(buf)),
                  newW(r === 'nesterov' ? f32x4.add(get(gr), f32x4.mul(V(b1), get(buf))) : get(buf)),
                );
              case 'rmsprop':
                return seq(
                  set(
                    s,
                    f32x4.add(f32x4.mul(V(b1), load(mb)), f32x4.mul(V(omb1), f32x4.mul(get(gr), get(gr)))),
                  ),
                  store(mb, get(s)),
                  newW(f32x4.div(get(gr), f32x4.add(f32x4.sqrt(get(s)), V(eps)))),
                );
              default: {
                const upd = f32x4.div(
                  f32x4.div(get(buf), V(c1)),
                  f32x4.add(f32x4.sqrt(f32x4.div(get(s), V(c2))), V(eps)),
                );
                return seq(
                  set(buf, f32x4.add(f32x4.mul(V(b1), load(mb)), f32x4.mul(V(omb1), get(gr)))),
                  set(
                    s,
                    f32x4.add(f32x4.mul(V(b2), load(vb)), f32x4.mul(V(omb2), f32x4.mul(get(gr), get(gr)))),
                  ),
                  store(mb, get(buf)),
                  store(vb, get(s)),
                  newW(r === 'adamw' ? f32x4.add(upd, f32x4.mul(V(wd), get(w))) : upd),
                );
              }
            }
          };
        return seq(
          [lr, wd, b1, omb1, b2, omb2, eps, c1, c2].map((h) => set(h.vec, f32x4.splat(get(h.scalar)))),
          set(n4, i32.and(get(n), c(~3))),
          forRange(
            i,
            c(0),
            get(n4),
            4,
            update(
              (base) => v128.load(at(get(base), get(i))),
              (base, v) => v128.store(at(get(base), get(i)), v),
            ),
          ),
          forRange(
            i,
            get(n4),
            get(n),
            1,
            update(
              (base) => v128.load32Splat(at(get(base), get(i))),
              (base, v) => v128.store32Lane(at(get(base), get(i)), v, 0),
            ),
          ),
        );
      },
    );
  }
}
