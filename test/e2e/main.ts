/**
 * `npm run test:e2e`: the VS Code extension proven in a real VS Code (code-server) driven by a
 * real Chromium, the way a person uses it.
 *
 * 1. scripts/e2e-setup.sh makes sure Chromium, Node 24 and code-server are there (cached).
 * 2. `npm run package` builds the .vsix (or KOS_E2E_VSIX names one), which is installed into a
 *    fresh code-server profile; a copy of examples/rrsp in a temporary folder is the workspace.
 * 3. Through the UI only: the extension activates; the status bar shows the sync state; a code
 *    lens above an atom counts its rules and documents; hovering the atom shows its impact; the
 *    impact graph webview draws; typing a conflicting rule puts the conflict in the Problems
 *    panel and a conflict lens above the rule within seconds, and fixing the rule takes both
 *    away again.
 *
 * Each step saves a screenshot (test/e2e/screenshots/, or KOS_E2E_SCREENSHOTS); a failing step
 * saves one named …-FAILED.png and the run exits 1 naming it, with the code-server log. Waits are
 * on UI state, never fixed sleeps. Set KOS_E2E_KEEP=1 to keep the temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type ConsoleMessage } from 'playwright-core';
import { ensureSetup, startCodeServer, type CodeServer } from './codeServer';
import { Workbench, waitUntil } from './workbench';

const REPO = resolve(__dirname, '..');
const SCREENSHOTS = resolve(process.env.KOS_E2E_SCREENSHOTS ?? join(REPO, 'test/e2e/screenshots'));

/** The status bar item's id in the extension (client/src/statusBar.ts). */
const STATUS_ITEM_ID = 'knowledge.status';
/** What it says once the server reported the sync: `Knowledge: synced`, `…: syncing 3`, `…: offline (2)`, `…: sync off`. */
const SYNC_STATE = /^Knowledge: (synced|syncing \d+|offline\b.*|sync off)$/;
/** The code lens above an atom definition: `N rules · M documents affected` (spec §5). */
const RULE_COUNT_LENS = /\d+ rules? · \d+ documents?/;
/** The impact part of the hover on an atom: how many rules and documents a change reaches. */
const IMPACT_HOVER = /\d+ rules?\b[^.\n]*?affected/;
/** The atom whose impact is looked at: an input of many rules, defined at withholding-rates.md:32. */
const ATOM = 'Jurisdiction';
const ATOM_LINE = '**Jurisdiction**: one of';
const ATOM_LINE_NUMBER = 32;
/**
 * A rule typed at the end of quebec.md: Ontario residents over $15,000 at 27%, where the rate
 * schedule (withholding-rates.md:61) says 30%. 27% appears in no other finding, so the markers
 * naming it are exactly this conflict's (one at each of its two places). The fix makes it 30%.
 */
const CONFLICTING_RULE = '- IF [[Jurisdiction]] = Ontario AND [[Resident Status]] = resident AND [[Withdrawal Amount]] > $15,000 THEN [[Withholding Rate]] = 27% {block}';
/** How the typed rule's first row on screen starts (lines wrap), to find the lens above it. */
const TYPED_RULE_START = 'IF [[Jurisdiction]] = Ontario AND';
/** How long a typed change may take to reach the Problems panel ("within seconds"). */
const CONFLICT_TIMEOUT = 15_000;

interface Step {
  name: string;
  /** A failing critical step ends the run: the steps after it need what it set up. */
  critical?: boolean;
  /** Resolves to what was seen (printed after the step's name), rejects on failure. */
  run(): Promise<string | void>;
}

