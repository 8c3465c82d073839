export interface TableStats {
  insert: number;
  update: number;
  delete: number;
  failed: number;
}
export interface WriteLoad {
  stats: Record<string, TableStats>;
  readonly lastError: Error | undefined;
  stop(): Promise<Record<string, TableStats>>;
}
export const TABLES: string[];
export function startWriteLoad(
  url: string,
  options?: { rate?: number; concurrency?: number; tables?: readonly string[] },
): Promise<WriteLoad>;
