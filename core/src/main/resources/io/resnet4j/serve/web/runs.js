'use strict';
// The runs dashboard: a table of every run, and for the ticked runs their error and loss curves,
// drawn as SVG and extended every few seconds with the rows a running training appends.
const COLORS = ['#2f6fdb', '#d35400', '#1e8449', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#b7950b'];
const REFRESH_MS = 2000;
const runsBody = document.getElementById('runs');
const statusLine = document.getElementById('status');
const logLoss = document.getElementById('log-loss');
const logError = document.getElementById('log-error');
const selected = new Map(); // run id -> {color, rows, next}
let firstLoad = true;
let refreshing = null;

// One refresh at a time: overlapping ones would fetch the same new rows twice.
function refresh() {
  if (!refreshing) refreshing = load().finally(() => { refreshing = null; });
  return refreshing;
}

async function load() {
  const { status, body } = await Api.call('/v1/runs');
  if (status !== 200) {
    statusLine.textContent = status === 404 ? 'No runs folder: start the server with --runs DIR.' : (body.error || '');
    return;
  }
  document.getElementById('folder').textContent = `${body.runs.length} runs in ${body.folder}`;
  statusLine.textContent = body.runs.length ? '' : 'No runs yet: each folder with a metrics.csv or run.json appears here.';
  if (firstLoad && body.runs.length) {
    // Start with the most recently updated run on the charts.
    select(body.runs[0].id);
    firstLoad = false;
  }
  renderTable(body.runs);
  await Promise.all([...selected.keys()].map(fetchRows));
  draw();
}

function select(id) {
  const used = new Set([...selected.values()].map(s => s.color));
  const color = COLORS.find(c => !used.has(c)) || COLORS[selected.size % COLORS.length];
  selected.set(id, { color: color, rows: [], next: 0 });
}

function renderTable(runs) {
  runsBody.innerHTML = runs.map(r => {
    const s = selected.get(r.id);
    return `<tr data-run="${escapeHtml(r.id)}">`
      + `<td><input type="checkbox" ${s ? 'checked' : ''} aria-label="show ${escapeHtml(r.id)}">`
      + (s ? ` <span class="swatch" style="background:${s.color}"></span>` : '') + '</td>'
      + `<td>${escapeHtml(r.id)}</td><td>${escapeHtml(r.model || '')}</td>`
      + `<td class="status-${escapeHtml(r.status)}">${escapeHtml(r.status)}</td>`
      + `<td class="num iteration">${r.iteration ?? ''}</td>`
      + `<td class="num">${percent(r.bestValError)}</td><td class="num">${percent(r.lastTrainError)}</td>`
      + `<td class="num">${r.imagesPerSecond == null ? '' : r.imagesPerSecond.toFixed(1)}</td>`
      + `<td>${age(r.updatedMillis)}</td></tr>`;
  }).join('');
  runsBody.querySelectorAll('input[type=checkbox]').forEach(box => box.addEventListener('change', () => {
    const id = box.closest('tr').dataset.run;
    if (box.checked) select(id); else selected.delete(id);
    draw();
    refresh();
  }));
}

function percent(v) { return v == null ? '' : (100 * v).toFixed(2) + '%'; }

function age(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return new Date(ms).toISOString().slice(0, 10);
}

// Asks only for the rows after those already drawn.
async function fetchRows(id) {
  const run = selected.get(id);
  const { status, body } = await Api.call(`/v1/runs/metrics?run=${encodeURIComponent(id)}&from=${run.next}`);
  if (status !== 200) return;
  if (body.next < run.next) { run.rows = []; } // the file was rewritten (a resumed run): start over
  run.rows.push(...body.rows);
  run.next = body.next;
}

function draw() {
  const error = [], loss = [];
  for (const [id, run] of selected) {
    const train = run.rows.filter(r => r[4] != null).map(r => [r[0], 100 * r[4]]);
    const val = run.rows.filter(r => r[5] != null).map(r => [r[0], 100 * r[5]]);
    error.push({ id, color: run.color, points: train, dashed: true, label: `${id} training` });
    error.push({ id, color: run.color, points: val, dashed: false, label: `${id} validation` });
    loss.push({ id, color: run.color, points: run.rows.filter(r => r[3] != null && r[3] > 0).map(r => [r[0], r[3]]),
      dashed: true, label: `${id} training loss` });
  }
  Chart.draw(document.getElementById('error-chart'), error, { yLabel: 'error (%)', log: logError.checked });
  Chart.draw(document.getElementById('loss-chart'), loss, { yLabel: 'loss', log: logLoss.checked });
  legend('error-legend', error);
  legend('loss-legend', loss);
}

function legend(elementId, series) {
  document.getElementById(elementId).innerHTML = series.filter(s => s.points.length).map(s =>
    `<svg width="26" height="8"><line x1="0" y1="4" x2="26" y2="4" stroke="${s.color}" stroke-width="2"`
    + `${s.dashed ? ' stroke-dasharray="5 3"' : ''}/></svg> ${escapeHtml(s.label)}`).join(' &nbsp; ');
}

// A small line chart in SVG: iterations on x, linear or log y, ticks at round numbers.
const Chart = {
  W: 560, H: 340, M: { left: 58, right: 14, top: 12, bottom: 44 },

  draw(svg, series, opts) {
    const pts = series.flatMap(s => s.points);
    const { W, H, M } = this;
    if (!pts.length) {
      svg.innerHTML = `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no rows yet</text>`;
      return;
    }
    const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]).filter(y => !opts.log || y > 0);
    const xMax = Math.max(1, ...xs);
    let yMin = Math.min(...ys), yMax = Math.max(...ys);
    if (!opts.log) { yMin = Math.min(0, yMin); }
    if (yMax <= yMin) yMax = yMin + 1;
    const ly = v => Math.log10(v);
    const yTicks = opts.log ? this.logTicks(yMin, yMax) : this.ticks(yMin, yMax, 6);
    if (opts.log) { yMin = Math.min(yMin, yTicks[0]); yMax = Math.max(yMax, yTicks[yTicks.length - 1]); }
    else { yMax = Math.max(yMax, yTicks[yTicks.length - 1]); }
    const xTicks = this.ticks(0, xMax, 6);
    const plotW = W - M.left - M.right, plotH = H - M.top - M.bottom;
    const sx = x => M.left + plotW * x / Math.max(xMax, xTicks[xTicks.length - 1]);
    const sy = opts.log ? y => M.top + plotH * (1 - (ly(y) - ly(yMin)) / (ly(yMax) - ly(yMin)))
      : y => M.top + plotH * (1 - (y - yMin) / (yMax - yMin));
    let out = '';
    for (const t of yTicks) {
      out += `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${sy(t)}" y2="${sy(t)}"/>`
        + `<text x="${M.left - 6}" y="${sy(t) + 4}" text-anchor="end">${this.label(t)}</text>`;
    }
    for (const t of xTicks) {
      out += `<line class="grid" y1="${M.top}" y2="${H - M.bottom}" x1="${sx(t)}" x2="${sx(t)}"/>`
        + `<text x="${sx(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${this.label(t)}</text>`;
    }
    out += `<line class="axis" x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}"/>`
      + `<line class="axis" x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}"/>`
      + `<text x="${M.left + plotW / 2}" y="${H - 6}" text-anchor="middle">iterations</text>`
      + `<text transform="translate(14 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${opts.yLabel}${opts.log ? ' (log scale)' : ''}</text>`;
    for (const s of series) {
      const p = s.points.filter(q => !opts.log || q[1] > 0);
      if (!p.length) continue;
      const d = p.map((q, i) => `${i ? 'L' : 'M'}${sx(q[0]).toFixed(1)},${sy(q[1]).toFixed(1)}`).join('');
      out += `<path class="series" data-run="${escapeHtml(s.id)}" data-kind="${s.dashed ? 'train' : 'val'}" data-points="${p.length}"`
        + ` d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 1.4 : 2.2}"`
        + `${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`;
    }
    svg.innerHTML = out;
  },

  ticks(lo, hi, count) {
    const span = hi - lo || 1;
    const raw = span / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map(f => f * mag).find(s => span / s <= count) || 10 * mag;
    const out = [];
    for (let t = Math.floor(lo / step) * step; t <= hi + step * 0.999; t += step) out.push(+t.toPrecision(12));
    return out;
  },

  logTicks(lo, hi) {
    const out = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const f of [1, 2, 5]) {
        const t = f * Math.pow(10, e);
        if (t >= lo / 2.01 && t <= hi * 2.01) out.push(+t.toPrecision(6));
      }
    }
    return out.length >= 2 ? out : [lo, hi];
  },

  label(v) {
    if (v >= 10000) return (v / 1000) + 'k';
    return String(+v.toPrecision(4));
  },
};

logLoss.addEventListener('change', draw);
logError.addEventListener('change', draw);
setUpTokenField(refresh);
refresh();
setInterval(refresh, REFRESH_MS);
