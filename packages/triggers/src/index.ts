export { type GeoIp, type GeoIpLookup, openGeoIp } from './geoip.ts';
export { FAILED_DESCRIPTION, REFRESH_FAILED_DESCRIPTION } from './outcome.ts';
export { createPostLoginTrigger, type PostLoginTriggerDeps } from './post-login-trigger.ts';
