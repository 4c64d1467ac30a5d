// Routing preview webview. Renders the server's routing model; every value from the YAML goes
// into the DOM as text (textContent / createTextNode), never as HTML, because YAML is untrusted.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const app = document.getElementById('app');
  let current;
  let simulation;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function percent(share) {
    const p = share * 100;
    return `${Number.isInteger(p) ? p : p.toFixed(1)}%`;
  }

  function describe(value) {
    if (value === null || value === undefined) return '';
    if (typeof value !== 'object') return String(value);
    if (Array.isArray(value)) return value.map(describe).join(', ');
    return Object.entries(value).map(([k, v]) => (typeof v === 'object' && v !== null ? `${k} {${describe(v)}}` : `${k} ${String(v)}`)).join(', ');
  }

  function matchLines(route) {
    if (route.matches.length === 0) return ['any request'];
    return route.matches.map((entry) => Object.entries(entry).filter(([k]) => k !== 'name').map(([k, v]) => `${k} ${describe(v)}`).join(' and ') || 'any request');
  }

  function isMatched(vs, route) {
    const m = simulation && simulation.matchedRoute;
    return !!m && m.virtualService === vs.ref && m.index === route.index && m.protocol === route.protocol;
  }

  function sampledFor(vs, route, index) {
    if (!simulation || !simulation.samples || !isMatched(vs, route)) return undefined;
    const count = simulation.samples.destinations[index] || 0;
    return { count, total: simulation.samples.total, fraction: simulation.samples.total ? count / simulation.samples.total : 0 };
  }

  function simulatorForm() {
    const model = current.result.model;
    const gateways = new Set(['mesh']);
    for (const vs of model.virtualServices) for (const g of vs.gateways) gateways.add(g.name);
    const form = el('form', { class: 'sim', id: 'simulator', 'aria-label': 'Request simulator' },
      el('label', { for: 'sim-request' }, 'Request'), el('input', { id: 'sim-request', value: 'GET /', 'aria-describedby': 'sim-help' }),
      el('label', { for: 'sim-headers' }, 'Headers'), el('textarea', { id: 'sim-headers', placeholder: 'end-user=jason (one per line)' }),
      el('label', { for: 'sim-source' }, 'Source labels'), el('input', { id: 'sim-source', placeholder: 'app=productpage, version=v1' }),
      el('label', { for: 'sim-gateway' }, 'Entry'), el('select', { id: 'sim-gateway' }, [...gateways].map((g) => el('option', { value: g }, g))),
      el('label', { for: 'sim-count' }, 'N requests'), el('input', { id: 'sim-count', type: 'number', min: '1', max: '1000000', value: '1000' }),
      el('span', null), el('div', { class: 'toolbar' },
        el('button', { type: 'submit', id: 'sim-run' }, 'Simulate request'),
        el('button', { type: 'button', id: 'sim-sample', class: 'secondary', onclick: () => simulate(true) }, 'Simulate N requests')),
      el('span', null), el('span', { id: 'sim-help', class: 'muted' }, 'First match wins; regexes are RE2 full matches, as in Envoy.'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      simulate(false);
    });
    return form;
  }

  function pairs(text, separator) {
    const out = {};
    for (const part of text.split(separator)) {
      const at = part.search(/[=:]/);
      if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
    }
    return out;
  }

  const formState = {};
  let lastSimulation;
  function simulate(withSamples) {
    const value = (id) => document.getElementById(id).value;
    for (const id of ['sim-request', 'sim-headers', 'sim-source', 'sim-gateway', 'sim-count']) formState[id] = value(id);
    const line = value('sim-request').trim().split(/\s+/);
    const request = line.length >= 2 && !line[0].startsWith('/') ? { method: line[0].toUpperCase(), path: line[1] } : { path: line[0] || '/' };
    request.headers = pairs(value('sim-headers'), /\n/);
    request.sourceLabels = pairs(value('sim-source'), /,/);
    const gateway = value('sim-gateway');
    if (gateway !== 'mesh') request.gateway = gateway;
    const samples = withSamples ? Math.max(1, Math.min(1000000, Number(value('sim-count')) || 1000)) : undefined;
    lastSimulation = { host: current.result.host, request, samples };
    vscode.postMessage({ type: 'simulate', params: lastSimulation });
  }

  function simulationView() {
    if (!simulation) return null;
    const m = simulation.matchedRoute;
    return el('section', { id: 'simulation', 'aria-label': 'Simulation result' },
      el('h2', null, 'Result'),
      el('p', { id: 'sim-summary' }, m ? `Matched ${m.virtualService} ${m.protocol}[${m.index}]${m.name ? ` ${m.name}` : ''}` : 'No rule matched'),
      simulation.note ? el('p', { class: 'muted' }, simulation.note) : null,
      el('ul', { class: 'verdicts' }, simulation.evaluated.map((v) => el('li', { class: v.matched ? 'ok' : 'no' }, `${v.virtualService} ${v.protocol}[${v.index}]${v.name ? ` ${v.name}` : ''}: ${v.reason}`))),
      simulation.destinations.length ? el('ul', { id: 'sim-destinations' }, simulation.destinations.map((d, i) => el('li', { 'data-subset': d.subset || '', 'data-share': d.share },
        `${d.host}${d.subset ? ` ${d.subset}` : ''} ${percent(d.share)}${simulation.samples ? ` · sampled ${simulation.samples.destinations[i]} of ${simulation.samples.total}` : ''}`))) : null,
      simulation.redirect ? el('p', null, `redirect ${describe(simulation.redirect)}`) : null,
      simulation.directResponse ? el('p', null, `direct response ${describe(simulation.directResponse)}`) : null);
  }

  // ---- The flow diagram: an inline SVG built node by node; every YAML value goes in as textContent.
  // Geometry is set through SVG attributes (the CSP forbids inline style), colours through classes
  // in preview.css that read the VS Code theme variables.
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const LINE = 16;
  const PAD = 8;
  const BAR_WIDTH = 150;
  const COLUMNS = {
    entry: { x: 0, width: 104 },
    host: { x: 126, width: 130 },
    rule: { x: 278, width: 220 },
    dest: { x: 640, width: 180 },
    workload: { x: 842, width: 120 },
  };
  const WIDTH = COLUMNS.workload.x + COLUMNS.workload.width + 4;
  /** Characters per text line in a column: the width of a 12px monospace character, so text never overflows. */
  const CHAR_WIDTH = 7.2;
  const charsFor = (column) => Math.floor((COLUMNS[column].width - 2 * PAD) / CHAR_WIDTH);

  function svgEl(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }
  function svgText(x, y, text, attrs) {
    const node = svgEl('text', { x, y, ...attrs });
    node.textContent = text;
    return node;
  }
  function svgTitle(text) {
    const node = svgEl('title');
    node.textContent = text;
    return node;
  }

  /** Splits text into lines of at most `max` characters, at spaces where possible. */
  function wrap(text, max) {
    const lines = [];
    let line = '';
    for (const word of String(text).split(/\s+/)) {
      for (let rest = word; rest.length > 0;) {
        const room = line ? max - line.length - 1 : max;
        if (rest.length <= room) {
          line = line ? `${line} ${rest}` : rest;
          rest = '';
        } else if (line) {
          lines.push(line);
          line = '';
        } else {
          lines.push(rest.slice(0, max));
          rest = rest.slice(max);
        }
      }
    }
    if (line) lines.push(line);
    return lines.length ? lines : [''];
  }

  function curve(x1, y1, x2, y2, share, extraClass) {
    const mid = (x1 + x2) / 2;
    return svgEl('path', {
      class: `flow-edge${extraClass ? ` ${extraClass}` : ''}`,
      d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`,
      'stroke-width': (1 + 11 * Math.max(0, Math.min(1, share))).toFixed(1),
      'data-share': share,
    });
  }

  function percentOf(value) {
    // Istio percentages: `percentage: {value: 10}` or the older integer `percent: 10`.
    if (!value || typeof value !== 'object') return '';
    if (value.percentage && typeof value.percentage === 'object' && value.percentage.value !== undefined) return ` (${value.percentage.value}%)`;
    if (value.percent !== undefined) return ` (${value.percent}%)`;
    return '';
  }

  /** What Envoy does on the way from a rule to its destinations, one short label each. */
  function edgeLabels(route) {
    const out = [];
    for (const m of route.mirrors) out.push({ kind: 'mirror', text: `mirror ${(m.host || '').split('.')[0]}${m.subset ? ` ${m.subset}` : ''} ${percent(m.percentage)}` });
    const fault = route.fault && typeof route.fault === 'object' ? route.fault : null;
    if (fault && fault.delay) out.push({ kind: 'fault', text: `fault delay ${describe(fault.delay.fixedDelay ?? fault.delay.exponentialDelay ?? '')}${percentOf(fault.delay)}` });
    if (fault && fault.abort) out.push({ kind: 'fault', text: `fault abort ${describe(fault.abort.httpStatus ?? fault.abort.grpcStatus ?? fault.abort.http2Error ?? '')}${percentOf(fault.abort)}` });
    if (route.fault && !fault) out.push({ kind: 'fault', text: `fault ${describe(route.fault)}` });
    const retries = route.retries && typeof route.retries === 'object' ? route.retries : null;
    if (retries) out.push({ kind: 'retries', text: `retries ${retries.attempts ?? '?'}${retries.perTryTimeout ? ` × ${retries.perTryTimeout}` : ''}` });
    if (route.timeout) out.push({ kind: 'timeout', text: `timeout ${route.timeout}` });
    if (route.rewrite) out.push({ kind: 'rewrite', text: `rewrite ${describe(route.rewrite)}` });
    return out;
  }

  /** A route without destinations still ends somewhere: a redirect, a direct response, a delegate. */
  function terminal(route) {
    if (route.redirect) return `redirect ${describe(route.redirect)}`;
    if (route.directResponse) return `direct response ${describe(route.directResponse)}`;
    if (route.delegate) return `delegate → ${route.delegate}`;
    return null;
  }

  function ruleTitle(route) {
    return `${route.protocol}[${route.index}]${route.name ? ` ${route.name}` : ''}`;
  }
  function ruleId(vsIndex, route) {
    return `rule-${vsIndex}-${route.protocol}-${route.index}`;
  }
  function destLabel(d) {
    return `${(d.host || '').split('.')[0]}${d.subset ? ` ${d.subset}` : ''}`;
  }

  /** Lines of a rule node: its conditions in order, then why it can never match. */
  function ruleLines(route) {
    const max = charsFor('rule');
    const lines = [];
    matchLines(route).forEach((line, i) => lines.push(...wrap(i > 0 ? `or ${line}` : line, max).map((text) => ({ text, class: 'cond' }))));
    if (route.unreachable) lines.push(...wrap(`unreachable: ${route.unreachable}`, max).map((text) => ({ text, class: 'reason' })));
    if (route.invalidSplit) lines.push(...wrap(`invalid split: ${route.invalidSplit}`, max).map((text) => ({ text, class: 'reason' })));
    return lines;
  }

  /** Height a destination takes: its node, or its workloads stacked beside it when taller. */
  function destHeight(d, sampled) {
    const node = PAD + LINE + 14 + (sampled ? 10 + LINE : 0) + (d.subsetStatus === 'unresolved' || d.workloads.length === 0 ? LINE : 0) + PAD;
    return Math.max(node, d.workloads.length * 30);
  }

  function destinationNode(d, sampled, x, y, height) {
    const label = destLabel(d);
    const cls = d.subsetStatus === 'unresolved' ? 'bar unresolved' : d.share === 0 ? 'bar zero' : 'bar';
    const node = svgEl('g', { class: 'dest', 'data-host': d.fqdn || d.host, 'data-subset': d.subset || '', 'data-share': d.share, role: 'img', 'aria-label': `${label} ${percent(d.share)}` },
      svgTitle(`${d.fqdn || d.host}${d.subset ? ` subset ${d.subset}` : ''}${d.port ? ` port ${d.port}` : ''}: ${percent(d.share)} of the rule's traffic${d.weight !== null ? ` (weight ${d.weight})` : ''}`),
      svgEl('rect', { class: 'node', x, y, width: COLUMNS.dest.width, height, rx: 4 }));
    let line = y + PAD + 12;
    const text = svgText(x + PAD, line, '', { class: 'node-text' });
    const name = svgEl('tspan', { class: 'dest-label' });
    name.textContent = label.length > 17 ? `${label.slice(0, 16)}…` : label;
    const share = svgEl('tspan', { class: 'share', 'font-weight': 'bold', x: x + COLUMNS.dest.width - PAD, 'text-anchor': 'end' });
    share.textContent = percent(d.share);
    text.append(name, share);
    node.append(text);
    line += 6;
    node.append(svgEl('rect', { class: 'bar-track', x: x + PAD, y: line, width: BAR_WIDTH, height: 8 }));
    node.append(svgEl('rect', { class: cls, x: x + PAD, y: line, width: (BAR_WIDTH * Math.max(0, Math.min(1, d.share))).toFixed(2), height: 8, 'data-share': d.share }));
    line += 8;
    if (sampled) {
      node.append(svgEl('rect', { class: 'bar sample', x: x + PAD, y: line + 2, width: (BAR_WIDTH * sampled.fraction).toFixed(2), height: 6, 'data-share': sampled.fraction }));
      line += 8 + LINE - 4;
      node.append(svgText(x + PAD, line, `sampled ${sampled.count} of ${sampled.total} (${percent(sampled.fraction)})`, { class: 'sampled muted-text' }));
    }
    if (d.subsetStatus === 'unresolved') node.append(svgText(x + PAD, line + LINE, 'unresolved subset: 503', { class: 'unresolved-label' }));
    else if (d.workloads.length === 0) node.append(svgText(x + PAD, line + LINE, 'no workloads in the workspace', { class: 'muted-text' }));
    return node;
  }

  function workloadNodes(d, x, y, height, fromX, fromY) {
    const out = [];
    const top = y + (height - d.workloads.length * 30) / 2;
    d.workloads.forEach((w, i) => {
      const wy = top + i * 30 + 2;
      const name = `${w.name}${w.replicas === null ? '' : ` ×${w.replicas}`}`;
      out.push(curve(fromX, fromY, x, wy + 13, w.share, 'to-workload'));
      out.push(svgEl('g', { class: 'workload', 'data-subset': d.subset || '', 'data-share': w.share, role: 'img', 'aria-label': `${w.kind} ${w.namespace}/${name} · ${percent(w.share)}` },
        svgTitle(`${w.kind} ${w.namespace}/${name} · ${percent(w.share)} (${w.source})`),
        svgEl('rect', { class: 'node', x, y: wy, width: COLUMNS.workload.width, height: 26, rx: 4 }),
        svgText(x + PAD, wy + 17, name.length > charsFor('workload') ? `${name.slice(0, charsFor('workload') - 1)}…` : name, { class: 'workload-label node-text' })));
    });
    return out;
  }

  /** Draws one VirtualService: entry → hosts → rules in order → destinations → workloads. */
  function diagram(vs, vsIndex) {
    const labelsX = COLUMNS.rule.x + COLUMNS.rule.width + 12;
    const rows = [];
    let y = 28;
    for (const route of vs.routes) {
      const lines = ruleLines(route);
      const ruleHeight = PAD + LINE + lines.length * LINE + PAD;
      const samples = route.destinations.map((d, i) => sampledFor(vs, route, i));
      const dests = route.destinations.map((d, i) => destHeight(d, samples[i]));
      const end = terminal(route);
      const endLines = end ? wrap(end, charsFor('dest')) : [];
      const labels = edgeLabels(route);
      const targetHeight = dests.reduce((sum, h) => sum + h + 6, 0) + (end ? 2 * PAD + endLines.length * LINE + 6 : 0);
      const height = Math.max(ruleHeight, targetHeight, labels.length * 20 + 6);
      rows.push({ route, lines, ruleHeight, samples, dests, endLines, labels, y, height });
      y += height + 14;
    }
    const height = Math.max(y, 28 + Math.max(vs.gateways.length, vs.hosts.length, 1) * 40);
    const svg = svgEl('svg', { class: 'diagram', xmlns: SVG_NS, width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}`, role: 'group', 'aria-label': `Routing flow of ${vs.ref}`, 'font-size': 12 });
    const heads = [['entry', vs.isDelegate ? 'Delegated from' : 'Entry'], ['host', 'Hosts'], ['rule', 'Rules (first match wins)'], ['dest', 'Destinations'], ['workload', 'Workloads']];
    for (const [column, text] of heads) svg.append(svgText(COLUMNS[column].x, 14, text, { class: 'column-head' }));
    const edgesLayer = svgEl('g', { class: 'edges' });
    const nodesLayer = svgEl('g', { class: 'nodes' });
    svg.append(edgesLayer, nodesLayer);

    // Entry and hosts are centred on the rules they feed.
    const entries = vs.isDelegate
      ? (vs.delegatedFrom.length ? vs.delegatedFrom : ['(no root in the workspace)']).map((name) => ({ text: name, found: vs.delegatedFrom.length > 0, title: `root VirtualService ${name}` }))
      : vs.gateways.map((g) => ({ text: g.name === 'mesh' ? 'mesh' : `${g.name}${g.servers.length ? ` :${g.servers.map((s) => s.port).join(',')}` : ''}`, found: g.found, title: g.name === 'mesh' ? 'mesh: requests from the sidecars' : g.found ? `Gateway ${g.name}` : `Gateway ${g.name}: not in the workspace` }));
    const hosts = vs.hosts.length ? vs.hosts : ['(delegate: hosts of the root)'];
    const column = (items, name) => {
      const top = 28 + Math.max(0, (height - 28 - items.length * 40) / 2);
      return items.map((item, i) => ({ item, x: COLUMNS[name].x, y: top + i * 40, mid: top + i * 40 + 14 }));
    };
    const entryNodes = column(entries, 'entry');
    const hostNodes = column(hosts, 'host');
    for (const e of entryNodes) {
      const max = charsFor('entry');
      nodesLayer.append(svgEl('g', { class: e.item.found ? 'entry' : 'entry missing' }, svgTitle(e.item.title),
        svgEl('rect', { class: 'node', x: e.x, y: e.y, width: COLUMNS.entry.width, height: 28, rx: 14 }),
        svgText(e.x + PAD, e.y + 18, e.item.text.length > max ? `${e.item.text.slice(0, max - 1)}…` : e.item.text, { class: 'node-text' })));
      for (const h of hostNodes) edgesLayer.append(curve(e.x + COLUMNS.entry.width, e.mid, h.x, h.mid, 0.1));
    }
    for (const h of hostNodes) {
      const max = charsFor('host');
      // The cluster suffix is the same on every in-mesh host; the tooltip keeps the full name.
      const short = h.item.replace(/\.svc\.cluster\.local$/, '');
      nodesLayer.append(svgEl('g', { class: 'host', 'data-host': h.item }, svgTitle(h.item),
        svgEl('rect', { class: 'node', x: h.x, y: h.y, width: COLUMNS.host.width, height: 28, rx: 4 }),
        svgText(h.x + PAD, h.y + 18, short.length > max ? `${short.slice(0, max - 1)}…` : short, { class: 'node-text' })));
    }

    for (const row of rows) {
      const { route } = row;
      const classes = ['rule', route.unreachable ? 'unreachable' : '', isMatched(vs, route) ? 'matched' : '', selectedRule === ruleId(vsIndex, route) ? 'selected' : ''].filter(Boolean).join(' ');
      const group = svgEl('g', { class: classes, 'data-index': route.index, 'data-protocol': route.protocol, 'data-name': route.name || '' });
      const ry = row.y + (row.height - row.ruleHeight) / 2;
      const ruleMid = ry + row.ruleHeight / 2;
      for (const h of hostNodes) group.append(curve(h.x + COLUMNS.host.width, h.mid, COLUMNS.rule.x, ruleMid, 0.1, 'to-rule'));
      const id = ruleId(vsIndex, route);
      const title = svgEl('g', {
        class: 'rule-title', id, tabindex: 0, role: 'button', 'data-rule': id,
        'aria-label': `Rule ${ruleTitle(route)}: ${row.lines.map((l) => l.text).join(' ')}. Enter shows its details.`,
        onclick: () => showDetails(id),
        onkeydown: (event) => onRuleKey(event, id),
      }, svgTitle(route.unreachable ? `unreachable: ${route.unreachable}` : `${ruleTitle(route)}: Enter or click for details`),
      svgEl('rect', { class: 'node rule-node', x: COLUMNS.rule.x, y: ry, width: COLUMNS.rule.width, height: row.ruleHeight, rx: 4 }),
      svgText(COLUMNS.rule.x + PAD, ry + PAD + 11, ruleTitle(route).slice(0, charsFor('rule')), { class: 'node-text rule-name', 'font-weight': 'bold' }),
      row.lines.map((line, i) => svgText(COLUMNS.rule.x + PAD, ry + PAD + 11 + (i + 1) * LINE, line.text, { class: line.class })));
      group.append(title);

      // Destinations of this rule, stacked; edges sized by share; the rule's policies label the trunk.
      const fromX = COLUMNS.rule.x + COLUMNS.rule.width;
      let dy = row.y + (row.height - row.dests.reduce((s, h) => s + h + 6, 0) - (row.endLines.length ? 2 * PAD + row.endLines.length * LINE + 6 : 0)) / 2;
      route.destinations.forEach((d, i) => {
        const h = row.dests[i];
        const nodeHeight = Math.min(h, PAD + LINE + 14 + (row.samples[i] ? 10 + LINE : 0) + (d.subsetStatus === 'unresolved' || d.workloads.length === 0 ? LINE : 0) + PAD);
        const nodeY = dy + (h - nodeHeight) / 2;
        const mid = nodeY + nodeHeight / 2;
        const edge = curve(fromX, ruleMid, COLUMNS.dest.x, mid, d.share, 'to-dest');
        edge.setAttribute('data-subset', d.subset || '');
        group.append(edge);
        group.append(destinationNode(d, row.samples[i], COLUMNS.dest.x, nodeY, nodeHeight));
        group.append(...workloadNodes(d, COLUMNS.workload.x, dy, h, COLUMNS.dest.x + COLUMNS.dest.width, mid));
        dy += h + 6;
      });
      if (row.endLines.length) {
        const h = 2 * PAD + row.endLines.length * LINE;
        group.append(curve(fromX, ruleMid, COLUMNS.dest.x, dy + h / 2, 1, 'to-dest'));
        group.append(svgEl('g', { class: 'terminal' }, svgEl('rect', { class: 'node', x: COLUMNS.dest.x, y: dy, width: COLUMNS.dest.width, height: h, rx: 4 }),
          row.endLines.map((text, i) => svgText(COLUMNS.dest.x + PAD, dy + PAD + 12 + i * LINE, text, { class: 'node-text' }))));
      }
      const labelTop = ruleMid - (row.labels.length * 20) / 2;
      row.labels.forEach((label, i) => {
        const text = label.text.length > 17 ? `${label.text.slice(0, 16)}…` : label.text;
        group.append(svgEl('g', { class: `edge-label ${label.kind}`, 'data-kind': label.kind }, svgTitle(label.text),
          svgEl('rect', { class: 'edge-label-box', x: labelsX, y: labelTop + i * 20, width: text.length * CHAR_WIDTH + 2 * PAD, height: 17, rx: 8 }),
          svgText(labelsX + PAD, labelTop + i * 20 + 12.5, text, { class: 'edge-label-text' })));
      });
      nodesLayer.append(group);
    }
    return svg;
  }

  // ---- Rule details and keyboard moves between rule nodes.
  let selectedRule;
  function ruleById(id) {
    const model = current.result.model;
    for (const [vsIndex, vs] of model.virtualServices.entries()) for (const route of vs.routes) if (ruleId(vsIndex, route) === id) return { vs, route };
    return undefined;
  }
  function showDetails(id) {
    selectedRule = id;
    render();
    document.getElementById(id)?.focus();
  }
  function onRuleKey(event, id) {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      showDetails(id);
      return;
    }
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    const nodes = [...document.querySelectorAll('.rule-title')];
    const next = nodes[nodes.findIndex((node) => node.id === id) + step];
    if (next) next.focus();
  }
  function detailsView() {
    const found = selectedRule && ruleById(selectedRule);
    if (!found) return null;
    const { vs, route } = found;
    const rows = [
      ['Rule', `${vs.ref} ${ruleTitle(route)}`],
      ['Match', matchLines(route).join(' or ')],
      route.unreachable ? ['Unreachable', route.unreachable] : null,
      route.invalidSplit ? ['Invalid split', route.invalidSplit] : null,
      ...route.destinations.map((d) => ['Destination', `${d.fqdn || d.host}${d.subset ? ` subset ${d.subset}` : ''}${d.port ? ` port ${d.port}` : ''} ${percent(d.share)}${d.weight !== null ? ` (weight ${d.weight})` : ''}${d.subsetStatus === 'unresolved' ? ' — unresolved subset' : ''}; workloads: ${d.workloads.length ? d.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}${w.replicas === null ? '' : ` ×${w.replicas}`} · ${percent(w.share)}`).join(', ') : 'none'}`]),
      ...route.mirrors.map((m) => ['Mirror', `${m.fqdn || m.host}${m.subset ? ` ${m.subset}` : ''} ${percent(m.percentage)}`]),
      route.fault ? ['Fault', describe(route.fault)] : null,
      route.retries ? ['Retries', describe(route.retries)] : null,
      route.timeout ? ['Timeout', route.timeout] : null,
      route.rewrite ? ['Rewrite', describe(route.rewrite)] : null,
      route.headers ? ['Headers', describe(route.headers)] : null,
      terminal(route) ? ['Ends in', terminal(route)] : null,
    ].filter(Boolean);
    return el('section', { id: 'rule-details', 'aria-label': `Details of ${ruleTitle(route)}` },
      el('h2', null, `Rule ${ruleTitle(route)}`),
      el('dl', null, rows.flatMap(([k, v]) => [el('dt', null, k), el('dd', null, v)])),
      el('div', { class: 'toolbar' },
        el('button', { type: 'button', id: 'rule-reveal', class: 'secondary', onclick: () => vscode.postMessage({ type: 'reveal', line: route.location.range.start.line }) }, 'Show in the editor'),
        el('button', { type: 'button', id: 'rule-close', class: 'secondary', onclick: () => { const id = selectedRule; selectedRule = undefined; render(); document.getElementById(id)?.focus(); } }, 'Close')));
  }

  // ---- SVG export: the drawn diagrams in one file, with fixed colours (no theme outside VS Code).
  const EXPORT_STYLE = `text{font-family:sans-serif;font-size:12px;fill:#222}.column-head{font-weight:bold;fill:#555}
.node{fill:#f6f8fa;stroke:#8c959f}.flow-edge{fill:none;stroke:#3b82f6;stroke-opacity:.45}.flow-edge.to-rule{stroke:#8c959f}
.bar{fill:#3b82f6}.bar.zero{fill:#bbb}.bar.unresolved{fill:#d9534f}.bar.sample{fill:#22a06b}.bar-track{fill:#e5e7eb}
.cond{font-family:monospace}.reason{fill:#b45309;font-style:italic}.muted-text,.sampled{fill:#666}.unresolved-label{fill:#d9534f}
.edge-label-box{fill:#fff;stroke:#8c959f}.edge-label.fault .edge-label-box{stroke:#d9534f}.edge-label.mirror .edge-label-box{stroke-dasharray:3 2}
.entry.missing .node{stroke-dasharray:4 3;stroke:#d9534f}.rule.unreachable{opacity:.45}.rule.matched .rule-node{stroke:#22a06b;stroke-width:2}`;
  function toSvg() {
    const drawn = [...document.querySelectorAll('svg.diagram')];
    const out = svgEl('svg', { xmlns: SVG_NS, width: WIDTH + 20 });
    const style = svgEl('style');
    style.textContent = EXPORT_STYLE;
    out.append(style);
    let y = 10;
    for (const [i, svg] of drawn.entries()) {
      const vs = current.result.model.virtualServices[i];
      out.append(svgText(10, y + 14, `VirtualService ${vs.ref}`, { 'font-weight': 'bold', 'font-size': 14 }));
      y += 24;
      const copy = svg.cloneNode(true);
      copy.setAttribute('x', '10');
      copy.setAttribute('y', String(y));
      copy.removeAttribute('class');
      for (const node of copy.querySelectorAll('[tabindex]')) node.removeAttribute('tabindex');
      out.append(copy);
      y += Number(svg.getAttribute('height')) + 16;
    }
    out.setAttribute('height', String(y));
    out.setAttribute('viewBox', `0 0 ${WIDTH + 20} ${y}`);
    return new XMLSerializer().serializeToString(out);
  }

  function render() {
    if (!current) return;
    const focused = document.activeElement && document.activeElement.id;
    for (const id of Object.keys(formState)) {
      const node = document.getElementById(id);
      if (node) formState[id] = node.value;
    }
    const { result } = current;
    const children = [
      el('h1', null, result.host ? `Routing for ${result.host}` : 'Routing'),
      el('div', { class: 'toolbar' },
        el('button', { type: 'button', id: 'export-svg', class: 'secondary', onclick: () => vscode.postMessage({ type: 'exportSvg', svg: toSvg() }) }, 'Export SVG'),
        el('button', { type: 'button', id: 'export-md', class: 'secondary', onclick: () => vscode.postMessage({ type: 'exportMarkdown' }) }, 'Export Markdown table'),
        el('span', { id: 'latency', class: 'muted' }, current.latency !== undefined ? `updated ${current.latency} ms after the edit` : `model in ${result.computeMs} ms`)),
    ];
    if (result.model.virtualServices.length === 0) children.push(el('p', { class: 'muted' }, 'No VirtualService in this file.'));
    for (const [vsIndex, vs] of result.model.virtualServices.entries()) {
      children.push(el('section', { class: 'vs', 'data-ref': vs.ref, 'aria-label': `VirtualService ${vs.ref}` }, el('h2', null, `VirtualService ${vs.ref}`),
        el('div', { class: 'diagram-scroll' }, diagram(vs, vsIndex))));
    }
    if (selectedRule && !ruleById(selectedRule)) selectedRule = undefined;
    children.push(detailsView());
    if (result.host) children.push(el('h2', null, 'Simulate a request'), simulatorForm(), simulationView());
    app.replaceChildren(...children.filter(Boolean));
    for (const [id, value] of Object.entries(formState)) {
      const node = document.getElementById(id);
      if (node && value !== undefined) node.value = value;
    }
    if (focused) document.getElementById(focused)?.focus();
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'model') {
      current = { result: message.result, sequence: message.sequence };
      if (simulation && current.result.host !== simulation.host) simulation = undefined;
      render();
      // The YAML changed under a shown simulation: run it again so it never shows stale routing.
      if (simulation && lastSimulation) vscode.postMessage({ type: 'simulate', params: lastSimulation });
      document.body.dataset.sequence = String(message.sequence);
      vscode.postMessage({ type: 'rendered', sequence: message.sequence });
    } else if (message.type === 'simulation') {
      simulation = message.result;
      render();
    } else if (message.type === 'latency' && current && current.sequence === message.sequence) {
      current.latency = message.ms;
      const node = document.getElementById('latency');
      if (node) node.textContent = `updated ${message.ms} ms after the edit`;
    }
  });
  vscode.postMessage({ type: 'ready' });
}());
