/** Every feature of the language server, in registration order. */
import type { Feature } from '../context';
import { syncFeature } from './sync';

export const FEATURES: Feature[] = [syncFeature];
