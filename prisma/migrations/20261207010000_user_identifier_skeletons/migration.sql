-- Look-alike identifiers (docs/security.md#49): the UTS #39 skeletons of each user's email and
-- username, unique per connection. SQL cannot compute a skeleton: existing rows keep NULL and
-- skeleton_version 0 until the storage layer fills them in at the next boot.

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "email_skeleton" TEXT,
ADD COLUMN     "skeleton_version" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "username_skeleton" TEXT;

-- CreateIndex
CREATE INDEX "users_skeleton_version_idx" ON "users"("skeleton_version");

-- CreateIndex
CREATE UNIQUE INDEX "users_tenant_id_connection_id_email_skeleton_key" ON "users"("tenant_id", "connection_id", "email_skeleton");

-- CreateIndex
CREATE UNIQUE INDEX "users_tenant_id_connection_id_username_skeleton_key" ON "users"("tenant_id", "connection_id", "username_skeleton");
