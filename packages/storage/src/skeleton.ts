import { domainToUnicode } from 'node:url';
import unhomoglyph from 'unhomoglyph';

// Confusable detection for user identifiers (docs/security.md#49). Two identifiers that look alike
// have the same skeleton (Unicode UTS #39 §4), so a unique index on the skeleton refuses a look-alike
// of an existing account as atomically as one on the identifier refuses a duplicate. A skeleton is
// only ever compared, never shown: `m` becomes `rn`, `1` becomes `l`.

/**
 * The version of the rules and data the stored skeletons were computed with. Bump it when they change
 * (a newer `unhomoglyph`, another normalization): every row is recomputed at the next boot.
 */
export const SKELETON_VERSION = 1;

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * UTS #39 skeleton: NFD, default-ignorable code points removed, each character replaced by its
 * prototype in Unicode's confusables.txt (the table `unhomoglyph` ships), NFD again.
 */
export function skeleton(value: string): string {
  return unhomoglyph(value.normalize('NFD').replace(DEFAULT_IGNORABLE, '')).normalize('NFD');
}

/**
 * The skeleton of a whole normalized address. The domain counts: `jeff@a.example` and
 * `jeff@b.example` are different people, while `jeff@exаmple.com` (Cyrillic а) imitates
 * `jeff@example.com` through its domain. A punycode domain is compared in its Unicode form, so
 * `xn--` spellings of a look-alike domain are caught too.
 */
export function emailSkeleton(email: string): string {
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  return skeleton(`${email.slice(0, at)}@${domainToUnicode(domain) || domain}`);
}
