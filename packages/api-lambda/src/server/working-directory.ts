/**
 * Returns the directory that relative paths (`SOFTWARE_KEY_FILE`, the
 * development key) are resolved against. It is the directory where `npm` was
 * started (`INIT_CWD`), so `npm start` at the repository root keeps its files
 * in the root's `.split-kms/`. Without npm it is the current directory.
 */
export function workingDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env['INIT_CWD'] ?? process.cwd();
}
