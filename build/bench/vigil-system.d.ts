// Types of the parts of vigil-system.js the TypeScript tests use.
export const vigilBin: string;
export function startVigilServe(
  dataDir: string,
  extraArgs?: string[],
  bin?: string,
): Promise<{ url: string; pid: number; output(): string; stop(): Promise<void> }>;
