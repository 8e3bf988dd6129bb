/**
 * The impact graph webview's HTML: a strict Content Security Policy (nothing
 * loads or runs but our own script and style, both carrying a fresh nonce),
 * the containers `client/webview/main.ts` fills, and the legend. Pure, so
 * the policy is unit-tested and the same page is loaded in a real browser by
 * `webviewBrowser.test.ts`.
 */
import { randomBytes } from 'node:crypto';

/** A fresh nonce for one rendering of the page. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export interface PageOptions {
  /** `webview.cspSource`: the origin webview resources are served from. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview.js)`, as a string. */
  scriptUri: string;
  nonce: string;
  /** Shown until the first graph arrives. */
  title: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Cytoscape adds this stylesheet to <head> unless it exists: we ship it with our nonce so the policy needs no exception. */
const CYTOSCAPE_STYLESHEET_ID = '__________cytoscape_stylesheet';

const STYLE = `
  html, body { height: 100%; margin: 0; padding: 0; }
  body { display: flex; flex-direction: column; color: var(--vscode-foreground, #ccc); background: var(--vscode-editor-background, #1e1e1e);
         font-family: var(--vscode-font-family, sans-serif); font-size: var(--vscode-font-size, 13px); }
  header { padding: 8px 16px 4px; }
  h1 { font-size: 1.3em; margin: 0 0 2px; font-weight: 600; }
  #summary { margin: 0; opacity: 0.85; }
  .legend { display: flex; flex-wrap: wrap; gap: 14px; list-style: none; margin: 6px 0 0; padding: 0; font-size: 0.9em; opacity: 0.85; }
  .legend li::before { content: ''; display: inline-block; width: 10px; height: 10px; margin-right: 5px; vertical-align: -1px; }
  .legend .atom::before { border-radius: 50%; background: var(--vscode-charts-blue, #3794ff); }
  .legend .rule::before { border-radius: 3px; background: var(--vscode-charts-purple, #b180d7); }
  .legend .document::before { background: var(--vscode-charts-green, #89d185); }
  .legend .conflict::before { border-radius: 3px; background: var(--vscode-errorForeground, #f14c4c); }
  #graph { flex: 1 1 auto; min-height: 240px; position: relative; }
  #graph.clickable { cursor: pointer; }
  #message { padding: 16px; }
  details { padding: 4px 16px 12px; max-height: 35%; overflow: auto; border-top: 1px solid var(--vscode-panel-border, #444); }
  summary { cursor: pointer; padding: 4px 0; }
  #nodes { list-style: none; margin: 0; padding: 0; }
  #nodes li { margin: 3px 0; display: flex; gap: 8px; align-items: baseline; }
  #nodes button { background: none; border: none; padding: 0; color: var(--vscode-textLink-foreground, #3794ff); cursor: pointer; font: inherit; text-align: left; }
  #nodes button:disabled { color: inherit; cursor: default; }
  #nodes .conflict button, #nodes .conflict { color: var(--vscode-errorForeground, #f14c4c); }
  #nodes .kind { flex: 0 0 7.5em; opacity: 0.7; font-size: 0.9em; }
`;

export function impactGraphHtml(o: PageOptions): string {
  const nonce = escapeHtml(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(o.title)}</title>
<style id="${CYTOSCAPE_STYLESHEET_ID}" nonce="${nonce}">.__________cytoscape_container { position: relative; }</style>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header>
  <h1 id="title">${escapeHtml(o.title)}</h1>
  <p id="summary">Loading…</p>
  <ul class="legend" aria-label="Legend">
    <li class="atom">atom</li><li class="rule">rule</li><li class="document">document</li><li class="conflict">in conflict</li>
  </ul>
</header>
<div id="graph" role="img" aria-label="The atom's neighbourhood: click a node to open it"></div>
<p id="message" hidden></p>
<details id="list" open>
  <summary>Nodes</summary>
  <ul id="nodes"></ul>
</details>
<script nonce="${nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}
