// Turns a benchmark result (window.__bench plus browser and date) into a Markdown report and an HTML
// report with bar charts. Every figure is also given as a ratio to gradbox on WebGPU for the same case
// and as a fraction of the adapter's measured limits.

const f = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '-' : Number(v).toFixed(d));
const sig = (v) =>
  v === null || v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);

function adapterLine(r) {
  const a = r.adapter;
  if (!a) return 'no WebGPU adapter';
  const sw = /swiftshader/i.test(`${a.vendor} ${a.architecture} ${a.description}`);
  return `${a.vendor} / ${a.architecture}${a.description ? ` / ${a.description}` : ''}${sw ? ' (SwiftShader: a software Vulkan driver that runs shaders on the CPU; not a GPU)' : ''}`;
}

function limitOf(r, row) {
  if (!r.limits || row.value === undefined) return null;
  if (row.unit === 'GFLOP/s') return row.value / r.limits.fmaGflops;
  return row.unit === 'GB/s' ? row.value / r.limits.copyKernelGBs : null;
}

function ratioToGradbox(r, row) {
  const ref = r.rows.find(
    (x) =>
      x.suite === row.suite &&
      x.case === row.case &&
      x.library === 'gradbox' &&
      x.backend === 'webgpu' &&
      (!x.variant || x.variant === 'auto'),
  );
  if (!ref?.medianMs || !row.medianMs) return null;
  return ref.medianMs / row.medianMs; // > 1: faster than gradbox on WebGPU
}

export function markdown(r) {
  const out = [];
  out.push(`# gradbox benchmarks, ${r.date.slice(0, 10)}${r.quick ? ' (quick set)' : ''}`, '');
  out.push(`- Browser: ${r.browser}`);
  out.push(`- Adapter: ${adapterLine(r)}`);
  if (r.adapter) out.push(`- Adapter features: ${r.adapter.features.join(', ')}`);
  out.push(`- Suites: ${r.suites.join(', ')}; run time ${f(r.seconds, 0)} s`);
  out.push(
    `- Method: inputs in [-1, 1]; each result checked against float64 first; one warm-up, then ${r.quick ? 3 : 5} repetitions (1 when a run takes over 5 s); the median, with min..max. "ms" is queue + wait without readback; "kernel ms" is GPU time from timestamp queries; "e2e ms" includes reading the result back. Ratio: gradbox-webgpu time / this time (above 1: faster than gradbox on WebGPU).`,
    '',
  );
  if (r.limits) {
    out.push("## The adapter's measured limits", '');
    out.push(
      '| peak FMA throughput | copy bandwidth (kernel) | copy bandwidth (copyBufferToBuffer) |',
      '|---|---|---|',
    );
    out.push(
      `| ${f(r.limits.fmaGflops)} GFLOP/s | ${f(r.limits.copyKernelGBs)} GB/s | ${f(r.limits.copyBufferGBs)} GB/s |`,
      '',
    );
    out.push(r.limits.detail, '');
  }
  for (const suite of ['matmul', 'ladder', 'reductions', 'elementwise', 'scan', 'linalg', 'stats']) {
    const rs = r.rows.filter((x) => x.suite === suite);
    if (!rs.length) continue;
    out.push(`## ${suite}`, '');
    out.push(
      '| case | library | backend | kernel | ms (min..max) | kernel ms | e2e ms | rate | of adapter limit | ratio to gradbox-webgpu | check |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const x of rs) {
      if (x.skipped) {
        out.push(
          `| ${x.case} | ${x.library} | ${x.backend} | ${x.variant ?? ''} | - | - | - | - | - | - | ${x.skipped} |`,
        );
        continue;
      }
      const lim = limitOf(r, x);
      const ratio = ratioToGradbox(r, x);
      out.push(
        `| ${x.case} | ${x.library} | ${x.backend} | ${x.variant ?? ''} | ${sig(x.medianMs)} (${sig(x.minMs)}..${sig(x.maxMs)}) | ${sig(x.kernelMs)} | ${sig(x.endToEndMs)} | ${sig(x.value)} ${x.unit ?? ''} | ${lim === null ? '-' : `${f(lim * 100, 1)}%`} | ${ratio === null ? '-' : f(ratio)} | ${x.check ?? ''} |`,
      );
    }
    out.push('');
  }
  out.push(...cpuSection(r));
  if (r.training.length) {
    out.push('## training steps', '');
    out.push(
      '| workload | library | backend | steps/s | dispatches/step | submits/step | ratio to gradbox (same backend) | loss first -> last |',
    );
    out.push('|---|---|---|---|---|---|---|---|');
    for (const t of r.training) {
      const ref = r.training.find(
        (x) => x.workload === t.workload && x.library === 'gradbox' && x.backend === t.backend,
      );
      out.push(
        `| ${t.workload} | ${t.library} | ${t.backend} | ${sig(t.stepsPerSec)} | ${sig(t.dispatchesPerStep)} | ${sig(t.submitsPerStep)} | ${ref ? f(t.stepsPerSec / ref.stepsPerSec) : '-'} | ${f(t.firstLoss, 3)} -> ${f(t.lastLoss, 3)} |`,
      );
    }
    out.push('');
  }
  if (r.calibration) {
    const c = r.calibration;
    out.push('## automatic backend choice', '');
    out.push(
      `A calibration of ${f(c.ms, 0)} ms (a 128^3 matmul, a reduction and a broadcast add, 3 times on each backend) took ${f(c.webgpuMs, 1)} ms on WebGPU and ${f(c.cpuMs, 1)} ms on the CPU, so 'auto' with calibration picks **${c.choice}**. How close that choice comes to the better backend of each case of every suite that ran on both (geometric mean of best time / chosen time, steps/s inverted for training; 1.00 is always the better one):`,
      '',
    );
    out.push('| suite | cases | closeness |', '|---|---|---|');
    for (const a of r.auto) out.push(`| ${a.suite} | ${a.cases} | ${f(a.closeness)} |`);
    out.push('');
  }
  if (r.errors.length) out.push('## errors', '', ...r.errors.map((e) => `- ${e}`), '');
  return `${out.join('\n')}\n`;
}

