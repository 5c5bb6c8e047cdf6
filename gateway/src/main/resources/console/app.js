// Pilotlight's console: one page, plain JavaScript, served by the daemon at /console/. Every call to
// /api/v1 carries the bearer token the user signed in with (kept in sessionStorage: gone with the tab).
// Data never reaches innerHTML: every node is built with createElement/textContent.
'use strict';

const TOKEN_KEY = 'pilotlight.token';
const REFRESH_MS = 5000;
const LOG_RENDER_MS = 250;
const LOG_RETRY_MS = 2000;
const WINDOWS = ['15m', '1h', '6h', '24h', '7d'];
const MAX_LOG_LINES = 2000;
const SPARKLINES = 30;

/** What the page holds; the browser tests read it (charts' data, the last metrics window). */
const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  timers: [],
  aborts: [],
  charts: {},
  lastMetrics: null,
  logLines: [],
  window: '1h',
  refreshes: 0,
};
window.__console = state;

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// ---------- helpers ----------

/** h('td', {class: 'num'}, 'text', child…): an element with attributes (on* as listeners) and children. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const $ = (sel, root = document) => root.querySelector(sel);
const main = () => $('#main');
const fmt = (v, digits = 0) => (v === null || v === undefined || Number.isNaN(v) ? '–' :
  Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }));
const enc = encodeURIComponent;

async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {}, { Authorization: 'Bearer ' + state.token });
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  if (res.status === 401) {
    signOut('The daemon refused the token (401 Unauthorized): sign in again.');
    throw new ApiError(401, 'token refused');
  }
  if (!res.ok) {
    let message = res.status + ' ' + res.statusText;
    try {
      const body = await res.json();
      message = res.status + ' ' + (body.error || '') + ': ' + (body.message || '');
    } catch (e) { /* not JSON */ }
    throw new ApiError(res.status, message);
  }
  return res;
}

const getJson = async (path) => (await api(path)).json();

function stopBackground() {
  state.timers.forEach(clearInterval);
  state.timers = [];
  state.aborts.forEach((a) => a.abort());
  state.aborts = [];
  Object.values(state.charts).forEach((c) => c.destroy());
  state.charts = {};
}

// A tick that comes while the previous one still waits for its answers is skipped: on a busy daemon
// the requests would otherwise pile up behind the browser's six connections and the page fall behind.
function every(ms, fn) {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await fn();
    } finally {
      running = false;
    }
  };
  tick();
  state.timers.push(setInterval(tick, ms));
}

function showError(where, e) {
  if (!where) return;
  where.replaceChildren(h('span', { class: 'error' }, e instanceof ApiError && e.status === 403
    ? 'Not allowed with this token (403): ' + e.message : String(e.message || e)));
}

// ---------- sign-in ----------

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  stopBackground();
  renderSignIn(message);
}

