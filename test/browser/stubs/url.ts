// node:url for the browser test bundle.
export const fileURLToPath = (u: string | URL): string => new URL(String(u)).pathname;
