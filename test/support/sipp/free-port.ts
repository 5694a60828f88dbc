import dgram from 'node:dgram';
import net from 'node:net';

/**
 * A port that is free for both UDP and TCP on `host` right now, chosen by the OS (port 0).
 * For tools that must be told their port up front (SIPp's -p, baresip's sip_listen, Kamailio's -l):
 * SIPp does not accept -p 0 and, without -p, tries 5060 first, which parallel runs would share.
 * The port is released before returning, so another process could take it in between; the OS
 * hands out ephemeral ports round-robin, which makes that unlikely, and the tool then fails loudly
 * on bind rather than silently sharing.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, host, () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, host, () => server.close(() => resolve(true)));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcpFree) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${host} after 20 attempts`);
}