function renderSignIn(message) {
  $('#sign-out').hidden = true;
  $('#where').textContent = '';
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', placeholder: 'plt_…', 'aria-label': 'token' });
  const note = h('p', { id: 'signin-message', class: message ? 'error' : 'muted' },
    message || 'Sign in with a Pilotlight token (deploy or admin role): bin/pilotlight tokens create --role deploy, or the admin token in the data dir.');
  const form = h('form', { class: 'card signin', id: 'signin' },
    h('h2', {}, 'Sign in'), note, input,
    h('button', { class: 'primary', id: 'sign-in', type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    const res = await fetch('/api/v1/functions', { headers: { Authorization: 'Bearer ' + token } });
    if (res.status === 401) {
      note.className = 'error';
      note.textContent = 'Token refused (401): it is not a valid Pilotlight token.';
      return;
    }
    if (res.status === 403) {
      note.className = 'error';
      note.textContent = 'This token’s role cannot read the functions (403): the console needs a deploy or admin token.';
      return;
    }
    if (!res.ok) {
      note.className = 'error';
      note.textContent = 'The daemon answered ' + res.status + '.';
      return;
    }
    state.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
    route();
  });
  main().replaceChildren(form);
  input.focus();
}

// ---------- overview ----------

function sparkline(values) {
  const max = Math.max(1, ...values);
  const n = Math.max(1, values.length - 1);
  const points = values.map((v, i) => `${(i / n * 120).toFixed(1)},${(22 - (v / max) * 20).toFixed(1)}`).join(' ');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 120 24');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points);
  svg.append(line);
  const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
  title.textContent = values.reduce((a, b) => a + b, 0) + ' invocations in the last hour';
  svg.append(title);
  return svg;
}

function renderOverview() {
  $('#where').textContent = 'Overview';
  const nodeCard = h('section', { class: 'card', id: 'node' }, h('h2', {}, 'This daemon'), h('p', { class: 'muted' }, 'Loading…'));
  const table = h('table', { class: 'functions', id: 'functions' },
    h('thead', {}, h('tr', {}, ['function', 'runtime', 'rev', 'instances', 'invocations', 'errors', 'p50 ms', 'p99 ms',
      'cold starts', 'last cold start', 'last hour'].map((c, i) => h('th', { class: i >= 2 && i <= 8 ? 'num' : null }, c)))),
    h('tbody', {}));
  const cards = h('div', { class: 'cards', id: 'function-cards' });
  const status = h('p', { class: 'muted', id: 'functions-status' });
  main().replaceChildren(nodeCard, h('section', { class: 'card' }, h('h2', {}, 'Functions'), status, table, cards));
  const sparks = {};
  every(REFRESH_MS, async () => {
    try {
      const [node, list] = await Promise.all([getJson('/api/v1/node'), getJson('/api/v1/functions')]);
      renderNode(nodeCard, node);
      const fns = list.functions;
      status.textContent = fns.length === 0 ? 'No function deployed yet: bin/pilotlight deploy examples/hello-java' : '';
      await Promise.all(fns.slice(0, SPARKLINES).map(async (f) => {
        try {
          const m = await getJson(`/api/v1/functions/${enc(f.name)}/metrics?since=1h`);
          sparks[f.name] = m.series.invocations;
        } catch (e) { /* a history that is off: no sparkline */ }
      }));
      renderFunctionRows(table.tBodies[0], cards, fns, sparks);
      state.refreshes++;
    } catch (e) {
      showError(status, e);
    }
  });
}

function renderNode(card, node) {
  const used = node.memoryUsedMb;
  const budget = node.memoryBudgetMb;
  card.replaceChildren(h('h2', {}, 'This daemon'),
    h('dl', { class: 'kv' },
      h('dt', {}, 'memory'), h('dd', { id: 'node-memory' }, `${fmt(used)} of ${fmt(budget)} MB budget (${fmt(100 * used / budget, 1)} %)`
        + ` — instances ${fmt(node.instancesMemoryMb)} MB, warm pool ${fmt(node.poolMemoryMb)} MB`),
      h('dt', {}, 'functions'), h('dd', {}, `${node.functions} deployed, ${node.instances} instances up, ${node.inFlight} calls in flight`),
      h('dt', {}, 'up since'), h('dd', {}, node.startedAt),
      ...node.protections.map((line) => {
        const i = line.indexOf(':');
        const value = line.slice(i + 1).trim();
        return [h('dt', {}, line.slice(0, i)), h('dd', { class: /^(off|OFF)/.test(value) ? 'error' : 'ok' }, value)];
      }).flat()));
}

function renderFunctionRows(tbody, cards, fns, sparks) {
  tbody.replaceChildren(...fns.map((f) => h('tr', { 'data-fn': f.name },
    h('td', {}, h('a', { href: '#/fn/' + enc(f.name) }, f.name)),
    h('td', {}, f.runtime),
    h('td', { class: 'num' }, f.revision),
    h('td', { class: 'num' }, f.instances + (f.starting ? ` (+${f.starting})` : '')),
    h('td', { class: 'num', 'data-col': 'invocations' }, fmt(f.invocations)),
    h('td', { class: 'num' }, fmt(f.errors)),
    h('td', { class: 'num' }, fmt(f.latencyMs && f.latencyMs.p50, 2)),
    h('td', { class: 'num' }, fmt(f.latencyMs && f.latencyMs.p99, 2)),
    h('td', { class: 'num' }, fmt(f.coldStarts)),
    h('td', {}, f.lastColdStart ? `${f.lastColdStart.strategy}, init ${fmt(f.lastColdStart.initMs, 1)} ms` : '–'),
    h('td', {}, sparks[f.name] ? sparkline(sparks[f.name]) : ''))));
  cards.replaceChildren(...fns.map((f) => h('div', { class: 'fn', 'data-fn': f.name },
    h('a', { href: '#/fn/' + enc(f.name) }, h('strong', {}, f.name)), ' ', h('span', { class: 'muted' }, `${f.runtime} · rev ${f.revision}`),
    h('div', {}, `${f.instances} instances · ${fmt(f.invocations)} calls · ${fmt(f.errors)} errors · p50 ${fmt(f.latencyMs && f.latencyMs.p50, 2)} ms`),
    sparks[f.name] ? sparkline(sparks[f.name]) : '')));
}

// ---------- a function's page ----------

const CHARTS = [
  { id: 'calls', title: 'Invocations, errors, throttles (per step)', series: [['invocations', '#2563eb'], ['errors', '#dc2626'], ['throttles', '#f59e0b']] },
  { id: 'duration', title: 'Duration, arrival to answer (ms)', series: [['durationP50Ms', '#16a34a'], ['durationP99Ms', '#9333ea']] },
  { id: 'scaling', title: 'Concurrency and instances', series: [['concurrencyMax', '#0891b2'], ['instancesReady', '#16a34a'],
    ['instancesStarting', '#f59e0b'], ['scaleUps', '#2563eb', 'marks'], ['scaleDowns', '#dc2626', 'marks']] },
  { id: 'cold', title: 'Cold starts and their init (ms)', series: [['coldStarts', '#c2410c'], ['initMsP50', '#6b7280']] },
  { id: 'cost', title: 'GB-seconds used and held idle; pre-warms', series: [['usedGbSeconds', '#2563eb'], ['idleGbSeconds', '#9ca3af'],
    ['prewarms', '#16a34a'], ['prewarmHits', '#c2410c']] },
];

// A series of events (scale-ups, scale-downs) is drawn as marks at the steps where they happened,
// with no line between: a step without one has no mark.
function chartData(metrics, spec) {
  return [metrics.series.t, ...spec.series.map(([key, , kind]) => kind === 'marks'
    ? metrics.series[key].map((v) => (v ? v : null)) : metrics.series[key])];
}

function seriesOptions([key, stroke, kind]) {
  return kind === 'marks'
    ? { label: key, stroke, fill: stroke, width: 0, paths: () => null, points: { show: true, size: 9, stroke, fill: stroke } }
    : { label: key, stroke, width: 1.5, spanGaps: false };
}

function drawCharts(metrics) {
  for (const spec of CHARTS) {
    const box = document.getElementById('chart-' + spec.id);
    if (!box) continue;
    const data = chartData(metrics, spec);
    const existing = state.charts[spec.id];
    if (existing) {
      existing.setData(data);
      continue;
    }
    if (typeof uPlot === 'undefined') {
      box.textContent = 'uPlot did not load';
      continue;
    }
    const opts = {
      width: Math.max(260, box.clientWidth - 4), height: 180,
      series: [{}, ...spec.series.map(seriesOptions)],
      axes: [{}, { size: 64 }],
      legend: { live: true },
    };
    state.charts[spec.id] = new uPlot(opts, data, box);
  }
}

function renderFunction(name) {
  $('#where').textContent = name;
  const windowSelect = h('select', { id: 'window', 'aria-label': 'window' }, WINDOWS.map((w) => h('option', { value: w, selected: w === state.window }, w)));
  const message = h('p', { id: 'fn-message', class: 'muted' });
  const summary = h('section', { class: 'card', id: 'summary' }, h('h2', {}, 'Now'), h('p', { class: 'muted' }, 'Loading…'));
  const charts = h('div', { class: 'grid' }, CHARTS.map((c) => h('section', { class: 'card' }, h('h2', {}, c.title),
    h('div', { class: 'chart', id: 'chart-' + c.id }))));
  const cold = h('section', { class: 'card', id: 'cold-starts' }, h('h2', {}, 'Cold starts by launch strategy (window)'));
  const events = h('section', { class: 'card', id: 'events' }, h('h2', {}, 'Scaling events'));
  const keepAlive = h('section', { class: 'card', id: 'keep-alive' }, h('h2', {}, 'Keep-alive'));
  const cost = h('section', { class: 'card', id: 'cost' }, h('h2', {}, 'Cost, last 24 h'));
  const config = h('section', { class: 'card', id: 'config' }, h('h2', {}, 'Configuration'));
  const releases = h('section', { class: 'card', id: 'releases' }, h('h2', {}, 'Revisions and traffic'));
  const sources = h('section', { class: 'card', id: 'sources' }, h('h2', {}, 'Event sources and schedules'));
  const invoke = invokeCard(name);
  const logs = logsCard(name);
  main().replaceChildren(
    h('h1', {}, name),
    h('div', { class: 'row' }, h('label', {}, 'Window ', windowSelect),
      h('button', { id: 'stop', onclick: () => act(message, () => api(`/api/v1/functions/${enc(name)}/instances`, { method: 'DELETE' })
        .then((r) => r.json()).then((r) => `Stopped ${r.stopped} instance(s): the next call is a cold start.`)) }, 'Stop instances'),
      h('a', { href: '#/' }, '← all functions')),
    message, summary, charts, h('div', { class: 'grid' }, cold, events), h('div', { class: 'grid' }, keepAlive, cost),
    invoke, logs, config, releases, sources);
  windowSelect.addEventListener('change', () => {
    state.window = windowSelect.value;
    Object.values(state.charts).forEach((c) => c.destroy());
    state.charts = {};
    refreshMetrics(name, message, cold, events);
  });
  every(REFRESH_MS, async () => {
    await Promise.all([refreshStatus(name, message, summary, keepAlive, config), refreshMetrics(name, message, cold, events), refreshCost(name, cost)]);
    state.refreshes++;
  });
  refreshReleases(name, releases, message);
  refreshSources(name, sources, message);
}

async function act(message, fn) {
  message.className = 'muted';
  message.textContent = 'Working…';
  try {
    message.textContent = await fn();
    message.className = 'ok';
  } catch (e) {
    showError(message, e);
  }
}

async function refreshStatus(name, message, summary, keepAlive, config) {
  try {
    const f = await getJson(`/api/v1/functions/${enc(name)}`);
    state.function = f;
    summary.replaceChildren(h('h2', {}, 'Now'), h('dl', { class: 'kv' },
      h('dt', {}, 'instances'), h('dd', { id: 'now-instances' }, `${f.instances} ready, ${f.starting} starting, ${f.inFlight} in flight, ${f.queued} queued`),
      h('dt', {}, 'invocations'), h('dd', { id: 'now-invocations' }, `${fmt(f.invocations)} (${fmt(f.errors)} errors) since the daemon started`),
      h('dt', {}, 'latency'), h('dd', {}, `p50 ${fmt(f.latencyMs.p50, 2)} ms, p99 ${fmt(f.latencyMs.p99, 2)} ms (last 1,000)`),
      h('dt', {}, 'last cold start'), h('dd', { id: 'last-cold-start' }, f.lastColdStart ? `${f.lastColdStart.strategy}, init ${fmt(f.lastColdStart.initMs, 2)} ms` : 'none yet'),
      h('dt', {}, 'autoscaler'), h('dd', {}, f.desired === null ? 'no decision yet' : `wants ${f.desired}${f.panicking ? ' (panic mode)' : ''}`)));
    const k = f.keepAlive || {};
    const idle = $('#idle-times') || h('div', { id: 'idle-times' }); // kept across refreshes: no flicker while it is fetched again
    keepAlive.replaceChildren(h('h2', {}, 'Keep-alive'), h('dl', { class: 'kv', id: 'keep-alive-view' },
      h('dt', {}, 'mode'), h('dd', {}, `${k.mode} (${k.basis})`),
      h('dt', {}, 'window'), h('dd', {}, k.keepUntilSeconds === undefined ? '–'
        : `${k.prewarmAfterSeconds > 0 ? 'pre-warm after ' + fmt(k.prewarmAfterSeconds) + ' s, ' : ''}keep until ${fmt(k.keepUntilSeconds)} s after a call ends`),
      h('dt', {}, 'learned idle times'), h('dd', {}, fmt(k.idleTimes)),
      h('dt', {}, 'scale-out levels'), h('dd', {}, fmt(k.scaleOutLevels)),
      h('dt', {}, 'pre-warms (window)'), h('dd', { id: 'prewarm-hits' }, prewarmSummary())),
      idle);
    drawIdleTimes(name, k);
    if (!$('#cfg-save')) renderConfig(config, f, message);
  } catch (e) {
    showError(message, e);
  }
}

function prewarmSummary() {
  const m = state.lastMetrics;
  if (!m) return '–';
  const sum = (key) => m.series[key].reduce((a, b) => a + (b || 0), 0);
  const started = sum('prewarms');
  const hits = sum('prewarmHits');
  return `${started} started, ${hits} found ready by a call, ${Math.max(0, started - hits)} not (yet)`;
}

/** The learned idle times between calls, per minute, with the keep-alive window over them. */
async function drawIdleTimes(name, k) {
  const box = $('#idle-times');
  if (!box) return;
  try {
    const t = await getJson(`/api/v1/functions/${enc(name)}/idle-times`);
    if (t.total === 0) {
      box.replaceChildren(h('p', { class: 'muted' }, 'No idle time learned yet: it is learned from the gaps between calls.'));
      return;
    }
    const max = Math.max(1, ...t.perMinute);
    const width = 300;
    const n = Math.max(t.perMinute.length, Math.ceil((k.keepUntilSeconds || 0) / 60) + 1);
    const bar = width / n;
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} 60`);
    svg.setAttribute('class', 'idle-histogram');
    svg.setAttribute('role', 'img');
    const add = (tag, attrs) => {
      const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
      Object.entries(attrs).forEach(([a, v]) => el.setAttribute(a, v));
      svg.append(el);
      return el;
    };
    if (k.keepUntilSeconds !== undefined) {
      const from = Math.max(0, k.prewarmAfterSeconds || 0) / 60 * bar;
      add('rect', { x: from, y: 0, width: Math.max(1, k.keepUntilSeconds / 60 * bar - from), height: 60, class: 'window' });
    }
    t.perMinute.forEach((c, i) => {
      if (c > 0) add('rect', { x: i * bar, y: 60 - (c / max) * 56, width: Math.max(1, bar - 1), height: (c / max) * 56, class: 'bin' });
    });
    box.replaceChildren(h('p', { class: 'muted' }, `idle times between calls by minute (${t.total} learned, ${t.longer} longer than 4 h); `
      + 'shaded: the window an instance is kept (or pre-warmed) for'), svg);
  } catch (e) {
    showError(box, e);
  }
}

async function refreshMetrics(name, message, cold, events) {
  try {
    const m = await getJson(`/api/v1/functions/${enc(name)}/metrics?since=${state.window}`);
    state.lastMetrics = m;
    drawCharts(m);
    const strategies = Object.entries(m.coldStartsByStrategy);
    cold.replaceChildren(h('h2', {}, `Cold starts by launch strategy (${state.window})`), strategies.length === 0 ? h('p', { class: 'muted' }, 'none in this window')
      : h('table', { id: 'cold-table' }, h('tr', {}, h('th', {}, 'strategy'), h('th', { class: 'num' }, 'count'), h('th', { class: 'num' }, 'init p50 ms'),
        h('th', { class: 'num' }, 'init max ms')),
      strategies.map(([s, c]) => h('tr', {}, h('td', {}, s), h('td', { class: 'num' }, c.count), h('td', { class: 'num' }, fmt(c.initMsP50, 2)),
        h('td', { class: 'num' }, fmt(c.initMsMax, 2))))));
    events.replaceChildren(h('h2', {}, 'Scaling events'), m.events.length === 0 ? h('p', { class: 'muted' }, 'none in this window')
      : h('table', { id: 'events-table' }, m.events.slice(-20).reverse().map((e) => h('tr', {},
        h('td', {}, e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')), h('td', {}, e.kind),
        h('td', {}, e.strategy ? `${e.strategy}, init ${fmt(e.initMs, 2)} ms` : `${e.instances} ready`)))));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      message.textContent = 'No metrics history here (the daemon runs with --metrics-history off, or the function is gone).';
    } else {
      showError(message, e);
    }
  }
}

async function refreshCost(name, cost) {
  try {
    const u = await getJson(`/api/v1/functions/${enc(name)}/usage?since=24h`);
    cost.replaceChildren(h('h2', {}, 'Cost, last 24 h'), h('dl', { class: 'kv' },
      h('dt', {}, 'GB-s used'), h('dd', {}, fmt(u.usedGbSeconds, 4)),
      h('dt', {}, 'GB-s held idle'), h('dd', {}, `${fmt(u.idleGbSeconds, 4)} (pre-warmed ${fmt(u.prewarmIdleGbSeconds, 4)})`),
      h('dt', {}, 'cold starts'), h('dd', {}, `${fmt(u.coldStarts)} of ${fmt(u.invocations)} calls; ${fmt(u.prewarms)} pre-warms, ${fmt(u.prewarmHits)} hit`),
      h('dt', {}, 'per use'), h('dd', { id: 'price' }, u.price ? `$${fmt(u.price.perUseUsd, 6)} at Lambda’s prices; always on: $${fmt(u.price.alwaysOnPerHourUsd, 4)} an hour`
        + ` ($${fmt(u.price.alwaysOnForPeriodUsd, 2)} for the period)` : '–'),
      h('dt', {}, 'crossover'), h('dd', {}, u.price && u.price.crossoverPerHour !== null
        ? `always-on is cheaper above ${fmt(u.price.crossoverPerHour)} calls an hour; this function had ${fmt(u.price.observedPerHour, 1)}`
        : 'no calls yet (bin/pilotlight cost sets other prices)')));
  } catch (e) {
    showError(cost, e);
  }
}

function renderConfig(card, f, message) {
  const field = (id, label, value, min) => h('label', {}, label + ' ', h('input', { id, type: 'number', value, min, step: 'any', style: null, size: 6 }));
  const form = h('form', { id: 'cfg-form' },
    h('div', { class: 'row' }, field('cfg-memory', 'memory MB', f.memoryMb, 128), field('cfg-concurrency', 'concurrency', f.concurrency, 1),
      field('cfg-min', 'min instances', f.minInstances, 0), field('cfg-max', 'max instances', f.maxInstances, 1),
      field('cfg-timeout', 'timeout s', f.timeoutSeconds, 0)),
    h('button', { id: 'cfg-save', class: 'primary', type: 'submit' }, 'Save as a new revision'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {
      memoryMb: Number($('#cfg-memory').value), concurrency: Number($('#cfg-concurrency').value),
      minInstances: Number($('#cfg-min').value), maxInstances: Number($('#cfg-max').value), timeoutSeconds: Number($('#cfg-timeout').value),
    };
    act(message, async () => {
      const updated = await (await api(`/api/v1/functions/${enc(f.name)}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body) })).json();
      return `Saved: revision ${updated.revision}.`;
    });
  });
  const shown = ['runtime', 'handler', 'command', 'revision', 'codeSha256', 'deployedAt', 'url', 'idleTimeoutSeconds', 'auth'];
  card.replaceChildren(h('h2', {}, 'Configuration'), h('dl', { class: 'kv' },
    shown.filter((k) => f[k] !== undefined && f[k] !== null).map((k) => [h('dt', {}, k), h('dd', {}, String(f[k]))]).flat(),
    h('dt', {}, 'env'), h('dd', {}, Object.keys(f.env || {}).join(', ') || 'none')), form);
}

