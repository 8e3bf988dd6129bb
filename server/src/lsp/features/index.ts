/** Every feature of the language server, in registration order. */
import type { Feature } from '../context';
import { codeActionsFeature } from './codeActions';
import { codeLensFeature } from './codeLens';
import { completionFeature } from './completion';
import { definitionFeature } from './definition';
import { documentSymbolsFeature } from './documentSymbols';
import { hoverFeature } from './hover';
import { impactGraphFeature } from './impactGraph';
import { referencesFeature } from './references';
import { renameFeature } from './rename';
import { semanticTokensFeature } from './semanticTokens';
import { statsFeature } from './stats';
import { syncFeature } from './sync';
import { workspaceSymbolsFeature } from './workspaceSymbols';

export const FEATURES: Feature[] = [
  syncFeature,
  statsFeature,
  definitionFeature,
  referencesFeature,
  renameFeature,
  documentSymbolsFeature,
  workspaceSymbolsFeature,
  completionFeature,
  codeActionsFeature,
  semanticTokensFeature,
  hoverFeature,
  codeLensFeature,
  impactGraphFeature,
];
