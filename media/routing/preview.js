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

  function edges(route) {
    const out = [];
    if (route.timeout) out.push(`timeout ${route.timeout}`);
    if (route.retries) out.push(`retries ${describe(route.retries)}`);
    if (route.fault) out.push(`fault ${describe(route.fault)}`);
    if (route.rewrite) out.push(`rewrite ${describe(route.rewrite)}`);
    for (const m of route.mirrors) out.push(`mirror ${m.fqdn || m.host}${m.subset ? ` ${m.subset}` : ''} ${percent(m.percentage)}`);
    return out;
  }

  function destinationView(d, sampled) {
    const label = `${(d.host || '').split('.')[0]}${d.subset ? ` ${d.subset}` : ''}`;
    const cls = d.subsetStatus === 'unresolved' ? 'bar unresolved' : d.share === 0 ? 'bar zero' : 'bar';
    return el('div', { class: 'dest', 'data-host': d.fqdn || d.host, 'data-subset': d.subset || '', 'data-share': d.share },
      el('div', null, el('span', { class: 'dest-label' }, label), ' ', el('strong', { class: 'share' }, percent(d.share)),
        d.weight !== null ? el('span', { class: 'muted' }, ` (weight ${d.weight})`) : null,
        d.subsetStatus === 'unresolved' ? el('span', { class: 'unresolved-label' }, ' unresolved subset') : null),
      el('div', { class: cls, style: null, role: 'img', 'aria-label': `${label} ${percent(d.share)}`, 'data-width': d.share }),
      sampled !== undefined ? el('div', { class: 'bar sample', 'data-width': sampled.fraction, role: 'img', 'aria-label': `sampled ${sampled.count}` }) : null,
      sampled !== undefined ? el('div', { class: 'muted sampled' }, `sampled ${sampled.count} of ${sampled.total} (${percent(sampled.fraction)})`) : null,
      el('div', { class: 'workloads' }, d.workloads.length === 0
        ? el('span', { class: 'muted' }, d.subsetStatus === 'unresolved' ? 'no workloads: Envoy answers 503' : 'no workloads in the workspace')
        : d.workloads.map((w) => el('div', { class: 'workload' }, `${w.kind} ${w.namespace}/${w.name}${w.replicas === null ? '' : ` ×${w.replicas}`} · ${percent(w.share)}`))));
  }

  /** Widths are set through the CSSOM: the CSP forbids inline style attributes. */
  function applyWidths(root) {
    for (const bar of root.querySelectorAll('[data-width]')) bar.style.width = `${Math.max(0, Math.min(1, Number(bar.dataset.width))) * 100}%`;
  }

  function routeTarget(route) {
    if (route.redirect) return [el('div', { class: 'edge' }, `redirect ${describe(route.redirect)}`)];
    if (route.directResponse) return [el('div', { class: 'edge' }, `direct response ${describe(route.directResponse)}`)];
    if (route.delegate) return [el('div', { class: 'edge' }, `delegate → ${route.delegate}`)];
    if (route.invalidSplit) return [el('div', { class: 'reason' }, `invalid split: ${route.invalidSplit}`)];
    return [];
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

  function flow(vs) {
    const rows = [el('div', { class: 'head' }, 'Rule'), el('div', { class: 'head' }, 'Match (in order)'), el('div', { class: 'head' }, 'Destinations → workloads')];
    for (const route of vs.routes) {
      const title = `${route.protocol}[${route.index}]${route.name ? ` ${route.name}` : ''}`;
      const classes = ['rule', route.unreachable ? 'unreachable' : '', isMatched(vs, route) ? 'matched' : ''].filter(Boolean).join(' ');
      rows.push(el('div', { class: classes, role: 'row', 'data-index': route.index, 'data-protocol': route.protocol, 'data-name': route.name || '' },
        el('div', { role: 'cell' },
          el('button', { class: 'rule-title', title: 'Show in the editor', onclick: () => vscode.postMessage({ type: 'reveal', line: route.location.range.start.line }) }, title),
          route.unreachable ? el('div', { class: 'reason' }, `unreachable: ${route.unreachable}`) : null),
        el('div', { role: 'cell' }, matchLines(route).map((line, i) => el('div', { class: 'cond' }, i > 0 ? `or ${line}` : line)), edges(route).map((e) => el('div', { class: 'edge' }, e))),
        el('div', { role: 'cell' }, routeTarget(route), route.destinations.map((d, i) => destinationView(d, sampledFor(vs, route, i))))));
    }
    return el('div', { class: 'flow', role: 'table', 'aria-label': `Rules of ${vs.ref}` }, rows);
  }

  function entries(vs) {
    if (vs.isDelegate) return el('div', null, 'delegate of ', vs.delegatedFrom.length ? vs.delegatedFrom.join(', ') : '(no root in the workspace)');
    return el('div', null, 'entry: ', vs.gateways.map((g) => el('span', { class: g.found ? 'entry' : 'entry missing', title: g.found ? '' : 'Gateway not in the workspace' },
      g.name === 'mesh' ? 'mesh (sidecars)' : `Gateway ${g.name}${g.servers.length ? ` :${g.servers.map((s) => s.port).join(',')}` : ''}`)),
      ' → hosts: ', vs.hosts.join(', '));
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

  // ---- SVG export: the same flow as a standalone drawing, colours fixed (no theme outside VS Code).
  function svgText(x, y, text, extra) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    node.setAttribute('x', x);
    node.setAttribute('y', y);
    for (const [k, v] of Object.entries(extra || {})) node.setAttribute(k, v);
    node.textContent = text;
    return node;
  }
  function svgRect(x, y, w, h, fill) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    for (const [k, v] of Object.entries({ x, y, width: Math.max(1, w), height: h, fill })) node.setAttribute(k, v);
    return node;
  }
  function toSvg() {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    svg.setAttribute('font-family', 'sans-serif');
    svg.setAttribute('font-size', '13');
    let y = 24;
    const width = 900;
    for (const vs of current.result.model.virtualServices) {
      svg.append(svgText(10, y, `VirtualService ${vs.ref} — ${vs.isDelegate ? 'delegate' : `${vs.gateways.map((g) => g.name).join(', ')} → ${vs.hosts.join(', ')}`}`, { 'font-weight': 'bold' }));
      y += 22;
      for (const route of vs.routes) {
        const grey = route.unreachable ? '#999999' : '#222222';
        svg.append(svgText(10, y, `${route.protocol}[${route.index}]${route.name ? ` ${route.name}` : ''}`, { fill: grey, 'font-weight': 'bold' }));
        svg.append(svgText(200, y, matchLines(route).join(' or ') + (route.unreachable ? ` (unreachable: ${route.unreachable})` : ''), { fill: grey }));
        y += 18;
        for (const text of [...routeTarget(route).map((n) => n.textContent), ...edges(route)]) {
          svg.append(svgText(220, y, text, { fill: '#666666' }));
          y += 16;
        }
        for (const d of route.destinations) {
          svg.append(svgText(220, y + 10, `${(d.host || '').split('.')[0]}${d.subset ? ` ${d.subset}` : ''} ${percent(d.share)}`, { fill: grey }));
          svg.append(svgRect(420, y, 300 * d.share, 12, d.subsetStatus === 'unresolved' ? '#d9534f' : route.unreachable ? '#cccccc' : '#3b82f6'));
          svg.append(svgText(730, y + 10, d.workloads.map((w) => `${w.name}${w.replicas === null ? '' : ` ×${w.replicas}`}`).join(', '), { fill: '#666666' }));
          y += 20;
        }
        y += 8;
      }
      y += 12;
    }
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(y));
    svg.setAttribute('viewBox', `0 0 ${width} ${y}`);
    return new XMLSerializer().serializeToString(svg);
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
    for (const vs of result.model.virtualServices) {
      children.push(el('section', { class: 'vs', 'data-ref': vs.ref, 'aria-label': `VirtualService ${vs.ref}` }, el('h2', null, `VirtualService ${vs.ref}`), entries(vs), flow(vs)));
    }
    if (result.host) children.push(el('h2', null, 'Simulate a request'), simulatorForm(), simulationView());
    app.replaceChildren(...children.filter(Boolean));
    for (const [id, value] of Object.entries(formState)) {
      const node = document.getElementById(id);
      if (node && value !== undefined) node.value = value;
    }
    applyWidths(app);
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