async function refreshReleases(name, card, message) {
  try {
    const [revs, traffic] = await Promise.all([getJson(`/api/v1/functions/${enc(name)}/revisions`), getJson(`/api/v1/functions/${enc(name)}/traffic`)]);
    let rollout = null;
    try {
      rollout = await getJson(`/api/v1/functions/${enc(name)}/rollout`);
    } catch (e) { /* 404: never had one */ }
    card.replaceChildren(h('h2', {}, 'Revisions and traffic'),
      h('p', { id: 'traffic' }, 'traffic: ' + traffic.traffic),
      rollout ? h('p', { id: 'rollout' }, `last rollout: ${rollout.status}, revision ${rollout.revision} at ${rollout.percent} % `
        + `(plan ${rollout.plan}; stable revision ${rollout.stable})`) : '',
      h('table', { id: 'revisions' }, h('tr', {}, h('th', {}, 'revision'), h('th', {}, 'deployed'), h('th', {}, 'runtime'), h('th', { class: 'num' }, 'share')),
        revs.revisions.map((r) => h('tr', {}, h('td', {}, r.revision + (r.latest ? ' (latest)' : '') + (r.published ? ' (published)' : '')),
          h('td', {}, r.deployedAt), h('td', {}, r.runtime), h('td', { class: 'num' }, (r.percent || 0) + ' %')))),
      h('div', { class: 'row' }, h('button', { id: 'rollback', onclick: () => act(message, async () => {
        const t = await (await api(`/api/v1/functions/${enc(name)}/rollback`, { method: 'POST' })).json();
        refreshReleases(name, card, message);
        return 'Rolled back: traffic ' + t.traffic;
      }) }, 'Roll back')));
  } catch (e) {
    showError(card, e);
  }
}

