export function readRepoFile(relative: string): string;
export function listRepoFiles(relativeDir: string): string[];
export function repoPathExists(relative: string): boolean;
