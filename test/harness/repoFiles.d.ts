export function readRepoFile(relative: string): string;
export function listRepoFiles(relativeDir: string): string[];