async function refreshSources(name, card, message) {
  try {
    const [es, sch] = await Promise.all([getJson(`/api/v1/functions/${enc(name)}/event-sources`).catch(() => ({ eventSources: [] })),
      getJson(`/api/v1/functions/${enc(name)}/schedules`).catch(() => ({ schedules: [] }))]);
    const mappings = es.eventSources || es.mappings || [];
    const schedules = sch.schedules || [];
    card.replaceChildren(h('h2', {}, 'Event sources and schedules'), h('div', {},
      mappings.length === 0 && schedules.length === 0 ? h('p', { class: 'muted' }, 'none') : null,
      mappings.map((m) => h('div', { class: 'row', 'data-source': m.uuid },
        h('span', {}, `${m.source} — ${m.state || (m.enabled ? 'enabled' : 'paused')}`),
        h('button', { onclick: () => act(message, async () => {
          const paused = m.enabled === false || m.state === 'Disabled' || m.state === 'paused';
          await api(`/api/v1/functions/${enc(name)}/event-sources/${enc(m.uuid)}/${paused ? 'resume' : 'pause'}`, { method: 'POST' });
          refreshSources(name, card, message);
          return (paused ? 'Resumed ' : 'Paused ') + m.source;
        }) }, m.enabled === false || m.state === 'Disabled' || m.state === 'paused' ? 'Resume' : 'Pause'))),
      schedules.map((s) => h('div', {}, `schedule ${s.expression}${s.timezone ? ' (' + s.timezone + ')' : ''}${s.nextDue ? ', next ' + s.nextDue : ''}`))));
  } catch (e) {
    showError(card, e);
  }
}

