/**
 * Where a cell's imports come from. First the notebook's folder, as Node resolves from there (its
 * node_modules, then those of the folders above). A package not found there comes from the installation
 * that runs this kernel: pathlens itself and what is installed beside it (@tensorflow/tfjs, ...). So a
 * notebook in any folder can `import { explain } from 'pathlens'`, and a folder without its own tfjs gets
 * the one copy pathlens uses. Both the type checker (tslab's TypeScript, through its `sys`) and the
 * runtime (`require` in cells) follow the same rule.
 */
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package this kernel belongs to (dist/kernel-ext/ → its root). */
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The subset of TypeScript's `sys` that module resolution goes through. */
export interface FileSystemHost {
  fileExists(path: string): boolean;
  directoryExists(path: string): boolean;
  readFile(path: string, encoding?: string): string | undefined;
  getDirectories(path: string): string[];
  readDirectory(path: string, extensions?: readonly string[], exclude?: readonly string[], include?: readonly string[], depth?: number): string[];
  realpath?(path: string): string;
}

interface ModuleInternals {
  _resolveFilename(request: string, parent: { filename?: string | null } | undefined, isMain: boolean, options?: unknown): string;
  _nodeModulePaths(from: string): string[];
}
const internals = Module as unknown as ModuleInternals;

function packageName(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string }).name;
  } catch {
    return 'pathlens';
  }
}

const isBare = (request: string) => !/^(\.{1,2}([\\/]|$)|[\\/]|[a-zA-Z]:[\\/]|node:)/.test(request);

/** `@scope/name` or `name` from a bare request or from a path relative to a node_modules folder. */
function packageOf(request: string): string {
  const parts = request.split(/[\\/]/);
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export class ModuleFallback {
  private readonly own = packageName();
  private readonly fallbackRequire = createRequire(join(PACKAGE_ROOT, 'package.json'));
  private readonly fallbackDirs = new Map<string, string | undefined>();
  private resolving = false;

  constructor(private readonly cwd: string) {}

  /** Whether Node, resolving from the notebook's folder, finds the package in some node_modules. */
  private foundFromCwd(pkg: string): boolean {
    return internals._nodeModulePaths(this.cwd).some((dir) => existsSync(join(dir, pkg)));
  }

  /** The installation's copy of a package the notebook's folder lacks, or undefined. */
  private fallbackDir(pkg: string): string | undefined {
    if (!this.fallbackDirs.has(pkg)) {
      let dir: string | undefined;
      if (!this.foundFromCwd(pkg)) {
        dir = pkg === this.own ? PACKAGE_ROOT : internals._nodeModulePaths(PACKAGE_ROOT).map((d) => join(d, pkg)).find((d) => existsSync(d));
      }
      this.fallbackDirs.set(pkg, dir);
    }
    return this.fallbackDirs.get(pkg);
  }

  /** `<cwd>/node_modules/<pkg>/rest` → the installation's `<pkg>/rest` when the folder lacks `<pkg>`. */
  private forward(path: string): string {
    const rel = relative(join(this.cwd, 'node_modules'), resolve(path));
    if (!rel || rel.startsWith('..') || rel.startsWith('@types')) return path;
    const pkg = packageOf(rel);
    if (pkg.startsWith('.') || (pkg.startsWith('@') && !pkg.includes('/'))) return path;
    const dir = this.fallbackDir(pkg);
    return dir ? join(dir, relative(pkg, rel)) : path;
  }

  /** Both, for the cells of a kernel started in `cwd`. */
  static install(cwd: string, typeScriptSys: FileSystemHost): ModuleFallback {
    const fallback = new ModuleFallback(cwd);
    fallback.patchTypeScript(typeScriptSys);
    fallback.patchRuntime();
    return fallback;
  }

  /** Makes TypeScript see the installation's packages under the notebook folder's node_modules. */
  private patchTypeScript(sys: FileSystemHost): void {
    const fileExists = sys.fileExists.bind(sys);
    const directoryExists = sys.directoryExists.bind(sys);
    const readFile = sys.readFile.bind(sys);
    const getDirectories = sys.getDirectories.bind(sys);
    const readDirectory = sys.readDirectory.bind(sys);
    const realpath = sys.realpath?.bind(sys);
    sys.fileExists = (p) => fileExists(this.forward(p));
    sys.directoryExists = (p) => directoryExists(this.forward(p));
    sys.readFile = (p, encoding) => readFile(this.forward(p), encoding);
    sys.getDirectories = (p) => getDirectories(this.forward(p));
    sys.readDirectory = (p, ...rest) => readDirectory(this.forward(p), ...rest);
    // The real location, so that the package's own imports resolve from where it is installed.
    if (realpath) sys.realpath = (p) => realpath(this.forward(p));
  }

  /** Makes `require` in cells (and in the notebook folder's own files) fall back on the installation. */
  private patchRuntime(): void {
    const original = internals._resolveFilename;
    const self = this;
    internals._resolveFilename = function (request, parent, isMain, options) {
      try {
        return original.call(this, request, parent, isMain, options);
      } catch (error) {
        const fromUserCode = !!parent?.filename && !parent.filename.split(/[\\/]/).includes('node_modules');
        if (self.resolving || !fromUserCode || !isBare(request) || (error as { code?: string }).code !== 'MODULE_NOT_FOUND' || !self.fallbackDir(packageOf(request))) throw error;
        self.resolving = true;
        try {
          return self.fallbackRequire.resolve(request);
        } catch {
          throw error;
        } finally {
          self.resolving = false;
        }
      }
    };
  }
}