async function main(): Promise<number> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const file of readdirSync(SCREENSHOTS)) if (file.endsWith('.png')) rmSync(join(SCREENSHOTS, file));

  const paths = ensureSetup(REPO);
  const vsix = packageVsix();
  const root = mkdtempSync(join(tmpdir(), 'kos-e2e-'));
  const workspace = join(root, 'workspace', 'rrsp');
  cpSync(join(REPO, 'examples/rrsp'), workspace, { recursive: true });
  log(`vsix ${vsix}`);
  log(`workspace ${workspace}`);

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const results: { name: string; error?: Error; screenshot: string }[] = [];
  const consoleErrors: string[] = [];
  const stopAll = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (process.env.KOS_E2E_KEEP !== '1') rmSync(root, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));

  try {
    server = await startCodeServer(paths, vsix, root, workspace);
    log(`code-server ${server.url}, extension ${server.extension.id}`);
    browser = await chromium.launch({
      executablePath: paths.chromium,
      headless: true,
      // Chromium's own config and crash reports go to the temporary folder too.
      env: { ...process.env, XDG_CONFIG_HOME: join(root, 'browser-config'), XDG_CACHE_HOME: join(root, 'browser-cache') },
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(30_000);
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') consoleErrors.push(message.text().split('\n')[0].slice(0, 200));
    });
    const wb = new Workbench(page);
    const extension = server.extension;
    /** What the code lens above the atom said (the hover must agree). */
    let lensText: string | undefined;
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;

    const steps: Step[] = [
      {
        name: 'workbench opens the workspace',
        critical: true,
        async run() {
          await page.goto(url);
          await wb.ready();
          await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'domains' }).waitFor();
        },
      },
      {
        name: 'extension activates',
        critical: true,
        async run() {
          // It activates on Markdown (or at startup, on a folder with domains/); open a knowledge file.
          await wb.openFile('domains/tax/withholding-rates.md');
          await wb.runCommand('Developer: Show Running Extensions');
          const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: extension.displayName }).first();
          // The list is virtual and sorted by activation time: a quick activation puts the row below the
          // fold, where it is not rendered until the list is scrolled to it.
          const list = page.locator('.runtime-extensions-editor .monaco-list').first();
          await list.waitFor({ state: 'visible' });
          for (let step = 0; step < 40 && !(await row.isVisible()); step++) {
            await list.hover();
            await page.mouse.wheel(0, 300);
            await page.waitForTimeout(100);
          }
          await row.waitFor({ state: 'visible' });
          // An activated extension shows its activation time; a failed one an error marker.
          await row.locator('.activation-time').waitFor({ state: 'visible' });
          const text = (await row.innerText()).replace(/\s+/g, ' ');
          if (/error|failed/i.test(text)) throw new Error(`the extension reports a failure: ${text}`);
          await wb.screenshot(shot('extension-activated-running'));
          // It opens as a modal editor over the workbench: Escape closes it.
          await page.keyboard.press('Escape');
          await page.locator('.runtime-extensions-editor').waitFor({ state: 'hidden' });
          await wb.activeTab('withholding-rates.md').waitFor();
          return text;
        },
      },
      {
        name: 'status bar shows the sync state',
        async run() {
          // The extension's item (client/src/statusBar.ts: id `knowledge.status`). With no database
          // configured the extension syncs into its embedded store, so it must get to "synced".
          const item = wb.statusItemById(`${extension.id}.${STATUS_ITEM_ID}`);
          await item.waitFor({ state: 'visible' });
          const first = await waitUntil('a sync state in the status bar', async () => {
            const now = (await item.innerText()).trim();
            return SYNC_STATE.test(now) ? now : '';
          });
          const last = await waitUntil('"Knowledge: synced" in the status bar', async () => {
            const now = (await item.innerText()).trim();
            if (/offline|sync off|stopped/.test(now)) throw new Error(`the status bar says "${now}" (tooltip: ${await item.getAttribute('aria-label')})`);
            return now === 'Knowledge: synced' ? now : '';
          }, 60_000);
          return first === last ? last : `${first} → ${last}`;
        },
      },
      {
        name: 'code lens counts the rules and documents of an atom',
        async run() {
          await wb.goToLine(ATOM_LINE_NUMBER);
          // The lens right above the atom's definition, not just any lens in the file.
          lensText = await waitUntil(`a "N rules · M documents" lens above ${ATOM}`, async () => {
            const text = await wb.codeLensAbove(ATOM_LINE);
            return text !== undefined && RULE_COUNT_LENS.test(text) ? text : '';
          });
          return lensText;
        },
      },
      {
        name: 'hover on an atom shows its impact',
        async run() {
          await wb.token(ATOM_LINE, ATOM).hover();
          const hover = wb.hover(IMPACT_HOVER);
          await hover.waitFor({ state: 'visible' });
          const text = (await hover.innerText()).replace(/\s+/g, ' ');
          if (!text.includes(ATOM)) throw new Error(`the impact hover does not name ${ATOM}: ${text.slice(0, 200)}`);
          const impact = text.match(IMPACT_HOVER)![0];
          // The lens and the hover count the same impact of the same atom.
          const counts = (s: string | undefined) => s?.match(RULE_COUNT_LENS)?.[0];
          if (lensText && counts(impact) && counts(impact) !== counts(lensText)) {
            throw new Error(`the hover says "${counts(impact)}" but the code lens above ${ATOM} says "${counts(lensText)}"`);
          }
          return impact;
        },
      },
      {
        name: 'impact graph webview renders',
        async run() {
          await page.keyboard.press('Escape');
          await wb.token(ATOM_LINE, ATOM).click();
          await wb.runCommand('Knowledge: Show Impact Graph');
          const view = wb.webview();
          await view.locator('canvas').first().waitFor({ state: 'visible' });
          // Drawn, not just placed: the graph's canvases have painted pixels.
          const painted = await waitUntil('the impact graph to paint', async () => {
            let total = 0;
            for (const canvas of await view.locator('canvas').all()) total += await canvas.evaluate(paintedPixels);
            return total;
          });
          // The node list under the picture: the atom and at least one rule that uses it.
          await view.locator('#nodes li', { hasText: ATOM }).first().waitFor({ state: 'visible' });
          const nodes = await view.locator('#nodes li').count();
          if (nodes < 2) throw new Error(`the impact graph lists ${nodes} node(s); ${ATOM} is used by many rules`);
          const summary = (await view.locator('#summary').innerText()).trim();
          return `${nodes} nodes, ${painted} painted pixels${summary ? `; "${summary}"` : ''}`;
        },
      },
      {
        name: 'a conflicting rule appears in the Problems panel and fixing it clears it',
        async run() {
          await wb.runCommand('View: Close All Editors');
          await wb.openFile('domains/tax/quebec.md');
          // The panel shows the conflicts only; the example's own (review-draft.md:19 against
          // withholding-rates.md:57) are there from the start, quebec.md has none.
          await wb.problems('rule-conflict');
          await wb.problemFile('review-draft.md').waitFor({ state: 'visible' });
          if ((await wb.problemFile('quebec.md').count()) > 0) throw new Error('quebec.md has a conflict before anything was typed');

          await wb.focusEditor();
          await page.keyboard.press('Control+End');
          await page.keyboard.press('Enter');
          await page.keyboard.press('Enter');
          await page.keyboard.type(CONFLICTING_RULE);
          const typed = Date.now();
          // Both places of the new conflict: the typed rule (quebec.md) and the schedule's row.
          await wb.problemFile('quebec.md').waitFor({ state: 'visible', timeout: CONFLICT_TIMEOUT });
          await wb.problemMarker('Error', '27%').first().waitFor({ state: 'visible', timeout: CONFLICT_TIMEOUT });
          const appearedMs = Date.now() - typed;
          const count = await wb.problemMarker('Error', '27%').count();
          if (count !== 2) throw new Error(`expected the conflict at its 2 places, the Problems panel shows ${count}`);
          // And the code lens above the rule counts it (spec §5: `K conflicts` above a rule).
          await waitUntil('a "1 conflict" code lens above the typed rule', async () => /\b1 conflicts?\b/.test((await wb.codeLensAbove(TYPED_RULE_START)) ?? ''), CONFLICT_TIMEOUT);
          await wb.screenshot(shot('conflict-shown'));

          // The fix: the schedule's rate instead of 27% (the rule is then redundant, not in conflict).
          await wb.replaceInEditor('27%', '30%');
          const fixed = Date.now();
          await wb.problemFile('quebec.md').waitFor({ state: 'detached', timeout: CONFLICT_TIMEOUT });
          await wb.problemMarker('Error', '27%').first().waitFor({ state: 'detached', timeout: CONFLICT_TIMEOUT });
          const clearedMs = Date.now() - fixed;
          await waitUntil('the conflict code lens above the fixed rule to go', async () => {
            const lens = await wb.codeLensAbove(TYPED_RULE_START);
            if (lens === undefined || !/conflict/.test(lens)) return true;
            throw new Error(`the lens still says "${lens}"`);
          }, CONFLICT_TIMEOUT);
          await wb.problemFile('review-draft.md').waitFor({ state: 'visible' });
          // Cleared because the rule now agrees with the schedule, not because it stopped being a
          // rule: it is reported as redundant with the schedule's row.
          await wb.problems('redundant-rule');
          await wb.problemFile('quebec.md').waitFor({ state: 'visible', timeout: CONFLICT_TIMEOUT });
          return `conflict shown ${appearedMs} ms after the last keystroke, cleared ${clearedMs} ms after the fix`;
        },
      },
    ];

    for (const [index, step] of steps.entries()) {
      const base = `${String(index + 1).padStart(2, '0')}-${slug(step.name)}`;
      const started = Date.now();
      try {
        const detail = await step.run();
        const screenshot = join(SCREENSHOTS, `${base}.png`);
        await wb.screenshot(screenshot);
        results.push({ name: step.name, screenshot });
        log(`✓ ${step.name} (${Date.now() - started} ms)${detail ? ` — ${detail}` : ''}`);
      } catch (error) {
        const screenshot = join(SCREENSHOTS, `${base}-FAILED.png`);
        await wb.screenshot(screenshot).catch(() => undefined);
        results.push({ name: step.name, error: error as Error, screenshot });
        log(`✗ ${step.name}: ${firstLine(error)}\n    screenshot: ${screenshot}`);
        if (step.critical) break;
      }
    }
  } catch (error) {
    results.push({ name: 'start VS Code', error: error as Error, screenshot: '' });
    log(`✗ start VS Code: ${firstLine(error)}`);
  } finally {
    const logFile = server?.logFile;
    const failed = results.filter((r) => r.error);
    if (failed.length > 0) {
      for (const r of failed) console.error(`\nFAILED: ${r.name}\n${r.error?.stack ?? r.error}\n${r.screenshot ? `screenshot: ${r.screenshot}` : ''}`);
      if (consoleErrors.length > 0) console.error(`\nbrowser console errors (first 10):\n  ${consoleErrors.slice(0, 10).join('\n  ')}`);
      if (logFile && existsSync(logFile)) console.error(`\ncode-server log (${logFile}):\n${tail(readFileSync(logFile, 'utf8'), 40)}`);
      if (server) console.error(`extension host logs: ${join(server.userDataDir, 'logs')}${process.env.KOS_E2E_KEEP === '1' ? '' : ' (removed; KOS_E2E_KEEP=1 keeps them)'}`);
    }
    await stopAll();
    log(`screenshots: ${SCREENSHOTS}`);
    console.log(`e2e: ${results.length - failed.length} passed, ${failed.length} failed`);
    return failed.length > 0 ? 1 : 0;
  }
}

