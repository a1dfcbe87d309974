// The token-usage dashboard: quota gauges, usage per day (prompt vs completion) and per model as uPlot
// charts, per-conversation totals, the biggest requests, and CSV/JSON export. All text goes in through
// textContent; nothing from the ledger is ever parsed as HTML.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DashboardData, DashboardRequests, DashboardToHost, GroupUsage, HostToDashboard, QuotaGauge, RequestRow } from '../../protocol/dashboard';
import { RpcClient } from '../../protocol/rpc';
import { formatCount } from '../../shared/format';
import './dashboard.css';

declare function acquireVsCodeApi(): { postMessage(message: DashboardToHost): void };
const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let charts: uPlot[] = [];

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: { className?: string; text?: string; testid?: string } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (attrs.className) node.className = attrs.className;
  if (attrs.text !== undefined) node.textContent = attrs.text;
  if (attrs.testid) node.dataset.testid = attrs.testid;
  node.append(...children);
  return node;
}

const themeColor = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

const rpc = new RpcClient<DashboardRequests>((m) => vscode.postMessage(m));

function button(text: string, testid: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { text, testid });
  b.addEventListener('click', onClick);
  return b;
}

function exportAs(format: 'csv' | 'json'): void {
  rpc.request('export', { format }).then(
    ({ where }) => showNotice(`Exported ${format.toUpperCase()}: ${where}`),
    (error: unknown) => showNotice(error instanceof Error ? error.message : String(error), true),
  );
}

function render(data: DashboardData): void {
  for (const c of charts) c.destroy();
  charts = [];
  app.replaceChildren();
  const header = el(
    'header',
    { className: 'bar' },
    el('h1', { text: `Token usage · ${data.user}` }),
    el('span', { className: 'muted', text: `updated ${new Date(data.generatedAt).toLocaleTimeString()}` }),
    el('span', { className: 'spacer' }),
    button('Refresh', 'refresh', () => vscode.postMessage({ type: 'refresh' })),
    button('Export CSV', 'export-csv', () => exportAs('csv')),
    button('Export JSON', 'export-json', () => exportAs('json')),
  );
  const t = data.totals;
  const totals = el(
    'section',
    { className: 'totals', testid: 'totals' },
    stat('Requests', formatCount(t.requests)),
    stat('Prompt tokens', formatCount(t.prompt)),
    stat('Completion tokens', formatCount(t.completion)),
    stat('Cancelled', formatCount(t.cancelled)),
    stat('Failed', formatCount(t.failed)),
    stat('Refused', formatCount(t.refused)),
  );
  app.append(header, totals, gauges(data.gauges));
  if (t.requests === 0) {
    app.append(
      el('p', {
        className: 'empty',
        testid: 'empty',
        text: 'No requests yet. Ask something in the chat panel or run "Therapist: Explain Selection", then refresh.',
      }),
    );
    return;
  }
  const perDay = el('section', { className: 'card' }, el('h2', { text: 'Per day: prompt vs completion' }));
  const perModel = el('section', { className: 'card' }, el('h2', { text: 'Per model' }));
  app.append(el('div', { className: 'charts' }, perDay, perModel), conversations(data.conversations), commands(data.commands), biggest(data.biggest));
  // Charts need their containers laid out to know their width.
  requestAnimationFrame(() => {
    charts.push(dayChart(perDay, data));
    charts.push(groupChart(perModel, data.models));
  });
}

function stat(label: string, value: string): HTMLElement {
  return el('div', { className: 'stat' }, el('div', { className: 'value', text: value }), el('div', { className: 'muted', text: label }));
}

function gauges(list: QuotaGauge[]): HTMLElement {
  const section = el('section', { className: 'gauges', testid: 'gauges' });
  for (const g of list) {
    const row = el('div', { className: 'gauge', testid: `gauge-${g.setting}` }, el('div', { className: 'gauge-name', text: g.name }));
    if (g.limit > 0) {
      // A themed bar rather than <meter>, whose track ignores VS Code's theme colours.
      const fill = el('div', { className: 'fill' });
      const ratio = g.used / g.limit;
      fill.style.width = `${Math.min(100, ratio * 100)}%`;
      fill.classList.add(ratio >= 1 ? 'over' : ratio >= 0.8 ? 'near' : 'ok');
      const meter = el('div', { className: 'meter' }, fill);
      meter.setAttribute('role', 'meter');
      meter.setAttribute('aria-valuemin', '0');
      meter.setAttribute('aria-valuemax', String(g.limit));
      meter.setAttribute('aria-valuenow', String(g.used));
      const pct = Math.round((g.used / g.limit) * 100);
      row.append(
        meter,
        el('div', {
          className: 'muted',
          text: `${formatCount(g.used)} of ${formatCount(g.limit)} (${pct}%)${g.resetsAt ? ` · resets ${new Date(g.resetsAt).toLocaleString()}` : ''}`,
        }),
      );
    } else {
      const set = el('button', { className: 'link', text: `unlimited · ${formatCount(g.used)} used · set a limit` });
      set.addEventListener('click', () => vscode.postMessage({ type: 'openSettings', setting: g.setting }));
      row.append(set);
    }
    section.append(row);
  }
  return section;
}

