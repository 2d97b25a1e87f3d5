// Just enough SMTP (RFC 5321) for nodemailer to hand over messages to a test.
import { createServer, type Server, type Socket } from 'node:net';

export interface SmtpMessage {
  from: string;
  to: string[];
  data: string;
}

/** `reject`: answer MAIL FROM with 550, a permanent failure. */
export async function smtpSink(reject = false): Promise<{ port: number; messages: SmtpMessage[]; close: () => Promise<void> }> {
  const messages: SmtpMessage[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock: Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let buf = '';
    let inData = false;
    let cur: SmtpMessage = { from: '', to: [], data: '' };
    sock.write('220 test ESMTP\r\n');
    sock.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          cur.data = buf.slice(0, end);
          buf = buf.slice(end + 5);
          inData = false;
          messages.push(cur);
          cur = { from: '', to: [], data: '' };
          sock.write('250 OK queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') sock.write('250-test\r\n250 8BITMIME\r\n');
        else if (verb === 'HELO') sock.write('250 test\r\n');
        else if (verb === 'MAIL') {
          if (reject) sock.write('550 mailbox unavailable\r\n');
          else {
            cur.from = line.replace(/^MAIL FROM:\s*/i, '');
            sock.write('250 OK\r\n');
          }
        } else if (verb === 'RCPT') {
          cur.to.push(line.replace(/^RCPT TO:\s*/i, ''));
          sock.write('250 OK\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          sock.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          sock.end('221 bye\r\n');
          return;
        } else if (verb === 'RSET' || verb === 'NOOP') sock.write('250 OK\r\n');
        else sock.write('502 not implemented\r\n');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { port, messages, close };
}
