// The event and api types the runtime shares with tenants: one definition, in types/post-login.d.ts
// (the file tenants copy into their editor), so the two can never drift apart.
export type { Event as PostLoginEvent, PostLoginAPI } from '../../types/post-login.d.ts';
