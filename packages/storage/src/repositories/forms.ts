import { type Form as FormRow, Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { isRecordNotFound } from './errors.ts';
import { alphanumeric } from './ids.ts';

type Json = Record<string, unknown>;

/**
 * An Auth0 Form (rendered later by `api.prompt.render(formId)`). The structure (nodes, start, ending)
 * is kept as given: the Management API checks its basic shape, the renderer interprets it.
 */
export interface Form {
  id: string;
  name: string;
  messages: Json;
  languages: Json;
  translations: Json;
  nodes: Json[];
  start: Json | null;
  ending: Json | null;
  style: Json;
  createdAt: Date;
  updatedAt: Date;
}

export interface FormInput {
  name: string;
  messages?: Json;
  languages?: Json;
  translations?: Json;
  nodes?: Json[];
  start?: Json | null;
  ending?: Json | null;
  style?: Json;
}

/** A partial update: a present key replaces that part whole (`null` resets it to empty). */
export type FormChanges = { [K in keyof FormInput]?: FormInput[K] | null };

export interface FormRepository {
  create(tenantId: string, input: FormInput): Promise<Form>;
  get(tenantId: string, id: string): Promise<Form | undefined>;
  /** Oldest first (stable pages), with the tenant's total. */
  list(tenantId: string, page: { skip: number; take: number }): Promise<{ forms: Form[]; total: number }>;
  /** Undefined when the tenant has no such form. */
  update(tenantId: string, id: string, changes: FormChanges): Promise<Form | undefined>;
  /** False when the tenant has no such form. */
  remove(tenantId: string, id: string): Promise<boolean>;
}

/** Auth0 form ids: `ap_` + 22 alphanumerics (~131 bits). */
export const newFormId = () => `ap_${alphanumeric(22)}`;

// The schema has no column of its own for translations: they are stored with the languages (both
// describe the form's locales) as `{ primary, default, translations }`, and split apart on reading.
const TRANSLATIONS = 'translations';

export function createFormRepository(prisma: PrismaClient): FormRepository {
  return {
    async create(tenantId, input) {
      const row = await prisma.form.create({
        data: {
          id: newFormId(),
          tenantId,
          name: input.name,
          nodes: (input.nodes ?? []) as Prisma.InputJsonValue,
          start: jsonOrNull(input.start),
          ending: jsonOrNull(input.ending),
          messages: (input.messages ?? {}) as Prisma.InputJsonValue,
          languages: languagesColumn(input.languages ?? {}, input.translations ?? {}),
          style: (input.style ?? {}) as Prisma.InputJsonValue,
        },
      });
      return toForm(row);
    },
    async get(tenantId, id) {
      const row = await prisma.form.findFirst({ where: { tenantId, id } });
      return row === null ? undefined : toForm(row);
    },
    async list(tenantId, { skip, take }) {
      const [rows, total] = await prisma.$transaction([
        prisma.form.findMany({
          where: { tenantId },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          skip,
          take,
        }),
        prisma.form.count({ where: { tenantId } }),
      ]);
      return { forms: rows.map(toForm), total };
    },
    async update(tenantId, id, changes) {
      // Read and write in one transaction: languages and translations share a column, so a change of
      // one must keep the other as it is at the moment of the write.
      try {
        return await prisma.$transaction(async (tx) => {
          const row = await tx.form.findFirst({ where: { tenantId, id } });
          if (row === null) return undefined;
          const current = toForm(row);
          const data: Prisma.FormUpdateInput = {};
          if (changes.name !== undefined && changes.name !== null) data.name = changes.name;
          if (changes.nodes !== undefined) data.nodes = (changes.nodes ?? []) as Prisma.InputJsonValue;
          if (changes.start !== undefined) data.start = jsonOrNull(changes.start);
          if (changes.ending !== undefined) data.ending = jsonOrNull(changes.ending);
          if (changes.messages !== undefined)
            data.messages = (changes.messages ?? {}) as Prisma.InputJsonValue;
          if (changes.style !== undefined) data.style = (changes.style ?? {}) as Prisma.InputJsonValue;
          if (changes.languages !== undefined || changes.translations !== undefined) {
            data.languages = languagesColumn(
              changes.languages === undefined ? current.languages : (changes.languages ?? {}),
              changes.translations === undefined ? current.translations : (changes.translations ?? {}),
            );
          }
          return toForm(await tx.form.update({ where: { id: row.id, tenantId }, data }));
        });
      } catch (error) {
        // Deleted between the read and the write (the read takes no lock): gone, as for an unknown id.
        if (isRecordNotFound(error)) return undefined;
        throw error;
      }
    },
    async remove(tenantId, id) {
      const { count } = await prisma.form.deleteMany({ where: { tenantId, id } });
      return count > 0;
    },
  };
}

const jsonOrNull = (value: Json | null | undefined) =>
  value === undefined || value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue);

function languagesColumn(languages: Json, translations: Json): Prisma.InputJsonValue {
  const { [TRANSLATIONS]: _ignored, ...own } = languages;
  return (
    Object.keys(translations).length === 0 ? own : { ...own, [TRANSLATIONS]: translations }
  ) as Prisma.InputJsonValue;
}

function toForm(row: FormRow): Form {
  const { [TRANSLATIONS]: translations, ...languages } = (row.languages ?? {}) as Json;
  return {
    id: row.id,
    name: row.name,
    messages: (row.messages ?? {}) as Json,
    languages,
    translations: (translations ?? {}) as Json,
    nodes: (row.nodes ?? []) as Json[],
    start: (row.start ?? null) as Json | null,
    ending: (row.ending ?? null) as Json | null,
    style: (row.style ?? {}) as Json,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
