/**
 * Returns the directory that relative paths (`SOFTWARE_KEY_FILE`, the
 * development key) are resolved against: the directory where `npm` was
 * started (`INIT_CWD`), so `npm start` at the repository root keeps its files
 * in the root's `.split-kms/` even though npm runs the package script in the
 * package folder. Without npm it is the current directory.
 */
export function workingDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env['INIT_CWD'] ?? process.cwd();
}
