/**
 * Driving the VS Code workbench the way a person does: the command palette, quick open, the
 * editor, the Problems panel, hovers, the status bar and webviews, through Playwright locators.
 * Every wait is on the UI's state (a locator becoming visible, a text appearing or going away),
 * never a fixed sleep; the selectors are VS Code's own class names, which its UI tests also use.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';

export class Workbench {
  constructor(readonly page: Page) {}

  /** Waits until the workbench has rendered and the explorer lists the workspace. */
  async ready(timeout = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout });
  }

  /** Runs a command by its palette label (`Knowledge: Show Impact Graph`). */
  async runCommand(label: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${label}`);
    // The row whose label is this one (VS Code may add a note in brackets), not a longer
    // command that contains it.
    const exact = this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}( \\(.*\\))?$`) });
    const row = this.page.locator('.quick-input-list .monaco-list-row', { has: exact }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Opens a workspace file by its path relative to the folder, and waits for its editor tab. */
  async openFile(relativePath: string): Promise<void> {
    const name = relativePath.split('/').pop()!;
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relativePath);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible' });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await this.activeTab(name).waitFor({ state: 'visible' });
    await this.editor().locator('.view-line').first().waitFor({ state: 'visible' });
  }

  activeTab(name: string): Locator {
    return this.page.locator('.tabs-container .tab.active', { hasText: name });
  }

  /** The editor of the active editor group (the webview, when one is active, is elsewhere). */
  editor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Focuses the active text editor and moves the cursor to a 1-based line, via Go to Line. */
  async goToLine(line: number): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await this.page.locator('.editor-group-container.active .monaco-editor.focused').waitFor({ state: 'visible' });
  }

  /** Moves the keyboard focus into the active text editor (from a panel, say), cursor unchanged. */
  async focusEditor(): Promise<void> {
    await this.runCommand('View: Focus Active Editor Group');
    await this.page.locator('.editor-group-container.active .monaco-editor.focused').waitFor({ state: 'visible' });
  }

  /**
   * Replaces the one occurrence of `find` in the active editor by typing `replacement` over it:
   * Find (Ctrl+F) selects it, Escape closes the find widget with the match still selected.
   * (Keyboard only, so it works on wrapped lines too.)
   */
  async replaceInEditor(find: string, replacement: string): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+F');
    const widget = this.page.locator('.editor-group-container.active .find-widget.visible');
    const input = widget.locator('textarea, input').first();
    await input.waitFor({ state: 'visible' });
    await input.fill(find);
    await widget.locator('.matchesCount', { hasText: /^1 of 1$/ }).waitFor({ state: 'visible' });
    await this.page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden' });
    await this.page.keyboard.type(replacement);
    await this.editor().locator('.view-line', { hasText: find }).first().waitFor({ state: 'detached' });
  }

  /** A rendered editor line whose text contains `text`. */
  line(text: string | RegExp): Locator {
    return this.editor().locator('.view-line', { hasText: text }).first();
  }

  /** The innermost rendered token of a line that reads exactly `word`. */
  token(lineText: string | RegExp, word: string): Locator {
    return this.line(lineText).locator('span > span', { hasText: new RegExp(`^\\s*${escapeRegExp(word)}\\s*$`) }).first();
  }

  /**
   * Opens the Problems panel showing only the markers whose message, code or file matches
   * `filter`. (A filter that matches nothing at first is no good: VS Code then keeps its
   * "No results" message up even after matching markers arrive.)
   */
  async problems(filter: string): Promise<void> {
    await this.runCommand('View: Focus Problems');
    await this.page.locator('.markers-panel').waitFor({ state: 'visible' });
    const input = this.page.locator('.viewpane-filter input, .markers-panel-action-filter input').first();
    await input.waitFor({ state: 'visible' });
    await input.fill(filter);
  }

  /** The Problems panel's row for a file (it has markers that pass the filter). */
  problemFile(name: string): Locator {
    return this.page.locator(`.markers-panel .monaco-list-row[aria-label*="in file ${name} "]`);
  }

  /** The Problems panel's marker rows of a severity (`Error`, `Warning`, `Info`) whose text contains `text`. */
  problemMarker(severity: string, text: string): Locator {
    return this.page.locator(`.markers-panel .monaco-list-row[aria-label^="${severity}:"]`, { hasText: text });
  }

  /** The visible hover widget whose content matches. */
  hover(text: string | RegExp): Locator {
    return this.page.locator('.monaco-hover:not(.hidden)', { hasText: text }).first();
  }

  /** A status bar entry by its id: `<extension id>.<the id the extension gave the item>`. */
  statusItemById(id: string): Locator {
    return this.page.locator(`#workbench\\.parts\\.statusbar [id="${id}"]`);
  }

  /**
   * The text of the code lens shown right above the (first visual row of the) editor line that
   * contains `lineText`, or undefined when there is none. Code lenses sit in a view zone above
   * their line, so "above" is by position on screen.
   */
  async codeLensAbove(lineText: string | RegExp): Promise<string | undefined> {
    // Short timeouts: a lens found by `all()` can be gone by the time it is measured (exactly when a test
    // waits for it to go), and Playwright would wait 30 s for it to come back; callers poll (`waitUntil`).
    const line = await this.line(lineText).boundingBox({ timeout: 1_000 });
    if (!line) return undefined;
    for (const lens of await this.editor().locator('.codelens-decoration').all()) {
      const box = await lens.boundingBox({ timeout: 1_000 }).catch(() => null);
      if (!box) continue;
      const gap = line.y - (box.y + box.height);
      if (gap >= -2 && gap < line.height) return (await lens.innerText({ timeout: 1_000 })).replace(/\s+/g, ' ').trim();
    }
    return undefined;
  }

  /** The document inside the active webview: VS Code nests it in two iframes. */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }
}

/** Polls `probe` until it returns a truthy value; for state Playwright has no locator for (canvas pixels). */
export async function waitUntil<T>(what: string, probe: () => Promise<T>, timeout = 20_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
