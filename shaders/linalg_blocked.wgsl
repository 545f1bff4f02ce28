// The panel step of the blocked LU with partial pivoting (src/linalg/blocked.ts): P A = L U of tall m x b
// panels, one workgroup per matrix working in the output buffer (a panel of a 2048 x 2048 matrix is 2048 x
// 64, past workgroup memory). Per column: the pivot by a tree reduction over the rows (largest |a|, the
// first of equals, as the CPU twin), the row swap, then each row below eliminated by its own invocation.
// The trailing matrix is updated outside, by matmul.

const WG: u32 = 256u;

struct Params {
  batch: u32,
  m: u32,
  b: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> panel: array<f32>;
@group(0) @binding(3) var<storage, read_write> perm: array<f32>;
@group(0) @binding(4) var<storage, read_write> sign: array<f32>;

var<workgroup> best_abs: array<f32, WG>;
var<workgroup> best_row: array<u32, WG>;

// Every invocation has finished the previous step and sees its writes to the panel.
fn sync() {
  storageBarrier();
  workgroupBarrier();
}

@compute @workgroup_size(WG)
fn lu_panel(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let z = wid.x + wid.y * nwg.x;
  if (z >= p.batch) { return; }
  let m = p.m;
  let nb = p.b;
  let t = lid.x;
  let base = z * m * nb;
  for (var e = t; e < m * nb; e += WG) { panel[base + e] = src[base + e]; }
  for (var i = t; i < m; i += WG) { perm[z * m + i] = f32(i); }
  if (t == 0u) { sign[z] = 1.0; }
  sync();
  for (var j = 0u; j < min(m, nb); j++) {
    var ba = -1.0; // below any |a|, so every invocation with rows proposes its first row
    var br = j;
    for (var i = j + t; i < m; i += WG) {
      let v = abs(panel[base + i * nb + j]);
      if (v > ba) { ba = v; br = i; }
    }
    best_abs[t] = ba;
    best_row[t] = br;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half /= 2u) {
      if (t < half) {
        let oa = best_abs[t + half];
        let orow = best_row[t + half];
        if (oa > best_abs[t] || (oa == best_abs[t] && orow < best_row[t])) {
          best_abs[t] = oa;
          best_row[t] = orow;
        }
      }
      workgroupBarrier();
    }
    let r = best_row[0];
    if (r != j) {
      for (var c = t; c < nb; c += WG) {
        let v = panel[base + j * nb + c];
        panel[base + j * nb + c] = panel[base + r * nb + c];
        panel[base + r * nb + c] = v;
      }
      if (t == 0u) {
        let pj = perm[z * m + j];
        perm[z * m + j] = perm[z * m + r];
        perm[z * m + r] = pj;
        sign[z] = -sign[z];
      }
    }
    sync();
    let d = panel[base + j * nb + j];
    if (d != 0.0) {
      for (var i = j + 1u + t; i < m; i += WG) {
        let l = panel[base + i * nb + j] / d;
        panel[base + i * nb + j] = l;
        for (var c = j + 1u; c < nb; c++) { panel[base + i * nb + c] -= l * panel[base + j * nb + c]; }
      }
    }
    sync();
  }
}
