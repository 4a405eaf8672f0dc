// node:path for the browser test bundle (dsl/site.ts resolves its own directory at load time).
export const sep = '/';
export const dirname = (p: string): string => p.slice(0, Math.max(0, p.lastIndexOf('/')));
export const relative = (_from: string, to: string): string => to;
