import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tables of the template executors (forms-extras.md 1.2, 1.3) and of the tools read model.
 *
 * - `product_inventory` as forms-api's 031 (SKU globally unique, stock never below 0).
 * - `appointment_bookings` as forms-api's 032, keyed by `forms.id` (the only id its FK allows).
 *   Capacity is enforced by the executor under a per-slot advisory lock, in the transaction that
 *   also stores the submission.
 * - `poll_votes`: one row per vote of a poll that prevents duplicates; the unique key is the
 *   serialisation point (forms-api tracked sessions that never round-tripped).
 * - `tool_flags`: web's tools as last announced on `events:web` (key → active), so F24 never asks
 *   web per request.
 */
export class PublicForms1700000000200 implements MigrationInterface {
  name = 'PublicForms1700000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE product_inventory (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        form_id uuid NOT NULL,
        sku varchar(100) NOT NULL,
        stock_quantity integer NOT NULL DEFAULT 0,
        reserved_quantity integer NOT NULL DEFAULT 0,
        created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
        updated_at timestamptz DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT product_inventory_pkey PRIMARY KEY (id),
        CONSTRAINT product_inventory_sku_key UNIQUE (sku),
        CONSTRAINT fk_product_inventory_form_id FOREIGN KEY (form_id) REFERENCES forms(id) ON DELETE CASCADE,
        CONSTRAINT check_product_inventory_stock_quantity CHECK (stock_quantity >= 0),
        CONSTRAINT check_product_inventory_reserved_quantity CHECK (reserved_quantity >= 0),
        CONSTRAINT check_product_inventory_sku_length CHECK (length(sku) >= 1 AND length(sku) <= 100)
      )`);
    await queryRunner.query(`CREATE INDEX idx_product_inventory_form_id ON product_inventory (form_id)`);
    await queryRunner.query(`
      CREATE TRIGGER trigger_product_inventory_updated_at BEFORE UPDATE ON product_inventory
        FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()`);

    await queryRunner.query(`
      CREATE TABLE appointment_bookings (
        id uuid NOT NULL DEFAULT uuid_generate_v4(),
        form_id uuid NOT NULL,
        "date" date NOT NULL,
        time_slot varchar(50) NOT NULL,
        booked_at timestamptz DEFAULT CURRENT_TIMESTAMP,
        status varchar(20) NOT NULL DEFAULT 'confirmed',
        created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
        updated_at timestamptz DEFAULT CURRENT_TIMESTAMP,
        submission_id uuid,
        CONSTRAINT appointment_bookings_pkey PRIMARY KEY (id),
        CONSTRAINT appointment_bookings_form_id_fkey FOREIGN KEY (form_id) REFERENCES forms(id) ON DELETE CASCADE,
        CONSTRAINT appointment_bookings_submission_id_fkey FOREIGN KEY (submission_id) REFERENCES form_submissions(id) ON DELETE SET NULL,
        CONSTRAINT appointment_bookings_status_check CHECK (status IN ('confirmed', 'cancelled', 'completed'))
      )`);
    await queryRunner.query(
      `CREATE INDEX idx_appointment_bookings_form_date_slot ON appointment_bookings (form_id, "date", time_slot) WHERE status = 'confirmed'`,
    );
    await queryRunner.query(`CREATE INDEX idx_appointment_bookings_date ON appointment_bookings ("date", status)`);
    await queryRunner.query(`
      CREATE TRIGGER update_appointment_bookings_updated_at BEFORE UPDATE ON appointment_bookings
        FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()`);

    await queryRunner.query(`
      CREATE TABLE poll_votes (
        form_schema_id uuid NOT NULL REFERENCES form_schemas(id) ON DELETE CASCADE,
        voter_key char(64) NOT NULL,
        submission_id uuid REFERENCES form_submissions(id) ON DELETE CASCADE,
        voted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (form_schema_id, voter_key)
      )`);

    await queryRunner.query(`
      CREATE TABLE tool_flags (
        key varchar(100) PRIMARY KEY,
        tool_id uuid NOT NULL,
        name varchar(255) NOT NULL,
        active boolean NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        event_occurred_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS tool_flags`);
    await queryRunner.query(`DROP TABLE IF EXISTS poll_votes`);
    await queryRunner.query(`DROP TABLE IF EXISTS appointment_bookings`);
    await queryRunner.query(`DROP TABLE IF EXISTS product_inventory`);
  }
}
