/** Every feature of the language server, in registration order. */
import type { Feature } from '../context';

export const FEATURES: Feature[] = [];
