/**
 * The impact graph webview's script, bundled with cytoscape into
 * `dist/webview.js` (esbuild, browser IIFE). It draws what the extension
 * sends (`HostMessage`, built by `client/src/graphView.ts`) in the theme's
 * colours, lists the nodes below the picture (keyboard and screen-reader
 * friendly, and what tests click), and asks the extension to open a node's
 * location by id. Text goes into the page through `textContent` only.
 */
import cytoscape from 'cytoscape';
import {
  FALLBACK_COLORS,
  graphStylesheet,
  type GraphColors,
  type GraphElements,
  type GraphNodeData,
  type HostMessage,
  type WebviewMessage,
} from '../src/graphView';

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const container = byId<HTMLDivElement>('graph');
const title = byId<HTMLHeadingElement>('title');
const summary = byId<HTMLParagraphElement>('summary');
const messageBox = byId<HTMLParagraphElement>('message');
const list = byId<HTMLUListElement>('nodes');

let cy: cytoscape.Core | undefined;

/** VS Code's theme colours (CSS variables on the page), with fallbacks outside VS Code. */
function themeColors(): GraphColors {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const f = FALLBACK_COLORS;
  return {
    foreground: v('--vscode-foreground', f.foreground),
    background: v('--vscode-editor-background', f.background),
    atom: v('--vscode-charts-blue', f.atom),
    rule: v('--vscode-charts-purple', f.rule),
    document: v('--vscode-charts-green', f.document),
    edge: v('--vscode-descriptionForeground', f.edge),
    conflict: v('--vscode-errorForeground', f.conflict),
    focus: v('--vscode-focusBorder', f.focus),
  };
}

function draw(elements: GraphElements): void {
  cy?.destroy();
  const maxHops = Math.max(0, ...elements.nodes.map((n) => n.data.hops));
  cy = cytoscape({
    container,
    elements: [...elements.nodes, ...elements.edges],
    style: graphStylesheet(themeColors()) as cytoscape.StylesheetJson,
    minZoom: 0.2,
    maxZoom: 3,
    wheelSensitivity: 0.3,
  });
  cy.layout({
    name: 'concentric',
    // The atom in the middle, each hop one ring further out.
    concentric: (node) => maxHops + 1 - (node.data('hops') as number),
    levelWidth: () => 1,
    minNodeSpacing: 80,
    animate: false,
    fit: false,
  }).run();
  frameAroundRoot(cy);
  cy.on('tap', 'node', (event) => open(event.target.data() as GraphNodeData));
  cy.on('mouseover', 'node[?clickable]', () => container.classList.add('clickable'));
  cy.on('mouseout', 'node', () => container.classList.remove('clickable'));
}

/** Zooms so every node and its label is visible with the atom in the middle of the view. */
function frameAroundRoot(graph: cytoscape.Core): void {
  const root = graph.nodes('[?root]').first();
  if (root.empty()) {
    graph.fit(undefined, 24);
    return;
  }
  const centre = root.position();
  // Labels hang below a node and are up to 160px wide (the stylesheet's text-max-width).
  let reachX = 60;
  let reachY = 60;
  graph.nodes().forEach((n) => {
    reachX = Math.max(reachX, Math.abs(n.position('x') - centre.x) + 90);
    reachY = Math.max(reachY, Math.abs(n.position('y') - centre.y) + 40);
  });
  graph.zoom(Math.max(graph.minZoom(), Math.min(1.5, graph.width() / (2 * reachX), graph.height() / (2 * reachY))));
  graph.center(root);
}

function open(node: GraphNodeData): void {
  if (node.clickable) post({ type: 'open', nodeId: node.id });
}

const KIND_ORDER = { atom: 0, rule: 1, document: 2 } as const;

function fillList(elements: GraphElements): void {
  const nodes = elements.nodes.map((n) => n.data).sort((a, b) => a.hops - b.hops || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.title.localeCompare(b.title));
  list.replaceChildren(
    ...nodes.map((node) => {
      const li = document.createElement('li');
      li.dataset.kind = node.kind;
      if (node.conflict) li.classList.add('conflict');
      const kind = document.createElement('span');
      kind.className = 'kind';
      kind.textContent = node.conflict ? `${node.kind} · conflict` : node.kind;
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.nodeId = node.id;
      button.textContent = node.title;
      button.title = node.clickable ? 'Open' : '';
      button.disabled = !node.clickable;
      button.addEventListener('click', () => open(node));
      li.append(kind, button);
      return li;
    }),
  );
}

function show(message: HostMessage): void {
  title.textContent = `Impact of ${message.atom}`;
  if (message.type === 'empty') {
    cy?.destroy();
    cy = undefined;
    summary.textContent = '';
    messageBox.textContent = message.message;
    messageBox.hidden = false;
    container.hidden = true;
    list.replaceChildren();
    return;
  }
  messageBox.hidden = true;
  container.hidden = false;
  summary.textContent = message.summary;
  // The list first: it takes room from the graph, whose size must be final when it is framed.
  fillList(message.elements);
  draw(message.elements);
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (message && (message.type === 'graph' || message.type === 'empty')) show(message);
});

// The panel was resized (or the node list opened or closed): keep the atom in the middle, everything in view.
new ResizeObserver(() => {
  if (!cy) return;
  cy.resize();
  frameAroundRoot(cy);
}).observe(container);

// The theme changed (VS Code swaps the body's class): recolour without redrawing.
new MutationObserver(() => cy?.style(graphStylesheet(themeColors()) as cytoscape.StylesheetJson)).observe(document.body, {
  attributes: true,
  attributeFilter: ['class'],
});

post({ type: 'ready' });
