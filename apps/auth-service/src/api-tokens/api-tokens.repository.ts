import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface LegacyTokenRow {
  id: string;
  name: string;
  user_id: string;
  email: string | null;
  tenant_id: string | null;
  is_active: boolean | null;
  expires_at: Date | number | null;
  created_at: Date | number | null;
  last_used_at: Date | number | null;
}

/** SQL of the api_tokens feature. */
@Injectable()
export class ApiTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Legacy rows (bcrypt only) whose holder has not presented them since the move: no sha256 yet. */
  legacyUnseen(): Promise<LegacyTokenRow[]> {
    return this.dataSource.query(
      `SELECT k.id, k.name, k.user_id, u.email, k.tenant_id, k.is_active, k.expires_at, k.created_at, k.last_used_at
         FROM api_tokens k LEFT JOIN users u ON u.id = k.user_id
        WHERE k.token_sha256 IS NULL
        ORDER BY k.created_at NULLS LAST, k.id`,
    );
  }
}