function invokeCard(name) {
  const payload = h('textarea', { id: 'payload', 'aria-label': 'payload' }, '{}');
  const result = h('pre', { id: 'invoke-result' });
  const report = h('pre', { id: 'invoke-report', class: 'muted' });
  const button = h('button', { id: 'invoke', class: 'primary' }, 'Invoke');
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.textContent = 'calling…';
    report.textContent = '';
    try {
      const res = await api(`/api/v1/functions/${enc(name)}/invoke`, { method: 'POST', body: payload.value });
      const text = await res.text();
      const error = res.headers.get('X-Pilotlight-Function-Error');
      result.textContent = `${res.status}${error ? ' function error ' + error : ''} (revision ${res.headers.get('X-Pilotlight-Revision')}):\n${text}`;
      const id = res.headers.get('X-Pilotlight-Request-Id');
      if (id) report.textContent = await reportLine(name, id);
    } catch (e) {
      result.textContent = String(e.message || e);
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'card', id: 'invoke-card' }, h('h2', {}, 'Invoke'), payload, h('div', { class: 'row' }, button), result, report);
}

/** The call's REPORT line: from the live tail if it has it, else from the log's last lines (it is written just after the answer). */
async function reportLine(name, requestId) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const mine = (lines) => lines.find((l) => l.includes('REPORT RequestId: ' + requestId));
    let line = mine(state.logLines);
    if (!line) {
      const text = await (await api(`/api/v1/functions/${enc(name)}/logs?tail=200`)).text();
      line = mine(text.split('\n'));
    }
    if (line) return line.replace(/^\S+ \S+ \[[^\]]*\] /, '').replace(/\t/g, '  ');
    await new Promise((r) => setTimeout(r, 250));
  }
  return 'request id ' + requestId + ' (its REPORT line is not in the log yet)';
}

