// Draws the coordinator's status page from /api/cluster, refreshed every two seconds.
// Every value from the API goes into the page as text, never as markup.
'use strict';

const REFRESH_MILLIS = 2000;
const SVG = 'http://www.w3.org/2000/svg';

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    node.setAttribute(name, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + ' ' + units[i];
}

function millis(n) {
  return n < 1000 ? n + ' ms' : (n / 1000).toFixed(1) + ' s';
}

function time(epochMillis) {
  return new Date(epochMillis).toLocaleTimeString();
}

function fill(tableId, rows, columns, emptyText) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren();
  if (rows.length === 0) {
    body.append(el('tr', { class: 'empty' }, el('td', { colspan: String(columns) }, emptyText)));
    return;
  }
  rows.forEach(row => body.append(row));
}

function traceLink(jaegerUrl, traceId) {
  if (!traceId) {
    return 'not traced';
  }
  if (!jaegerUrl) {
    return traceId;
  }
  return el('a', { href: jaegerUrl + '/trace/' + encodeURIComponent(traceId), target: '_blank', rel: 'noopener' }, traceId);
}

function drawThroughput(samples) {
  // About the width it is drawn at, so that stretching it to the page barely distorts the labels.
  const width = 1200;
  const height = 140;
  const pad = 28;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const max = Math.max(1, ...samples.map(s => s.bytes_per_second));
  const x = i => pad + (i * (width - 2 * pad)) / Math.max(1, samples.length - 1);
  const y = v => height - pad + 8 - (v * (height - pad - 8)) / max;
  const axis = document.createElementNS(SVG, 'line');
  axis.setAttribute('x1', pad);
  axis.setAttribute('x2', width - pad);
  axis.setAttribute('y1', y(0));
  axis.setAttribute('y2', y(0));
  svg.append(axis);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', samples.map((s, i) => x(i) + ',' + y(s.bytes_per_second)).join(' '));
  svg.append(line);
  const label = (text, px, py, anchor) => {
    const node = document.createElementNS(SVG, 'text');
    node.setAttribute('x', px);
    node.setAttribute('y', py);
    node.setAttribute('text-anchor', anchor);
    node.textContent = text;
    svg.append(node);
  };
  label('peak ' + bytes(max) + '/s', pad, 12, 'start');
  if (samples.length > 0) {
    label(time(samples[0].at_millis), pad, height - 4, 'start');
    label(time(samples[samples.length - 1].at_millis), width - pad, height - 4, 'end');
    const last = samples[samples.length - 1];
    label('now ' + bytes(last.bytes_per_second) + '/s, ' + Math.round(last.rows_per_second) + ' rows/s', width - pad, 12, 'end');
  }
  document.getElementById('throughput').replaceChildren(svg);
}

function render(status) {
  const self = status.coordinator;
  document.getElementById('summary').textContent =
    'Coordinator ' + self.location + (self.warm ? ' (ready)' : ' (warming up)') + ': ' +
    status.servers.length + ' live data servers, ' + status.datasets.length + ' datasets, ' +
    status.conflicts.length + ' conflicts; lease ' + millis(self.lease_millis) +
    '; updated ' + time(status.generated_at_millis) + '.';

  fill('servers', status.servers.map(s => el('tr', { 'data-server-id': s.id },
    el('td', {}, s.id),
    el('td', {}, s.location),
    el('td', s.overdue ? { class: 'num overdue' } : { class: 'num' }, millis(s.heartbeat_age_millis) + ' ago'),
    el('td', { class: 'num' }, millis(s.lease_left_millis)),
    el('td', { class: 'num' }, s.active_streams),
    el('td', { title: s.datasets.join(', ') }, s.datasets.length + (s.datasets.length ? ': ' + s.datasets.join(', ') : '')),
    el('td', { class: 'num' }, bytes(s.bytes_streamed) + ', ' + s.rows_streamed + ' rows'),
    el('td', s.last_error ? { class: 'error' } : {},
      s.last_error ? s.last_error.status + ' at ' + time(s.last_error.at_millis) + ': ' + s.last_error.message : '')
  )), 8, 'No live data servers.');

  fill('datasets', status.datasets.map(d => el('tr', Object.assign({ 'data-dataset': d.name }, d.conflicted ? { class: 'conflicted' } : {}),
    el('td', {}, d.name + (d.conflicted ? ' (conflict)' : '')),
    el('td', { class: 'num' }, d.rows),
    el('td', { class: 'num' }, bytes(d.bytes)),
    el('td', { class: 'num' }, d.endpoints),
    el('td', { class: 'num' }, d.replicas),
    el('td', {}, d.servers.join(', '))
  )), 6, 'No datasets.');

  fill('conflicts', status.conflicts.map(c => el('tr', { 'data-conflict': c.dataset },
    el('td', {}, c.dataset),
    el('td', {}, c.serving_fingerprint),
    el('td', {}, c.variants.map(v => v.fingerprint + ': ' + v.server_ids.join(', ')).join('; '))
  )), 3, 'None: every dataset name has one content.');

  fill('slow', status.slow_requests.map(r => el('tr', {},
    el('td', {}, r.server_id),
    el('td', {}, r.dataset),
    el('td', { class: 'num' }, millis(r.duration_millis)),
    el('td', {}, time(r.at_millis)),
    el('td', {}, traceLink(status.jaeger_url, r.trace_id))
  )), 5, 'No reads in the last 5 minutes.');

  fill('coordinators', status.coordinators.map(c => el('tr', {},
    el('td', {}, c.address + (c.self ? ' (this one)' : '')),
    el('td', {}, c.reported_by.join(', '))
  )), 2, '');

  drawThroughput(status.throughput);
}

async function refresh() {
  const problem = document.getElementById('problem');
  try {
    const response = await fetch('api/cluster', { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error('the coordinator answered ' + response.status + ' ' + (await response.text()));
    }
    render(await response.json());
    problem.hidden = true;
  } catch (e) {
    problem.textContent = 'Cannot refresh: ' + e.message;
    problem.hidden = false;
  } finally {
    setTimeout(refresh, REFRESH_MILLIS);
  }
}

refresh();
