/**
 * The impact graph page in a real Chromium, as VS Code would load it: the
 * HTML of webviewHtml.ts with its Content Security Policy, served over HTTP
 * with the bundled dist/webview.js (built by the test setup), and a stand-in
 * for `acquireVsCodeApi`. Proves cytoscape draws under the policy without a
 * single violation, conflicts are listed as such, and clicking a node — in
 * the list or on the canvas — asks the extension to open it by id.
 *
 * Needs Chromium (/usr/bin/chromium, or KOS_CHROMIUM); skipped without one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphSummary, toGraphElements, type HostMessage, type ImpactGraph } from './graphView';
import { impactGraphHtml, makeNonce } from './webviewHtml';

const CHROMIUM = process.env.KOS_CHROMIUM ?? process.env.KOS_E2E_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const BUNDLE = path.resolve(__dirname, '../../dist/webview.js');

const at = (line: number) => ({ uri: 'file:///ws/domains/tax/withholding-rates.md', range: { start: { line, character: 2 }, end: { line, character: 30 } } });
const GRAPH: ImpactGraph = {
  atom: 'Jurisdiction',
  source: 'memory',
  nodes: [
    { id: 'atom', kind: 'atom', label: 'Jurisdiction', hops: 0, location: at(31) },
    { id: 'row', kind: 'rule', label: 'IF Jurisdiction = Quebec THEN Withholding Rate = 10%', hops: 1, location: at(57), conflict: true },
    { id: 'draft', kind: 'rule', label: 'IF Jurisdiction = Quebec THEN Withholding Rate = 12%', hops: 1, location: at(9), conflict: true },
    { id: 'limit', kind: 'rule', label: 'Withholding Rate MUST BE <= 30%', hops: 2, location: at(66) },
    { id: 'doc', kind: 'document', label: 'Rate Schedule', hops: 1 },
  ],
  edges: [
    { source: 'atom', target: 'row', kind: 'part-of' },
    { source: 'atom', target: 'draft', kind: 'part-of' },
    { source: 'row', target: 'draft', kind: 'conflicts-with' },
    { source: 'row', target: 'limit', kind: 'sets' },
    { source: 'row', target: 'doc', kind: 'in-document' },
  ],
};

// Set up before the page's own script; a string, as this project's TypeScript has no DOM types outside client/webview.
const FAKE_VSCODE = `
  window.sent = [];
  window.violations = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.sent.push(m), getState: () => undefined, setState: (s) => s });
  document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
`;
/**
 * The page as the predicates below see it. Predicates are functions, not strings: Playwright polls a
 * string predicate with eval, which the page's policy (rightly) refuses.
 */
type PageGlobals = {
  sent: { type: string; nodeId?: string }[];
  document: {
    querySelectorAll(selector: string): Iterable<{
      width: number;
      height: number;
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
    }>;
  };
};

/** How many pixels cytoscape's canvases have painted (0 until more than a few hundred). */
function paintedPixels(): number {
  const { document } = globalThis as unknown as PageGlobals;
  let n = 0;
  for (const c of document.querySelectorAll('#graph canvas')) {
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0 || c.height === 0) continue;
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
  }
  return n > 500 ? n : 0;
}

function sentMessage(wanted: { type: string; nodeId?: string }): boolean {
  const { type, nodeId } = wanted;
  return (globalThis as unknown as PageGlobals).sent.some((m) => m.type === type && (nodeId === undefined || m.nodeId === nodeId));
}

describe.skipIf(!hasChromium)('the impact graph page in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const script = readFileSync(BUNDLE);
    server = createServer((req, res) => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.url === '/webview.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        const html = impactGraphHtml({ cspSource: origin, scriptUri: `${origin}/webview.js`, nonce: makeNonce(), title: 'Impact graph: Jurisdiction' });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    // VS Code's webview API, and a record of policy violations; init scripts are not subject to the page's CSP.
    await page.addInitScript({ content: FAKE_VSCODE });
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const sent = () => page.evaluate<unknown[]>('window.sent');
  const post = (message: HostMessage) => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);

  it('says it is ready, then draws the graph it is sent, without breaking its Content Security Policy', async () => {
    await page.waitForFunction(sentMessage, { type: 'ready' });
    await post({ type: 'graph', atom: GRAPH.atom, summary: graphSummary(GRAPH), source: GRAPH.source, elements: toGraphElements(GRAPH) });
    await page.locator('#nodes button').nth(4).waitFor();
    expect(await page.locator('#title').innerText()).toBe('Impact of Jurisdiction');
    expect(await page.locator('#summary').innerText()).toBe('3 rules in 1 document · 2 in conflict · from the local index');
    // Painted: cytoscape's canvases hold non-transparent pixels.
    const painted = await page.waitForFunction(paintedPixels);
    expect(await painted.jsonValue()).toBeGreaterThan(500);
    expect(await page.evaluate('window.violations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('lists the nodes, conflicts marked, and opens one by id when clicked', async () => {
    const conflicts = await page.locator('#nodes li.conflict button').allInnerTexts();
    expect(conflicts.sort()).toEqual([GRAPH.nodes[1].label, GRAPH.nodes[2].label].sort());
    expect(await page.locator('#nodes button[data-node-id="doc"]').isDisabled()).toBe(true); // no location to open
    await page.locator('#nodes button[data-node-id="limit"]').click();
    expect(await sent()).toContainEqual({ type: 'open', nodeId: 'limit' });
  });

  it('opens the atom when its node on the canvas is clicked (the atom is drawn in the middle)', async () => {
    const box = (await page.locator('#graph').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(sentMessage, { type: 'open', nodeId: 'atom' });
  });

  it('shows a message instead of a graph when there is nothing to draw', async () => {
    await post({ type: 'empty', atom: 'Ghost', message: 'Nothing is known about Ghost yet.' });
    await page.locator('#message').waitFor({ state: 'visible' });
    expect(await page.locator('#message').innerText()).toBe('Nothing is known about Ghost yet.');
    expect(await page.locator('#graph').isHidden()).toBe(true);
    expect(await page.locator('#nodes li').count()).toBe(0);
  });
});
