// Makes `import { explain } from 'pathlens'` work in this repository's notebooks, as it does in a
// user's project: tslab resolves imports from the notebook's folder (TypeScript with Node10
// resolution, then require), which needs a node_modules/pathlens. Run by `npm install` (prepare).
import { lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const notebooks = dirname(fileURLToPath(import.meta.url));
const link = join(notebooks, 'node_modules', 'pathlens');
try {
  lstatSync(link);
} catch {
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(join('..', '..'), link, 'junction');
  console.log(`linked ${link} -> the repository root`);
}
