/**
 * The impact graph webview: one panel ("Impact graph: <atom>") beside the
 * editor, drawing the atom's neighbourhood with cytoscape (`dist/webview.js`,
 * built from `client/webview/main.ts`). The page has a strict Content
 * Security Policy with a nonce and may load nothing outside `dist/`. The
 * webview sends only node ids back; the locations stay here, so a message
 * from the page can only open a place the server named.
 */
import * as vscode from 'vscode';
import { graphSummary, isWebviewMessage, toGraphElements, type HostMessage, type ImpactGraph } from './graphView';
import { openLocation } from './impact';
import { IMPACT_GRAPH_VIEW_TYPE, impactGraphTitle } from './ids';
import { impactGraphHtml, makeNonce } from './webviewHtml';

export class ImpactGraphPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private graph: ImpactGraph | undefined;
  /** The column the graph was asked from: nodes open there. */
  private editorColumn: vscode.ViewColumn = vscode.ViewColumn.One;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** Shows `graph`, in the open panel if there is one. */
  show(graph: ImpactGraph, from: vscode.ViewColumn | undefined): void {
    this.graph = graph;
    this.editorColumn = from ?? vscode.ViewColumn.One;
    const title = impactGraphTitle(graph.atom);
    if (!this.panel) {
      this.panel = this.create(title);
    } else {
      this.panel.title = title;
      this.panel.reveal(undefined, true);
    }
    void this.post();
  }

  private create(title: string): vscode.WebviewPanel {
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(IMPACT_GRAPH_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [dist],
    });
    const webview = panel.webview;
    webview.html = impactGraphHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      nonce: makeNonce(),
      title,
    });
    webview.onDidReceiveMessage((message: unknown) => {
      if (!isWebviewMessage(message)) return;
      // The page (re)loaded — first time, or shown again after being hidden: send the graph.
      if (message.type === 'ready') void this.post();
      else void this.open(message.nodeId);
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.graph = undefined;
    });
    return panel;
  }

  private async post(): Promise<void> {
    if (!this.panel || !this.graph) return;
    const message: HostMessage =
      this.graph.nodes.length === 0
        ? { type: 'empty', atom: this.graph.atom, message: `Nothing is known about ${this.graph.atom} yet.` }
        : {
            type: 'graph',
            atom: this.graph.atom,
            summary: graphSummary(this.graph),
            source: this.graph.source,
            elements: toGraphElements(this.graph),
          };
    await this.panel.webview.postMessage(message);
  }

  private async open(nodeId: string): Promise<void> {
    const node = this.graph?.nodes.find((n) => n.id === nodeId);
    if (!node?.location) return;
    await openLocation(node.location, { viewColumn: this.editorColumn, preview: false });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