// ---------- logs ----------

function logsCard(name) {
  const filter = h('input', { id: 'log-filter', placeholder: 'filter: request id or text', 'aria-label': 'filter' });
  const group = h('input', { id: 'log-group', type: 'checkbox' });
  const box = h('div', { class: 'logs', id: 'logs' });
  const status = h('span', { class: 'muted', id: 'log-status' }, 'connecting…');
  const render = () => renderLogs(box, filter.value.trim(), group.checked);
  filter.addEventListener('input', render);
  group.addEventListener('change', render);
  state.logLines = [];
  // A busy function logs thousands of lines a second in many small reads: they are drawn at most
  // every LOG_RENDER_MS, not once per read (which kept the page's main thread busy and its charts still).
  let drawing = null;
  const renderSoon = () => {
    if (drawing === null) {
      drawing = setTimeout(() => {
        drawing = null;
        render();
      }, LOG_RENDER_MS);
    }
  };
  tailLogs(name, status, renderSoon);
  return h('section', { class: 'card', id: 'logs-card' }, h('h2', {}, 'Logs (live)'),
    h('div', { class: 'row' }, filter, h('label', {}, group, ' group by invocation'), status), box);
}

// The stream ends when the daemon restarts or drops a follower that fell behind, and fails while the
// daemon cannot be reached: the page follows again by itself, every LOG_RETRY_MS, from the lines
// written after it is back (a marked gap: what was written meanwhile is in the log, not on the page).
async function tailLogs(name, status, render) {
  const abort = new AbortController();
  state.aborts.push(abort);
  let tail = 200;
  let connected = false;
  for (;;) {
    try {
      const res = await api(`/api/v1/functions/${enc(name)}/logs?tail=${tail}&follow=true`, { signal: abort.signal });
      status.textContent = 'following';
      connected = true;
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let rest = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += decoder.decode(value, { stream: true });
        const lines = rest.split('\n');
        rest = lines.pop();
        if (lines.length) {
          state.logLines.push(...lines);
          if (state.logLines.length > MAX_LOG_LINES) state.logLines.splice(0, state.logLines.length - MAX_LOG_LINES);
          render();
        }
      }
      status.textContent = `the stream ended (the daemon restarted or dropped a follower that fell behind); following again in ${LOG_RETRY_MS / 1000} s`;
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e instanceof ApiError && [401, 403, 404].includes(e.status)) {
        status.textContent = 'not following: ' + e.message;
        return;
      }
      status.textContent = `not following: ${e.message || e}; trying again in ${LOG_RETRY_MS / 1000} s`;
    }
    if (connected) {
      state.logLines.push(`-- ${new Date().toISOString()}: the log stream was interrupted; lines written until it is followed again are not shown here --`);
      render();
      connected = false;
      tail = 0; // what was shown stays; only what comes after is asked for
    }
    await new Promise((r) => setTimeout(r, LOG_RETRY_MS));
    if (abort.signal.aborted) return;
  }
}

