'use strict';
// The classify page: each dropped or picked image is sent on its own (the server batches
// concurrent requests) and shown with its top-5 classes as bars and its latency.
const modelSelect = document.getElementById('model');
const modelInfo = document.getElementById('model-info');
const drop = document.getElementById('drop');
const picker = document.getElementById('files');
const results = document.getElementById('results');
const statusLine = document.getElementById('status');
let models = [];

async function loadModels() {
  const { status, body } = await Api.call('/v1/models');
  if (status !== 200) {
    statusLine.textContent = body.error || 'cannot list the models';
    return;
  }
  models = body.models;
  modelSelect.innerHTML = models.map(m => `<option value="${escapeHtml(m.name)}">${escapeHtml(m.name)}</option>`).join('');
  showModelInfo();
  statusLine.textContent = '';
}

function showModelInfo() {
  const m = models.find(x => x.name === modelSelect.value);
  modelInfo.textContent = m ? `${m.architecture} · ${m.classes} classes · ${m.input[1]}×${m.input[2]} input · ${m.engine}` : '';
}

function classifyAll(files) {
  for (const file of files) {
    if (file.type && !file.type.startsWith('image/')) continue;
    classify(file);
  }
}

async function classify(file) {
  const card = document.createElement('div');
  card.className = 'card';
  card.innerHTML = `<img alt=""><div><div class="file"></div><div class="latency">classifying…</div><div class="bars"></div></div>`;
  card.querySelector('img').src = URL.createObjectURL(file);
  card.querySelector('.file').textContent = file.name;
  results.prepend(card);
  const model = modelSelect.value;
  const started = performance.now();
  const { status, body } = await Api.call(`/v1/models/${encodeURIComponent(model)}/predict?top=5`, {
    method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file,
  });
  const roundTrip = performance.now() - started;
  const latency = card.querySelector('.latency');
  if (status !== 200) {
    latency.textContent = `${model} · HTTP ${status}`;
    card.querySelector('.bars').innerHTML = `<div class="error">${escapeHtml(body.error || 'failed')}</div>`;
    return;
  }
  latency.textContent = `${model} · ${roundTrip.toFixed(0)} ms round trip · ${body.ms.toFixed(1)} ms in the server`;
  card.querySelector('.bars').innerHTML = body.predictions.map(p => {
    const pct = (100 * p.probability);
    return `<div class="bar" title="class ${p.index}"><div class="track"><div class="fill" style="width:${pct.toFixed(1)}%"></div>`
      + `<div class="name">${escapeHtml(p.name)}</div></div><div class="pct">${pct.toFixed(1)}%</div></div>`;
  }).join('');
}

drop.addEventListener('click', () => picker.click());
drop.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') picker.click(); });
drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', e => {
  e.preventDefault();
  drop.classList.remove('over');
  classifyAll(e.dataTransfer.files);
});
picker.addEventListener('change', () => { classifyAll(picker.files); picker.value = ''; });
modelSelect.addEventListener('change', showModelInfo);
setUpTokenField(loadModels);
loadModels();