function axisStyle() {
  const fg = themeColor('--vscode-descriptionForeground', '#888');
  const grid = themeColor('--vscode-panel-border', '#8884');
  return { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
}

function dayChart(container: HTMLElement, data: DashboardData): uPlot {
  // Days as categories (one slot per day with usage), not a time scale: a time axis with one or two days
  // labels years and hours, which says nothing about daily usage.
  const xs = data.days.map((_, i) => i);
  const labels = data.days.map((d) => d.day.slice(5).replace('-', '/'));
  const prompt = themeColor('--vscode-charts-blue', '#3794ff');
  const completion = themeColor('--vscode-charts-orange', '#d18616');
  return new uPlot(
    {
      width: Math.max(280, container.clientWidth - 24),
      height: 220,
      legend: { show: true },
      scales: { x: { time: false, range: [-0.6, Math.max(0.6, xs.length - 0.4)] }, y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] } },
      axes: [
        { ...axisStyle(), splits: () => xs, values: (_u, vals) => vals.map((v) => labels[v] ?? '') },
        { ...axisStyle(), size: 76, values: (_u, vals) => vals.map((v) => formatCount(v)) },
      ],
      series: [
        { label: 'day', value: (_u, v) => labels[v] ?? '' },
        { label: 'prompt', fill: prompt, stroke: prompt, paths: uPlot.paths.bars!({ size: [0.35, 40], gap: 2, align: -1 }), points: { show: false } },
        {
          label: 'completion',
          fill: completion,
          stroke: completion,
          paths: uPlot.paths.bars!({ size: [0.35, 40], gap: 2, align: 1 }),
          points: { show: false },
        },
      ],
    },
    [xs, data.days.map((d) => d.prompt), data.days.map((d) => d.completion)],
    container,
  );
}

function groupChart(container: HTMLElement, groups: GroupUsage[]): uPlot {
  const xs = groups.map((_, i) => i);
  const color = themeColor('--vscode-charts-purple', '#b180d7');
  return new uPlot(
    {
      width: Math.max(280, container.clientWidth - 24),
      height: 220,
      legend: { show: true },
      scales: { x: { time: false, range: [-0.6, Math.max(0.6, groups.length - 0.4)] }, y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] } },
      axes: [
        { ...axisStyle(), splits: () => xs, values: (_u, vals) => vals.map((v) => groups[v]?.label ?? '') },
        { ...axisStyle(), size: 76, values: (_u, vals) => vals.map((v) => formatCount(v)) },
      ],
      series: [
        { label: 'model', value: (_u, v) => groups[v]?.label ?? '' },
        { label: 'tokens', fill: color, stroke: color, paths: uPlot.paths.bars!({ size: [0.5, 60] }), points: { show: false } },
      ],
    },
    [xs, groups.map((g) => g.prompt + g.completion)],
    container,
  );
}

function table(headers: string[], rows: string[][], testid: string): HTMLTableElement {
  const head = el('tr', {}, ...headers.map((h) => el('th', { text: h })));
  return el('table', { testid }, el('thead', {}, head), el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', { text: c }))))));
}

function conversations(groups: GroupUsage[]): HTMLElement {
  return el(
    'section',
    { className: 'card' },
    el('h2', { text: 'Per conversation' }),
    table(
      ['Conversation', 'Requests', 'Prompt', 'Completion', 'Total'],
      groups.map((g) => [g.label, formatCount(g.requests), formatCount(g.prompt), formatCount(g.completion), formatCount(g.prompt + g.completion)]),
      'conversations',
    ),
  );
}

function commands(groups: GroupUsage[]): HTMLElement {
  return el(
    'section',
    { className: 'card' },
    el('h2', { text: 'Per command' }),
    table(
      ['Command', 'Requests', 'Prompt', 'Completion', 'Total'],
      groups.map((g) => [g.label, formatCount(g.requests), formatCount(g.prompt), formatCount(g.completion), formatCount(g.prompt + g.completion)]),
      'commands',
    ),
  );
}

function biggest(rows: RequestRow[]): HTMLElement {
  return el(
    'section',
    { className: 'card' },
    el('h2', { text: 'Biggest requests' }),
    table(
      ['When', 'Command', 'Model', 'Prompt (ours / model)', 'Completion', 'Outcome', 'Cut'],
      rows.map((r) => [
        new Date(r.time).toLocaleString(),
        r.command,
        r.model,
        `${formatCount(r.promptTokens)} / ${r.modelPromptTokens === undefined ? '–' : formatCount(r.modelPromptTokens)}`,
        formatCount(r.completionTokens),
        r.outcome,
        r.truncatedSections.join(', ') || '–',
      ]),
      'biggest',
    ),
  );
}

window.addEventListener('message', (e: MessageEvent<HostToDashboard>) => {
  const m = e.data;
  if (m.type === 'data') render(m.data);
  else if (m.type === 'error') showNotice(m.message, true);
  else if (m.type === 'reply') rpc.receive(m);
});

function showNotice(text: string, error = false): void {
  document.querySelector('.notice')?.remove();
  app.prepend(el('div', { className: error ? 'notice error' : 'notice', text, testid: 'notice' }));
}

app.append(el('p', { className: 'muted', text: 'Loading token usage…' }));
vscode.postMessage({ type: 'ready' });
