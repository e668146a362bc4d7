import { defineConfig } from 'prisma/config';

// Used only by the Prisma CLI (`prisma generate`, and `prisma migrate deploy` where its engine is available).
// Tessera applies the same migrations itself at boot (packages/storage/src/migrator.ts).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/tessera' },
});