const LINE = /^(\S+) (\S+) \[([^\]]*)\] (.*)$/;

function renderLogs(box, filter, grouped) {
  const parsed = state.logLines.map((l) => {
    const m = LINE.exec(l);
    return m ? { at: m[1], id: m[2], instance: m[3], text: m[4], raw: l } : { at: '', id: '-', instance: '', text: l, raw: l };
  }).filter((l) => !filter || l.raw.includes(filter));
  const lineEl = (l) => h('pre', { class: /^(REPORT|END|START) /.test(l.text) ? 'report' : /^(INSTANCE|PREWARM|ERROR|INIT_FAILED|ROLLOUT)/.test(l.text) ? 'platform' : null,
    'data-request': l.id }, l.at ? `${l.at.slice(11, 23)} ${l.id === '-' ? '-' : l.id.slice(0, 8)} [${l.instance}] ${l.text}` : l.text);
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
  if (!grouped) {
    box.replaceChildren(...parsed.slice(-500).map(lineEl));
  } else {
    const groups = new Map();
    for (const l of parsed) {
      const key = l.id === '-' ? 'line-' + groups.size : l.id;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(l);
    }
    box.replaceChildren(...[...groups.values()].slice(-200).map((ls) => ls.length > 1 || ls[0].id !== '-'
      ? h('div', { class: 'group', 'data-request': ls[0].id }, ls.map(lineEl)) : lineEl(ls[0])));
  }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

// ---------- routing ----------

function route() {
  stopBackground();
  if (!state.token) {
    renderSignIn();
    return;
  }
  $('#sign-out').hidden = false;
  const m = /^#\/fn\/(.+)$/.exec(location.hash);
  if (m) renderFunction(decodeURIComponent(m[1]));
  else renderOverview();
}

window.addEventListener('hashchange', route);
window.addEventListener('resize', () => {
  for (const [id, chart] of Object.entries(state.charts)) {
    const box = document.getElementById('chart-' + id);
    if (box) chart.setSize({ width: Math.max(260, box.clientWidth - 4), height: 180 });
  }
});
document.addEventListener('DOMContentLoaded', () => {
  $('#sign-out').addEventListener('click', () => signOut('Signed out.'));
  route();
});
