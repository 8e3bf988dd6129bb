/**
 * Navigation commands: "show impact" (a quick pick of the rules a change to
 * the atom under the cursor affects, previewing each as you move through the
 * list), `knowledge.showLocations` (the code lenses' command: LSP locations →
 * the peek view), and opening one location. Both impact commands ask the
 * server with `knowledge/impactGraph`.
 */
import * as vscode from 'vscode';
import { IMPACT_GRAPH_REQUEST, LANGUAGE_ID, type ImpactGraphParams, type ImpactGraphResult } from '../../shared/src/protocol';
import { impactPickItems, impactTitle, parseShowLocationsArgs, type ImpactPickItem, type LspLocation, type LspRange } from './locations';
import type { KnowledgeServer } from './server';

export function toRange(r: LspRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toLocation(l: LspLocation): vscode.Location {
  return new vscode.Location(vscode.Uri.parse(l.uri), toRange(l.range));
}

/** Opens a location in the first editor group (the webview and pickers live beside it). */
export async function openLocation(l: LspLocation, options: vscode.TextDocumentShowOptions = {}): Promise<vscode.TextEditor> {
  const range = toRange(l.range);
  const editor = await vscode.window.showTextDocument(vscode.Uri.parse(l.uri), { selection: range, ...options });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** `knowledge.showLocations(uri, position, locations)`: the peek view over the locations. */
export async function showLocations(...args: unknown[]): Promise<void> {
  const parsed = parseShowLocationsArgs(args);
  if (!parsed) return;
  const { uri, position, locations } = parsed;
  await vscode.commands.executeCommand(
    'editor.action.showReferences',
    vscode.Uri.parse(uri),
    new vscode.Position(position.line, position.character),
    locations.map(toLocation),
  );
}

/** The impact graph of the atom under the cursor of the active Markdown editor; null (and a message) when there is none. */
export async function impactAtCursor(server: KnowledgeServer): Promise<{ graph: NonNullable<ImpactGraphResult>; editor: vscode.TextEditor } | null> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== LANGUAGE_ID) {
    void vscode.window.showInformationMessage('Put the cursor on an atom in a knowledge file (Markdown) first.');
    return null;
  }
  const client = await server.running();
  const params: ImpactGraphParams = {
    textDocument: { uri: client.code2ProtocolConverter.asUri(editor.document.uri) },
    position: { line: editor.selection.active.line, character: editor.selection.active.character },
  };
  const graph = await client.sendRequest<ImpactGraphResult>(IMPACT_GRAPH_REQUEST, params);
  if (!graph) {
    void vscode.window.showInformationMessage('There is no atom under the cursor: put it on a `**Name**:` definition or a `[[reference]]`.');
    return null;
  }
  return { graph, editor };
}

function where(uri: string, line: number): string {
  return `${vscode.workspace.asRelativePath(vscode.Uri.parse(uri), true)}:${line + 1}`;
}

type PickItem = vscode.QuickPickItem & { item: ImpactPickItem };

/** "Show impact": pick an affected rule; moving through the list previews each one, Escape goes back. */
export async function showImpact(server: KnowledgeServer): Promise<void> {
  const found = await impactAtCursor(server);
  if (!found) return;
  const { graph, editor } = found;
  const items = impactPickItems(graph, where);
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`No rule uses ${graph.atom} yet: changing it affects nothing.`);
    return;
  }
  const origin = { uri: editor.document.uri, selection: editor.selection, column: editor.viewColumn };
  const pick = vscode.window.createQuickPick<PickItem>();
  pick.title = impactTitle(graph, items);
  pick.placeholder = 'Pick a rule to go to it';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.items = items.map((item) => ({ label: item.label, description: item.description, detail: item.detail, item }));
  let accepted = false;
  const done = new Promise<void>((resolve) => {
    pick.onDidChangeActive(([active]) => {
      if (active) void openLocation(active.item.location, { preview: true, preserveFocus: true, viewColumn: origin.column }).catch(() => undefined);
    });
    pick.onDidAccept(() => {
      const [chosen] = pick.selectedItems;
      accepted = true;
      pick.hide();
      if (chosen) void openLocation(chosen.item.location, { preview: false, viewColumn: origin.column });
    });
    pick.onDidHide(() => {
      pick.dispose();
      if (!accepted) void vscode.window.showTextDocument(origin.uri, { selection: origin.selection, viewColumn: origin.column });
      resolve();
    });
  });
  pick.show();
  await done;
}
