/** Every feature of the language server, in registration order. */
import type { Feature } from '../context';
import { codeActionsFeature } from './codeActions';
import { completionFeature } from './completion';
import { semanticTokensFeature } from './semanticTokens';
import { statsFeature } from './stats';
import { syncFeature } from './sync';

export const FEATURES: Feature[] = [syncFeature, statsFeature, completionFeature, codeActionsFeature, semanticTokensFeature];