/** `npm run package`, then the .vsix it wrote (the newest one at the top level or in dist/). */
function packageVsix(): string {
  if (process.env.KOS_E2E_VSIX) return resolve(process.env.KOS_E2E_VSIX);
  const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  if (!scripts.package) throw new Error('package.json has no "package" script: the extension cannot be packaged yet (or set KOS_E2E_VSIX)');
  const started = Date.now();
  execFileSync('npm', ['run', 'package'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  const candidates = [REPO, join(REPO, 'dist')]
    .filter((dir) => existsSync(dir))
    .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.vsix')).map((f) => join(dir, f)))
    .map((file) => ({ file, mtime: statSync(file).mtimeMs }))
    .filter((c) => c.mtime >= started - 2_000)
    .sort((a, b) => b.mtime - a.mtime);
  if (candidates.length === 0) throw new Error('`npm run package` wrote no .vsix at the top level or in dist/');
  return candidates[0].file;
}

/** Runs inside the webview: how many pixels of a canvas are not transparent (0 for WebGL). */
function paintedPixels(canvas: unknown): number {
  const c = canvas as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
  const context = c.width > 0 && c.height > 0 ? c.getContext('2d') : null;
  if (!context) return 0;
  const data = context.getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
  return painted;
}

function shot(name: string): string {
  return join(SCREENSHOTS, `${name}.png`);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function log(message: string): void {
  console.log(`e2e: ${message}`);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`e2e: ${error instanceof Error ? error.stack : error}`);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  },
);
