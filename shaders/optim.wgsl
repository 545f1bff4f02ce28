// Fused optimiser steps: one dispatch updates every parameter of a model (all packed into one flat
// buffer) and its moment buffers. RULE picks the update; the codes follow OPTIMIZER_RULES in backend.ts.
// The CPU twin is src/backends/cpu/optim.ts; both compute exactly the formulas written below.

override RULE: u32 = 0u; // 0 sgd, 1 momentum, 2 nesterov, 3 rmsprop, 4 adam, 5 adamw
const WG: u32 = 256u;

struct Params {
  n: u32,
  lr: f32,
  weight_decay: f32,
  beta1: f32,      // momentum coefficient (momentum, nesterov), decay rate (rmsprop), beta1 (adam)
  beta2: f32,      // beta2 (adam)
  eps: f32,
  correction1: f32, // 1 - beta1^t (adam bias correction)
  correction2: f32, // 1 - beta2^t
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(WG)
fn step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_id(gid, nwg, WG);
  if (i >= p.n) { return; }
  let w = params[i];
  // Coupled weight decay (an L2 term in the gradient) for every rule but AdamW.
  var g = grads[i];
  if (RULE != 5u) { g = g + p.weight_decay * w; }
  switch RULE {
    case 0u: { params[i] = w - p.lr * g; }
    case 1u, 2u: {
      let buf = p.beta1 * m[i] + g;
      m[i] = buf;
      var d = buf;
      if (RULE == 2u) { d = g + p.beta1 * buf; }
      params[i] = w - p.lr * d;
    }
    case 3u: {
      let s = p.beta1 * m[i] + (1.0 - p.beta1) * g * g;
      m[i] = s;
      params[i] = w - p.lr * g / (sqrt(s) + p.eps);
    }
    default: {
      let m1 = p.beta1 * m[i] + (1.0 - p.beta1) * g;
      let v1 = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
      m[i] = m1;
      v[i] = v1;
      let update = (m1 / p.correction1) / (sqrt(v1 / p.correction2) + p.eps);
      if (RULE == 5u) {
        params[i] = w - p.lr * (update + p.weight_decay * w);
      } else {
        params[i] = w - p.lr * update;
      }
    }
  }
}