// Issue 13: the CPU backends side by side.
/**
 * gradbox's wasm backend against the other CPU peers, case by case: each peer's time over wasm's (above 1:
 * wasm is faster), and the training steps per second of the CPU backends.
 */
function cpuSection(r) {
  // [library, backend, variant, the gradbox wasm variant it is compared with]: single-threaded peers
  // against gradbox's single-threaded figures, threaded ones (jax-js's worker pool) against its threads.
  const peers = [
    ['gradbox', 'js', undefined, undefined],
    ['tfjs 4.22', 'wasm', undefined, '1 thread'],
    ['tfjs 4.22', 'cpu', undefined, '1 thread'],
    ['jax-js 0.1.25', 'wasm', undefined, undefined],
  ];
  const timeOf = (suite, c, library, backend, variant) =>
    r.rows.find(
      (x) =>
        x.suite === suite &&
        x.case === c &&
        x.library === library &&
        x.backend === backend &&
        x.medianMs !== undefined &&
        (variant ? x.variant === variant : !x.variant || x.variant === 'auto'),
    )?.medianMs;
  const lines = [];
  for (const suite of ['matmul', 'reductions', 'elementwise', 'scan']) {
    for (const c of [...new Set(r.rows.filter((x) => x.suite === suite).map((x) => x.case))]) {
      const wasm = timeOf(suite, c, 'gradbox', 'wasm');
      if (wasm === undefined) continue;
      const single = timeOf(suite, c, 'gradbox', 'wasm', '1 thread');
      const cells = peers.map(([lib, b, v, against]) => {
        const t = timeOf(suite, c, lib, b, v);
        const ref = against ? single : wasm;
        return t === undefined || ref === undefined ? '-' : `${sig(t)} (${f(t / ref)}x)`;
      });
      lines.push(
        `| ${suite} | ${c} | ${sig(wasm)} | ${single === undefined ? '-' : sig(single)} | ${cells.join(' | ')} |`,
      );
    }
  }
  if (!lines.length) return [];
  const out = ['## CPU backends: gradbox wasm against the others', ''];
  out.push(
    "Median ms per case; in brackets the peer's time over gradbox wasm's (above 1: gradbox wasm is faster): tfjs (one thread) over gradbox wasm on one thread, gradbox js and jax-js (its own threads where the page is cross-origin isolated) over gradbox wasm on all its threads.",
    '',
  );
  out.push(
    `| suite | case | gradbox wasm ms | gradbox wasm 1 thread ms | ${peers.map(([l, b]) => `${l.replace(/ [\d.]+$/, '')} ${b} ms`).join(' | ')} |`,
    `|---|---|---|---|${peers.map(() => '---|').join('')}`,
    ...lines,
    '',
  );
  const train = r.training.filter((t) => t.backend !== 'webgpu');
  for (const wl of [...new Set(train.map((t) => t.workload))]) {
    const wasm = train.find((t) => t.workload === wl && t.library === 'gradbox' && t.backend === 'wasm');
    if (!wasm) continue;
    const others = train
      .filter((t) => t.workload === wl && t !== wasm)
      .map(
        (t) =>
          `${t.library} ${t.backend} ${sig(t.stepsPerSec)} (wasm ${f(wasm.stepsPerSec / t.stepsPerSec)}x)`,
      );
    out.push(`- training ${wl}: gradbox wasm ${sig(wasm.stepsPerSec)} steps/s; ${others.join('; ')}`);
  }
  if (train.length) out.push('');
  return out;
}

