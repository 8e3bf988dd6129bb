/** Every workspace check of knowledge-markdown §4, over one domain. */
import type { Finding } from '../model';
import { checkDuplicateAtoms, checkUnknownAtoms } from './atoms';
import { checkConflicts } from './conflicts';
import { checkConstraints } from './constraints';
import type { DomainView } from './context';
import { checkExceptions } from './exceptions';
import { checkRequiresCycles, checkRequiresMissing } from './requires';
import { checkTableGaps } from './tableGap';

export function runChecks(view: DomainView): Finding[] {
  return [
    ...checkConflicts(view),
    ...checkDuplicateAtoms(view),
    ...checkConstraints(view),
    ...checkRequiresMissing(view),
    ...checkRequiresCycles(view),
    ...checkUnknownAtoms(view),
    ...checkExceptions(view),
    ...checkTableGaps(view),
  ];
}
