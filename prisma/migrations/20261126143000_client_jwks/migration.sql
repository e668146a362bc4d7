-- AlterTable
ALTER TABLE "clients" ADD COLUMN     "jwks" JSONB;