const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);

/** A horizontal bar chart (log scale) of one case's rate per library. */
function chart(title, bars, unit) {
  const w = 340;
  const rowH = 18;
  const vals = bars.map((b) => b.value).filter((v) => v > 0);
  if (!vals.length) return '';
  const lo = Math.log10(Math.min(...vals)) - 0.3;
  const hi = Math.log10(Math.max(...vals)) + 0.1;
  const x = (v) => 150 + ((Math.log10(v) - lo) / (hi - lo)) * (w - 200);
  const h = 24 + bars.length * rowH;
  const items = bars
    .map((b, i) => {
      const y = 20 + i * rowH;
      const color = b.label.startsWith('gradbox webgpu')
        ? '#2563eb'
        : b.label.startsWith('gradbox')
          ? '#60a5fa'
          : b.label.startsWith('jax-js')
            ? '#16a34a'
            : '#f97316';
      return `<text x="145" y="${y + 12}" text-anchor="end" font-size="10">${esc(b.label)}</text><rect x="150" y="${y + 2}" width="${Math.max(1, x(b.value) - 150)}" height="${rowH - 5}" fill="${color}"/><text x="${x(b.value) + 4}" y="${y + 12}" font-size="11">${sig(b.value)}</text>`;
    })
    .join('');
  return `<figure><svg width="${w}" height="${h}" xmlns="http://www.w3.org/2000/svg"><text x="0" y="12" font-size="12" font-weight="bold">${esc(title)} (${unit}, log scale)</text>${items}</svg></figure>`;
}

export function reportHtml(r) {
  const charts = [];
  for (const suite of ['matmul', 'ladder', 'reductions', 'elementwise', 'scan', 'linalg', 'stats']) {
    const rs = r.rows.filter((x) => x.suite === suite && x.value);
    for (const c of [...new Set(rs.map((x) => x.case))]) {
      const bars = rs
        .filter((x) => x.case === c)
        .map((x) => ({
          label:
            x.variant && x.variant !== 'auto'
              ? x.variant
              : `${x.library.replace(/ [\d.]+$/, '')} ${x.backend}`,
          value: x.value,
        }));
      charts.push(chart(`${suite}: ${c}`, bars, rs.find((x) => x.case === c).unit));
    }
  }
  if (r.training.length) {
    for (const wl of [...new Set(r.training.map((t) => t.workload))]) {
      charts.push(
        chart(
          `training: ${wl}`,
          r.training
            .filter((t) => t.workload === wl)
            .map((t) => ({
              label: `${t.library.replace(/ [\d.]+$/, '')} ${t.backend}`,
              value: t.stepsPerSec,
            })),
          'steps/s',
        ),
      );
    }
  }
  const md = markdown(r);
  return `<!doctype html><html><head><meta charset="utf-8"><title>gradbox benchmarks ${esc(r.date)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:1050px}figure{margin:.2rem}pre{white-space:pre-wrap;font-size:11px}</style></head>
<body><h1>gradbox benchmarks</h1><p>${esc(r.browser)}; adapter: ${esc(adapterLine(r))}; ${r.quick ? 'quick set' : 'full set'}; ${f(r.seconds, 0)} s.</p>
<p>Blue: gradbox on WebGPU (dark) and on the CPU, wasm and js (light); green: jax-js 0.1.25; orange: the other peers (tfjs 4.22; for linalg ml-matrix 6.15). Every value was checked for correctness before it was timed.</p>
<div id="charts" style="display:flex;flex-wrap:wrap;gap:4px">${charts.join('\n')}</div>
<h2>Tables</h2><pre>${esc(md)}</pre></body></html>\n`;
}
