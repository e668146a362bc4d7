-- The Management API lists and revokes a user's refresh tokens and each rotation family
-- (/users/{id}/refresh-tokens, /refresh-tokens/{id}): the user and the family become indexed columns.
-- Rows written before this migration get them from their payload here. A token issued before
-- Tessera named families (no `tessera.family` in its payload) is a family of its own, named by the
-- first 32 hex digits of the SHA-256 of its id: never the id itself, which is the token.

-- AlterTable
ALTER TABLE "oidc_records" ADD COLUMN     "account_id" TEXT,
ADD COLUMN     "family_id" TEXT;

UPDATE "oidc_records" SET "account_id" = "payload"->>'accountId'
 WHERE jsonb_typeof("payload"->'accountId') = 'string';

UPDATE "oidc_records"
   SET "family_id" = CASE
         WHEN jsonb_typeof("payload"->'tessera'->'family') = 'string' THEN "payload"->'tessera'->>'family'
         ELSE substr(encode(sha256(convert_to("id", 'UTF8')), 'hex'), 1, 32)
       END
 WHERE "model" = 'RefreshToken';

-- CreateIndex
CREATE INDEX "oidc_records_tenant_id_account_id_idx" ON "oidc_records"("tenant_id", "account_id");

-- CreateIndex
CREATE INDEX "oidc_records_tenant_id_family_id_idx" ON "oidc_records"("tenant_id", "family_id");
