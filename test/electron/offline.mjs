// Preloaded (`node --import`) into third-party tools a test runs, so they cannot leave the
// machine: every host-name lookup except loopback fails at once, as it would without a network.
import dns from 'node:dns';

const loopback = new Set(['localhost', '127.0.0.1', '::1']);
const lookup = dns.lookup;
dns.lookup = function offlineLookup(hostname, options, callback) {
  if (loopback.has(hostname)) return lookup.call(this, hostname, options, callback);
  const done = typeof options === 'function' ? options : callback;
  process.stderr.write(`offline: refused a lookup of ${hostname}\n`);
  const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (offline)`), { code: 'ENOTFOUND', hostname });
  process.nextTick(() => done(err));
  return {};
};
