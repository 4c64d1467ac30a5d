// The trace timeline page. Span names, services and attributes come from untrusted services: they
// only ever reach the DOM through textContent / value, never as markup. Only the rows in view exist
// in the DOM, so a 10,000-span trace paints as fast as a small one.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const ROW_HEIGHT = 22;
  const OVERSCAN = 10;
  const app = document.getElementById('app');

  let model;
  let collapsed = new Set();
  let filter = { service: -1, minMs: 0, errorsOnly: false };
  let visible = [];
  let hits = [];
  let hitCursor = -1;
  let selected = -1;
  let firstPaint = null;
  let paintMs = null;
  const pool = [];
  let ui;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function formatMs(ms) {
    if (!isFinite(ms)) return '–';
    if (ms >= 10000) return (ms / 1000).toFixed(1) + ' s';
    if (ms >= 1000) return (ms / 1000).toFixed(2) + ' s';
    if (ms >= 10) return Math.round(ms) + ' ms';
    if (ms >= 1) return ms.toFixed(1) + ' ms';
    return Math.round(ms * 1000) + ' µs';
  }

  function serviceColour(index) {
    // Golden-angle hues, starting at blue so the first service does not read as an error.
    return 'hsl(' + ((210 + index * 137.508) % 360).toFixed(0) + ', 55%, 52%)';
  }

  // Columns as sent by the extension (see packTimeline) back to one object per row.
  function unpack(packed) {
    const rows = new Array(packed.names.length);
    for (let i = 0; i < rows.length; i++) {
      const flags = packed.flags[i];
      rows[i] = {
        name: packed.names[i], kind: packed.kinds[i], service: packed.service[i], depth: packed.depth[i],
        startMs: packed.startMs[i], durationMs: packed.durationMs[i], subtreeEnd: packed.subtreeEnd[i],
        error: (flags & 1) !== 0, critical: (flags & 2) !== 0, orphan: (flags & 4) !== 0, warnings: (flags & 8) !== 0,
      };
    }
    return { traceId: packed.traceId, start: packed.start, totalMs: packed.totalMs, services: packed.services, rows };
  }

  function filtering() {
    return filter.service >= 0 || filter.minMs > 0 || filter.errorsOnly;
  }

  function computeVisible() {
    const rows = model.rows;
    const out = [];
    if (filtering()) {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (filter.service >= 0 && row.service !== filter.service) continue;
        if (row.durationMs < filter.minMs) continue;
        if (filter.errorsOnly && !row.error) continue;
        out.push(i);
      }
    } else {
      for (let i = 0; i < rows.length; ) {
        out.push(i);
        i = collapsed.has(i) ? rows[i].subtreeEnd : i + 1;
      }
    }
    visible = out;
  }

  function build() {
    app.textContent = '';
    const toolbar = el('div', 'toolbar');
    const title = el('div', 'title');
    title.append(el('strong', '', 'Trace '), el('code', 'trace-id', model.traceId));
    const stats = el('span', 'muted stats');
    const errors = model.rows.filter((r) => r.error).length;
    const orphans = model.rows.filter((r) => r.orphan).length;
    stats.textContent = model.rows.length + ' spans · ' + model.services.length + ' services · ' + formatMs(model.totalMs) +
      (errors ? ' · ' + errors + ' errors' : '') + (orphans ? ' · ' + orphans + ' orphans' : '');
    title.append(stats);

    const service = el('select');
    service.setAttribute('aria-label', 'Filter by service');
    service.append(new Option('All services', '-1'));
    model.services.forEach((name, i) => service.append(new Option(name, String(i))));
    service.addEventListener('change', () => { filter.service = Number(service.value); refresh(); });

    const minMs = el('input');
    minMs.type = 'number';
    minMs.min = '0';
    minMs.placeholder = 'min ms';
    minMs.setAttribute('aria-label', 'Minimum duration in milliseconds');
    minMs.addEventListener('input', () => { filter.minMs = Number(minMs.value) || 0; refresh(); });

    const errorsLabel = el('label', 'check');
    const errorsOnly = el('input');
    errorsOnly.type = 'checkbox';
    errorsOnly.addEventListener('change', () => { filter.errorsOnly = errorsOnly.checked; refresh(); });
    errorsLabel.append(errorsOnly, document.createTextNode(' errors only'));

    const collapseAll = el('button', 'secondary', 'Collapse all');
    collapseAll.addEventListener('click', () => {
      collapsed = new Set();
      model.rows.forEach((row, i) => { if (row.subtreeEnd > i + 1 && row.depth >= 1) collapsed.add(i); });
      refresh();
    });
    const expandAll = el('button', 'secondary', 'Expand all');
    expandAll.addEventListener('click', () => { collapsed = new Set(); refresh(); });

    const find = el('input', 'find');
    find.type = 'search';
    find.placeholder = 'Find span by id, name or attribute';
    find.setAttribute('aria-label', 'Find span');
    let findTimer;
    find.addEventListener('input', () => {
      clearTimeout(findTimer);
      findTimer = setTimeout(() => vscode.postMessage({ type: 'find', text: find.value }), 150);
    });
    find.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') { event.preventDefault(); nextHit(event.shiftKey ? -1 : 1); }
    });
    const hitCount = el('span', 'muted hits');
    const timing = el('span', 'muted timing');
    toolbar.append(title, service, minMs, errorsLabel, collapseAll, expandAll, find, hitCount, timing);

    const legend = el('div', 'legend');
    model.services.forEach((name, i) => {
      const item = el('span', 'legend-item');
      const chip = el('span', 'chip');
      chip.style.background = serviceColour(i);
      item.append(chip, document.createTextNode(name));
      legend.append(item);
    });

    legend.append(el('span', 'legend-item critical-key', 'outlined: critical path'));

    const ruler = el('div', 'ruler');
    const rulerLabel = el('div', 'ruler-label', 'Span');
    const rulerTicks = el('div', 'ruler-ticks');
    for (let t = 0; t <= 4; t++) {
      const tick = el('span', 'tick', formatMs((model.totalMs * t) / 4));
      tick.style.left = (t * 25) + '%';
      rulerTicks.append(tick);
    }
    ruler.append(rulerLabel, rulerTicks);

    const viewport = el('div', 'viewport');
    viewport.tabIndex = 0;
    viewport.setAttribute('role', 'tree');
    viewport.setAttribute('aria-label', 'Spans');
    const spacer = el('div', 'spacer');
    viewport.append(spacer);
    viewport.addEventListener('scroll', () => renderRows());
    viewport.addEventListener('keydown', onKey);

    const details = el('section', 'details');
    details.setAttribute('aria-label', 'Span details');
    details.append(el('p', 'muted', 'Select a span to see its attributes.'));

    app.append(toolbar, legend, ruler, viewport, details);
    ui = { viewport, spacer, details, hitCount, timing, find };
    pool.length = 0;
  }

  function rowNode() {
    const node = el('div', 'row');
    node.setAttribute('role', 'treeitem');
    const label = el('div', 'label');
    const toggle = el('span', 'toggle');
    const chip = el('span', 'chip');
    const service = el('span', 'service');
    const name = el('span', 'name');
    const mark = el('span', 'mark');
    label.append(toggle, chip, service, name, mark);
    const lane = el('div', 'lane');
    const bar = el('div', 'bar');
    const duration = el('span', 'duration');
    lane.append(bar, duration);
    node.append(label, lane);
    node.addEventListener('click', (event) => {
      const index = Number(node.dataset.index);
      if (event.target === toggle) { toggleRow(index); return; }
      select(index);
    });
    node.addEventListener('dblclick', () => vscode.postMessage({ type: 'goToSource', index: Number(node.dataset.index) }));
    ui.spacer.append(node);
    return { node, toggle, chip, service, name, mark, bar, duration };
  }

  function renderRows() {
    const { viewport } = ui;
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil((viewport.clientHeight || 600) / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(visible.length, first + count);
    while (pool.length < last - first) pool.push(rowNode());
    const hitSet = new Set(hits);
    const total = model.totalMs || 1;
    for (let slot = 0; slot < pool.length; slot++) {
      const cell = pool[slot];
      const position = first + slot;
      if (position >= last) { cell.node.hidden = true; continue; }
      const index = visible[position];
      const row = model.rows[index];
      cell.node.hidden = false;
      cell.node.dataset.index = String(index);
      cell.node.style.top = (position * ROW_HEIGHT) + 'px';
      cell.node.className = 'row' + (row.critical ? ' critical' : '') + (row.error ? ' error' : '') + (index === selected ? ' selected' : '') + (hitSet.has(index) ? ' hit' : '');
      cell.node.setAttribute('aria-level', String(row.depth + 1));
      const hasChildren = row.subtreeEnd > index + 1;
      cell.toggle.textContent = hasChildren && !filtering() ? (collapsed.has(index) ? '▸' : '▾') : '';
      cell.toggle.style.marginLeft = (filtering() ? 0 : row.depth * 12) + 'px';
      cell.chip.style.background = serviceColour(row.service);
      cell.service.textContent = model.services[row.service];
      cell.name.textContent = row.name;
      cell.mark.textContent = [row.error ? 'error' : '', row.orphan ? 'orphan' : '', row.warnings ? 'warning' : ''].filter(Boolean).join(' ');
      cell.mark.hidden = !cell.mark.textContent;
      cell.bar.style.left = ((row.startMs / total) * 100) + '%';
      cell.bar.style.width = Math.max(0.15, (row.durationMs / total) * 100) + '%';
      cell.bar.style.background = serviceColour(row.service);
      cell.duration.textContent = formatMs(row.durationMs);
      cell.duration.style.left = Math.min(92, ((row.startMs + row.durationMs) / total) * 100) + '%';
    }
  }

  function refresh() {
    computeVisible();
    ui.spacer.style.height = (visible.length * ROW_HEIGHT) + 'px';
    renderRows();
  }

  function toggleRow(index) {
    if (collapsed.has(index)) collapsed.delete(index); else collapsed.add(index);
    refresh();
  }

  function revealRow(index) {
    // Open every collapsed ancestor, then scroll the row into view.
    const rows = model.rows;
    for (let i = index - 1, depth = rows[index].depth; i >= 0 && depth > 0; i--) {
      if (rows[i].depth < depth && rows[i].subtreeEnd > index) { collapsed.delete(i); depth = rows[i].depth; }
    }
    refresh();
    const position = visible.indexOf(index);
    if (position < 0) return;
    const top = position * ROW_HEIGHT;
    const { viewport } = ui;
    if (top < viewport.scrollTop || top > viewport.scrollTop + viewport.clientHeight - ROW_HEIGHT) viewport.scrollTop = Math.max(0, top - viewport.clientHeight / 3);
    renderRows();
  }

  function select(index) {
    selected = index;
    renderRows();
    vscode.postMessage({ type: 'details', index });
  }

  function nextHit(step) {
    if (hits.length === 0) return;
    hitCursor = (hitCursor + step + hits.length) % hits.length;
    revealRow(hits[hitCursor]);
    select(hits[hitCursor]);
    ui.hitCount.textContent = (hitCursor + 1) + ' of ' + hits.length;
  }

  function onKey(event) {
    const position = visible.indexOf(selected);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = visible[Math.max(0, Math.min(visible.length - 1, position + (event.key === 'ArrowDown' ? 1 : -1)))];
      if (next !== undefined) { revealRow(next); select(next); }
    } else if ((event.key === 'ArrowLeft' || event.key === 'ArrowRight') && selected >= 0) {
      const isCollapsed = collapsed.has(selected);
      if ((event.key === 'ArrowLeft') !== isCollapsed) toggleRow(selected);
    } else if (event.key === 'Enter' && selected >= 0) {
      vscode.postMessage({ type: 'goToSource', index: selected });
    }
  }

  function valueText(value) {
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  function table(title, entries) {
    const section = el('div', 'block');
    section.append(el('h3', '', title + ' (' + entries.length + ')'));
    if (entries.length === 0) return section;
    const list = el('dl', 'attributes');
    for (const [key, value] of entries) list.append(el('dt', '', key), el('dd', '', valueText(value)));
    section.append(list);
    return section;
  }

  function showDetails(index, span) {
    const { details } = ui;
    details.textContent = '';
    const header = el('div', 'details-header');
    header.append(el('h2', '', span.name));
    const goTo = el('button', 'go-to-source', 'Go to source');
    goTo.addEventListener('click', () => vscode.postMessage({ type: 'goToSource', index }));
    header.append(goTo);
    details.append(header);
    const facts = [
      ['service', span.service], ['kind', span.kind], ['duration', formatMs(span.durationMs)], ['start', span.start],
      ['status', span.status.code + (span.status.message ? ': ' + span.status.message : '')],
      ['span id', span.spanId], ['parent span id', span.parentSpanId ?? '(root)'], ['trace id', span.traceId],
    ];
    details.append(table('Span', facts));
    if (span.warnings.length > 0) {
      const block = el('div', 'block warnings');
      block.append(el('h3', '', 'Warnings (' + span.warnings.length + ')'));
      for (const warning of span.warnings) block.append(el('p', '', warning));
      details.append(block);
    }
    details.append(table('Attributes', Object.entries(span.attributes)));
    details.append(table('Resource', Object.entries(span.resource)));
    const events = el('div', 'block');
    events.append(el('h3', '', 'Events (' + span.events.length + ')'));
    for (const event of span.events) {
      events.append(el('p', 'event-name', event.name));
      if (Object.keys(event.attributes).length > 0) {
        const list = el('dl', 'attributes');
        for (const [key, value] of Object.entries(event.attributes)) list.append(el('dt', '', key), el('dd', '', valueText(value)));
        events.append(list);
      }
    }
    details.append(events);
    details.append(table('Links', span.links.map((link) => [link.traceId + ' / ' + link.spanId, link.attributes])));
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    switch (message.type) {
      case 'trace': {
        const started = performance.now();
        model = unpack(message.model);
        collapsed = new Set();
        filter = { service: -1, minMs: 0, errorsOnly: false };
        hits = [];
        hitCursor = -1;
        selected = -1;
        build();
        refresh();
        // After the frame that shows the rows: the first paint.
        requestAnimationFrame(() => setTimeout(() => {
          paintMs = performance.now() - started;
          firstPaint = Date.now();
          ui.timing.textContent = 'first paint ' + Math.round(paintMs) + ' ms';
          ui.timing.dataset.paintMs = String(paintMs);
          vscode.postMessage({ type: 'rendered', paintMs, at: firstPaint });
        }, 0));
        return;
      }
      case 'latency':
        if (ui) {
          ui.timing.textContent = 'first paint ' + Math.round(paintMs) + ' ms (' + message.fromOpenMs + ' ms from request)';
          ui.timing.dataset.fromOpenMs = String(message.fromOpenMs);
        }
        return;
      case 'details':
        if (message.index === selected) showDetails(message.index, message.span);
        return;
      case 'found':
        if (!ui || message.text !== ui.find.value) return;
        hits = message.indexes;
        hitCursor = -1;
        ui.hitCount.textContent = ui.find.value ? hits.length + ' found' : '';
        if (hits.length > 0) nextHit(1); else renderRows();
        return;
    }
  });

  vscode.postMessage({ type: 'ready' });
})();
