/**
 * The extension inside a real VS Code (`npm run test:electron`), on
 * examples/rrsp: it activates on a knowledge file, registers its commands,
 * starts the server (the status bar leaves "starting"), shows the example's
 * conflicts, forwards "rebuild index", converts the code lenses' locations,
 * and opens the impact graph webview. Every wait is on an editor event.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../../shared/src/protocol';
import type { KnowledgeApi } from '../../extension';
import { test } from './harness';

const EXTENSION_ID = 'knowledge-os.knowledge-os';

function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the tests run on examples/rrsp as the workspace folder');
  return f.uri;
}

const file = (relative: string) => vscode.Uri.joinPath(folder(), ...relative.split('/'));

/** Resolves when `check()` holds, re-checking whenever `event` fires (never by polling on a timer). */
function when<T>(event: vscode.Event<unknown>, check: () => T | undefined | false): Promise<T> {
  return new Promise((resolve) => {
    const now = check();
    if (now) return resolve(now);
    const sub = event(() => {
      const value = check();
      if (value) {
        sub.dispose();
        resolve(value);
      }
    });
  });
}

async function api(): Promise<KnowledgeApi> {
  const ext = vscode.extensions.getExtension<KnowledgeApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.activate();
}

async function open(relative: string): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file(relative)));
}

const conflictsIn = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.code === 'rule-conflict');

test('activates on a knowledge file and registers every command', async () => {
  await open('domains/tax/withholding-rates.md');
  await api();
  const commands = new Set(await vscode.commands.getCommands(true));
  for (const id of Object.values(COMMANDS)) assert.ok(commands.has(id), `${id} is registered`);
});

test('starts the language server: the status bar leaves "starting"', async () => {
  const k = await api();
  await k.ready();
  const view = await when(k.onDidChangeStatus, () => {
    const v = k.status();
    return !/starting/.test(v.text) && v;
  });
  assert.doesNotMatch(view.text, /stopped/);
  assert.match(view.text, /Knowledge/);
});

test("shows the example's rule conflict in both files", async () => {
  await (await api()).ready();
  const draft = file('domains/tax/review-draft.md');
  const rates = file('domains/tax/withholding-rates.md');
  await when(vscode.languages.onDidChangeDiagnostics, () => conflictsIn(draft).length > 0 && conflictsIn(rates).length > 0);
  assert.equal(conflictsIn(draft)[0].severity, vscode.DiagnosticSeverity.Error, 'the draft rule is {block}');
});

test('rebuild index is forwarded to the server, and the findings come back', async () => {
  await (await api()).ready();
  const draft = file('domains/tax/review-draft.md');
  await vscode.commands.executeCommand(COMMANDS.rebuildIndex);
  await when(vscode.languages.onDidChangeDiagnostics, () => conflictsIn(draft).length > 0);
});

test('knowledge.showLocations takes LSP locations and opens the peek view on the document', async () => {
  await (await api()).ready();
  const rates = file('domains/tax/withholding-rates.md');
  const uri = rates.toString();
  const location = { uri, range: { start: { line: 31, character: 4 }, end: { line: 31, character: 16 } } };
  await vscode.commands.executeCommand(COMMANDS.showLocations, uri, { line: 31, character: 4 }, [location, location]);
  const editor = vscode.window.activeTextEditor;
  assert.equal(editor?.document.uri.toString(), uri);
});

test('show impact graph opens a webview titled after the atom under the cursor', async () => {
  await (await api()).ready();
  const editor = await open('domains/tax/withholding-rates.md');
  const line = editor.document.getText().split('\n').findIndex((l) => l.includes('**Jurisdiction**'));
  assert.ok(line >= 0);
  const character = editor.document.lineAt(line).text.indexOf('Jurisdiction') + 2;
  editor.selection = new vscode.Selection(line, character, line, character);
  await vscode.commands.executeCommand(COMMANDS.showImpactGraph);
  const tab = await when(vscode.window.tabGroups.onDidChangeTabs, () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Impact graph: Jurisdiction'),
  );
  assert.ok(tab.input instanceof vscode.TabInputWebview);
});
