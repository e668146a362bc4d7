/**
 * The back office can only be reached from the office networks.
 */
const ALLOWED_NETWORKS = ['203.0.113.0/24', '198.51.100.17/32'];
const BACK_OFFICE_CLIENT_ID = 'back-office-client-id';

function toNumber(ip) {
  return ip.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function inNetwork(ip, cidr) {
  const [network, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(toNumber(network) / size) * size;
  const address = toNumber(ip);
  return address >= start && address < start + size;
}

exports.onExecutePostLogin = async (event, api) => {
  if (event.client.client_id !== BACK_OFFICE_CLIENT_ID) {
    return;
  }
  if (!ALLOWED_NETWORKS.some((cidr) => inNetwork(event.request.ip, cidr))) {
    api.access.deny(`Access from ${event.request.ip} is not allowed.`);
  }
};
