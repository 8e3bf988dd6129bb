/** What `kos --version` and SARIF's `tool.driver` say about the tool. */
import { version } from '../../../package.json';

export const KOS_VERSION: string = version;
export const KOS_HOMEPAGE = 'https://github.com/knowledge-os/knowledge-os';
